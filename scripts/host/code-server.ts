// Starts code-server (the provisioned one, on the provisioned Node 24) in its own process group,
// waits until it answers, and stops the whole group: code-server forks extension hosts, file
// watchers and an agent host that a plain kill of the parent leaves behind.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { onCleanup } from './cleanup';
import type { HostLayout } from './layout';

export interface CodeServerOptions {
  layout: HostLayout;
  /** Holds User/settings.json, logs and state; a fresh one per run keeps runs independent. */
  userDataDir: string;
  extensionsDir: string;
  /** A folder or a .code-workspace file to open. */
  open?: string;
  port?: number;
  /** Off: every workspace is trusted. */
  workspaceTrust?: boolean;
  /** Needed for the test payload in the URL (extensionDevelopmentPath / extensionTestsPath). */
  smokeTestDriver?: boolean;
  /** Extra environment for the server and so for the extension host. */
  env?: Record<string, string>;
  /** Receives each line the server prints. */
  onOutput?: (line: string) => void;
}

export interface RunningCodeServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** XDG dirs and TMPDIR inside the cache, so nothing lands in the user's home or the system temp folder. */
export function sandboxEnv(layout: HostLayout): Record<string, string> {
  const dirs = { XDG_DATA_HOME: 'data', XDG_CACHE_HOME: 'cache', XDG_CONFIG_HOME: 'config', TMPDIR: 'tmp' };
  const env: Record<string, string> = {};
  for (const [name, sub] of Object.entries(dirs)) {
    const dir = path.join(layout.sandboxDir, sub);
    fs.mkdirSync(dir, { recursive: true });
    env[name] = dir;
  }
  return env;
}

/** Runs code-server once for a CLI job such as `--install-extension`. */
export function codeServerCli(layout: HostLayout, args: string[], opts: { userDataDir: string; extensionsDir: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(layout.nodeBin, [layout.codeServerEntry, '--user-data-dir', opts.userDataDir, '--extensions-dir', opts.extensionsDir, ...args], {
      env: { ...process.env, ...sandboxEnv(layout), PATH: `${path.dirname(layout.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} exited with ${code}: ${out.trim()}`))));
  });
}

export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  const { layout } = opts;
  const port = opts.port ?? (await freePort());
  // Another server on the port would answer our health check and hide the failure.
  if (opts.port !== undefined && !(await portIsFree(port))) throw new Error(`port ${port} is in use; pick another with --port`);
  fs.mkdirSync(opts.userDataDir, { recursive: true });
  fs.mkdirSync(opts.extensionsDir, { recursive: true });
  // Without --config code-server writes ~/.config/code-server/config.yaml.
  const configFile = path.join(opts.userDataDir, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const args = [
    layout.codeServerEntry,
    '--config',
    configFile,
    '--user-data-dir',
    opts.userDataDir,
    '--extensions-dir',
    opts.extensionsDir,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--disable-proxy',
    // Extension hosts of closed tabs otherwise linger for 3 h holding storage locks.
    '--reconnection-grace-time',
    '10',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.open ? [opts.open] : []),
  ];
  const child = spawn(layout.nodeBin, args, {
    detached: true, // its own process group, so stop() reaches every descendant
    env: {
      ...process.env,
      ...sandboxEnv(layout),
      PATH: `${path.dirname(layout.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pipeLines(child, opts.onOutput);
  const url = `http://127.0.0.1:${port}`;
  const forget = onCleanup(() => stopGroup(child));
  const stop = async () => {
    forget();
    await stopGroup(child);
  };
  try {
    await waitForHealth(url, child, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, pid: child.pid!, stop };
}

function pipeLines(child: ChildProcess, onOutput: ((line: string) => void) | undefined) {
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.on('data', (c: Buffer) => {
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onOutput?.(l);
    });
  }
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`code-server exited with ${exited} before it answered`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s`);
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup(child.pid!, 'SIGKILL'); // descendants may outlive the parent
      return resolve();
    }
    const force = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      killGroup(child.pid!, 'SIGKILL');
      resolve();
    });
    killGroup(child.pid!, 'SIGTERM');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
