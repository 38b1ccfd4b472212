// Provisions the real editor used by the integration tests and `npm start`: Node 24 and
// code-server, both from the npm registry, into the cache folder. Idempotent: a finished step
// leaves a stamp and is skipped next time; an interrupted step leaves only a temp folder.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_SERVER_VERSION, NODE_VERSION, hostLayout, type HostLayout } from './layout';

const STAMP = '.provisioned';

export async function ensureHost(layout: HostLayout = hostLayout()): Promise<HostLayout> {
  fs.mkdirSync(layout.root, { recursive: true });
  const release = await lock(path.join(layout.root, '.provision.lock'));
  try {
    await step(`Node ${NODE_VERSION}`, layout.nodeDir, (tmp) => installNode(tmp));
    await step(`code-server ${CODE_SERVER_VERSION}`, layout.codeServerDir, (tmp) => installCodeServer(layout, tmp));
  } finally {
    release();
  }
  return layout;
}

/** One provisioning at a time: two test runners started together must not install into the same folder. */
async function lock(file: string): Promise<() => void> {
  let said = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (!holder || !alive(holder)) {
        fs.rmSync(file, { force: true }); // left by a process that died
        continue;
      }
      if (!said) log(`waiting for another provisioning run (pid ${holder}) to finish`);
      said = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function step(label: string, dir: string, build: (tmp: string) => Promise<void>): Promise<void> {
  if (fs.existsSync(path.join(dir, STAMP))) {
    log(`${label}: cached in ${path.relative(process.cwd(), dir) || dir}`);
    return;
  }
  const tmp = `${dir}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  log(`${label}: installing into ${path.relative(process.cwd(), dir) || dir} …`);
  const ticker = setInterval(() => log(`${label}: still working (${seconds(started)})`), 15_000);
  try {
    await build(tmp);
  } finally {
    clearInterval(ticker);
  }
  fs.writeFileSync(path.join(tmp, STAMP), `${new Date().toISOString()}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  log(`${label}: done in ${seconds(started)}`);
}

async function installNode(tmp: string): Promise<void> {
  const pkg = `node-${process.platform}-${process.arch}@${NODE_VERSION}`;
  await run('npm', ['pack', pkg, '--silent'], { cwd: tmp });
  const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${pkg} produced no tarball`);
  await run('tar', ['xzf', tarball, '--strip-components=1'], { cwd: tmp });
  fs.rmSync(path.join(tmp, tarball));
  // The tarball's `bin/node` is what we run; check it really is the version we asked for.
  const out = await run(path.join(tmp, 'bin', 'node'), ['--version'], { cwd: tmp, quiet: true });
  if (out.trim() !== `v${NODE_VERSION}`) throw new Error(`expected node v${NODE_VERSION}, got ${out.trim()}`);
}

async function installCodeServer(layout: HostLayout, tmp: string): Promise<void> {
  fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ private: true, name: 'byok-host' }, null, 2));
  // code-server's postinstall insists on node 24 (it reads npm's user agent) and builds native
  // addons with node-gyp; putting node 24 first on PATH makes npm itself run on it, and nodedir
  // hands node-gyp the headers from the same tarball instead of downloading them.
  await run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund'], {
    cwd: tmp,
    env: {
      PATH: `${path.join(layout.nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: layout.nodeDir,
    },
  });
  if (!fs.existsSync(path.join(tmp, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) {
    throw new Error('code-server installed without out/node/entry.js');
  }
}

interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  quiet?: boolean;
}

function run(cmd: string, args: string[], opts: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    // Under `npm test` the outer npm (on Node 20) leaves variables describing itself behind; the
    // inner npm would inherit them — code-server's postinstall reads the Node version from
    // npm_config_user_agent. Registry and other npm_config_* settings still pass through.
    const outerNpm = /^npm_(config_user_agent|config_node_gyp|node_execpath|execpath|command|lifecycle_|package_)/i;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !outerNpm.test(k)));
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...inherited, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const echo = (chunk: Buffer) => {
      if (opts.quiet) return;
      for (const line of chunk.toString().split('\n')) if (line.trim()) process.stdout.write(`  │ ${line}\n`);
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      echo(c);
    });
    child.stderr.on('data', echo);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function log(msg: string): void {
  process.stdout.write(`[host] ${msg}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

if (require.main === module) {
  const started = Date.now();
  ensureHost().then(
    (l) => log(`ready in ${seconds(started)}: ${l.codeServerEntry}`),
    (e: unknown) => {
      console.error(`[host] provisioning failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
