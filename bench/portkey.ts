/**
 * Portkey's open-source gateway as its README runs it (`npx @portkey-ai/gateway`), from the dev
 * dependency, on a free loopback port. It is a separate process: its CPU work runs beside ours,
 * which flatters it on a multi-core machine; the bench says so next to its numbers.
 * `portkey-preload.mjs` works around a dependency-drift bug that breaks its streaming (see there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { BENCH_DIR, ROOT } from './paths';
import { procCpuMs } from './proc-cpu';

export interface PortkeyGateway {
  readonly url: string;
  readonly version: string;
  /** CPU time the gateway process has used, ms (Linux /proc; undefined elsewhere). */
  cpuMs(): number | undefined;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function gatewayPaths(): { script: string; version: string } {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const pkgPath = require.resolve('@portkey-ai/gateway/package.json');
  const pkg = require(pkgPath) as { version: string; bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin)[0]!;
  return { script: path.join(path.dirname(pkgPath), bin), version: pkg.version };
}

/** Starts the gateway and resolves once it answers; rejects with its output if it does not within `timeoutMs`. */
export async function startPortkey(timeoutMs = 15_000): Promise<PortkeyGateway> {
  const { script, version } = gatewayPaths();
  const port = await freePort();
  // production + headless: no UI routes, no log-stream endpoint — the gateway as deployed.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', pathToFileURL(path.join(BENCH_DIR, 'portkey-preload.mjs')).href, script, `--port=${port}`, '--headless'],
    {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  const probe = new Agent({ pipelining: 0 });
  try {
    await waitUntilUp();
  } finally {
    await probe.close();
  }
  return { url, version, cpuMs: () => procCpuMs(child.pid), close };

  async function waitUntilUp() {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`portkey gateway exited with ${child.exitCode}: ${output}`);
      try {
        const res = await request(`${url}/`, { method: 'GET', dispatcher: probe });
        const text = await res.body.text();
        if (res.statusCode === 200 && /gateway/i.test(text)) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        await close();
        throw new Error(`portkey gateway did not answer within ${timeoutMs} ms: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
