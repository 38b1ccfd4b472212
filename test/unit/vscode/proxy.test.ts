import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { timeoutsSchema } from '../../../src/core/config/schema';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { chooseDispatcher, type ProxySettings } from '../../../src/vscode/proxy';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

/** A CONNECT proxy on loopback that records which hosts it tunnelled to. */
async function startProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const timeouts = timeoutsSchema.parse({});
const base: ProxySettings = { proxy: '', strictSSL: true, noProxy: [], env: {}, connectTimeoutMs: 2000 };

async function getModels(settings: ProxySettings, sim: OpenAISim): Promise<number> {
  const choice = chooseDispatcher(settings);
  const client = new UndiciHttpClient({ dispatcher: choice.dispatcher });
  try {
    const res = await client.send(
      { url: `${sim.baseUrl}/models`, method: 'GET', headers: { authorization: 'Bearer sk-proxy-test-0000000000' } },
      timeouts,
      new AbortController().signal,
    );
    for await (const _ of res.body) void _;
    return res.status;
  } finally {
    await client.close();
    await choice.dispatcher?.close();
  }
}

describe("outgoing requests and the editor's proxy settings", () => {
  let sim: OpenAISim;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeEach(async () => {
    sim = await startOpenAISim({ flavor: 'openai' });
    proxy = await startProxy();
  });
  afterEach(async () => {
    await sim.close();
    await proxy.close();
  });

  it('goes through http.proxy when it is set', async () => {
    assert.equal(await getModels({ ...base, proxy: proxy.url }, sim), 200);
    assert.deepEqual(proxy.tunnels, [`127.0.0.1:${sim.port}`]);
    assert.equal(sim.requests.length, 1);
  });

  it('goes through HTTPS_PROXY/HTTP_PROXY from the environment when http.proxy is empty', async () => {
    assert.equal(await getModels({ ...base, env: { HTTP_PROXY: proxy.url } }, sim), 200);
    assert.deepEqual(proxy.tunnels, [`127.0.0.1:${sim.port}`]);
  });

  it('goes direct for hosts in NO_PROXY or http.noProxy', async () => {
    assert.equal(await getModels({ ...base, proxy: proxy.url, env: { NO_PROXY: '127.0.0.1' } }, sim), 200);
    assert.equal(await getModels({ ...base, proxy: proxy.url, noProxy: ['127.0.0.1'] }, sim), 200);
    assert.deepEqual(proxy.tunnels, []);
    assert.equal(sim.requests.length, 2);
  });

  it('uses the default agent when nothing asks for a proxy', () => {
    const choice = chooseDispatcher(base);
    assert.equal(choice.dispatcher, undefined);
    assert.equal(choice.description, 'direct');
  });

  it('never prints proxy credentials', async () => {
    const choice = chooseDispatcher({ ...base, proxy: 'http://alice:s3cret-pass@proxy.example.com:3128' });
    try {
      assert.ok(!choice.description.includes('s3cret-pass') && !choice.description.includes('alice'), choice.description);
    } finally {
      await choice.dispatcher?.close();
    }
  });
});
