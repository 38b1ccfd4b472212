/**
 * The local endpoint, the bare hop under it and the TCP relay under that, each in a process of its
 * own, as deployed: the endpoint runs in the editor's extension host or in `byok-router serve`,
 * never in the process of the assistant that calls it, and Portkey's gateway is measured the same
 * way. In the bench's own process, a stream's every chunk was parsed twice on one thread (by the
 * endpoint's router and again by its client), which measured a configuration no user has.
 *
 * Run as a child: `fork(this file, ['--child', kind, simBaseUrl])`; it answers `{ url, token }`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { request } from 'undici';
import { routerBackend } from '../src/serve/router-backend';
import { LocalEndpoint } from '../src/serve/server';
import { generateToken, TokenTable } from '../src/serve/tokens';
import { benchAgent, benchRouter, KEY } from './contenders';
import { procCpuMs } from './proc-cpu';
import { stopChild } from './stop-child';

export type GatewayKind = 'endpoint' | 'hop' | 'relay';

export interface GatewayProcess {
  /** The OpenAI-compatible base URL, ending in /v1. */
  readonly baseUrl: string;
  /** The caller token the endpoint wants (the hop takes none). */
  readonly token: string | undefined;
  /** CPU time the process has used, ms (Linux /proc; undefined elsewhere). */
  cpuMs(): number | undefined;
  close(): Promise<void>;
}

type FromChild = { baseUrl: string; token?: string };

export async function startGatewayProcess(kind: GatewayKind, simBaseUrl: string): Promise<GatewayProcess> {
  const bundled = __filename.endsWith('.js');
  const entry = bundled ? path.join(__dirname, 'gateway-process.js') : __filename;
  const child: ChildProcess = fork(entry, ['--child', kind, simBaseUrl], {
    execArgv: bundled ? [] : ['--require', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<FromChild>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench ${kind} process exited (${code}) before listening`)));
    child.once('message', (m: FromChild) => resolve(m));
  });
  child.removeAllListeners('exit');
  return { baseUrl: ready.baseUrl, token: ready.token, cpuMs: () => procCpuMs(child.pid), close: () => stopChild(child) };
}

/** The endpoint the CLI serves: a router with one key on the simulator, behind a caller token. */
async function serveEndpoint(simBaseUrl: string): Promise<FromChild & { close(): Promise<void> }> {
  const router = benchRouter(simBaseUrl);
  const token = generateToken();
  const tokens = new TokenTable({ bench: token });
  const catalog = router.catalog;
  const endpoint = new LocalEndpoint({ backend: routerBackend(router), tokens: () => tokens, catalog: () => catalog, addresses: ['127.0.0.1'] });
  await endpoint.start();
  return {
    baseUrl: endpoint.openAIBaseUrl,
    token,
    close: async () => {
      await endpoint.close();
      await router.close();
    },
  };
}

/**
 * The floor under any local endpoint written for Node: a node:http server that forwards the body
 * it read to the simulator with undici and pipes the answer back, bytes untouched — no token, no
 * checks, no parsing, no routing.
 */
async function serveHop(simBaseUrl: string): Promise<FromChild & { close(): Promise<void> }> {
  const upstream = benchAgent();
  const target = `${simBaseUrl}/chat/completions`;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      request(target, { method: 'POST', dispatcher: upstream, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body }).then(
        async (up) => {
          const type = up.headers['content-type'];
          res.writeHead(up.statusCode, typeof type === 'string' ? { 'content-type': type } : {});
          for await (const b of up.body) res.write(b);
          res.end();
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

/**
 * Under the hop, the cost of one more process on the path and nothing else: each client
 * connection gets its own connection to the simulator and the bytes are piped both ways, with no
 * HTTP parsed. What the hop adds beyond it is node:http and undici.
 */
async function serveRelay(simBaseUrl: string): Promise<FromChild & { close(): Promise<void> }> {
  const target = new URL(simBaseUrl);
  const pairs = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    client.setNoDelay(true);
    for (const s of [client, upstream]) {
      pairs.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        pairs.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, '')}`,
    close: async () => {
      for (const s of pairs) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SERVE: Record<GatewayKind, (simBaseUrl: string) => Promise<FromChild & { close(): Promise<void> }>> = {
  endpoint: serveEndpoint,
  hop: serveHop,
  relay: serveRelay,
};

async function childMain(kind: GatewayKind, simBaseUrl: string): Promise<void> {
  const served = await SERVE[kind](simBaseUrl);
  const stop = () => void served.close().finally(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.send!({ baseUrl: served.baseUrl, ...(served.token ? { token: served.token } : {}) } satisfies FromChild);
}

if (process.argv[2] === '--child' && process.send) void childMain(process.argv[3] as GatewayKind, process.argv[4]!);
