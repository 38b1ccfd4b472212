import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, splitUrl, UndiciHttpClient, type HttpResponse } from '../../../src/core/http/client';
import { timeoutsSchema } from '../../../src/core/config/schema';
import { isRouteFailure } from '../../../src/core/errors';

/** Each path answers as its name says: a declared length, chunked, or cut off halfway. */
function serve(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = 'x'.repeat(2000);
    if (req.url?.startsWith('/echo/')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url}`);
    if (req.url === '/declared') return void res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    if (req.url === '/chunked') {
      res.writeHead(200);
      for (let i = 0; i < 4; i++) res.write(body);
      return void res.end();
    }
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '4000' });
      res.write(body);
      return void setTimeout(() => res.socket?.destroy(), 20);
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      });
    }),
  );
}

describe('reading a whole response body', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  const client = new UndiciHttpClient();
  const timeouts = timeoutsSchema.parse({});
  const get = (path: string): Promise<HttpResponse> =>
    client.send({ url: `${srv.url}${path}`, method: 'GET', headers: {} }, timeouts, new AbortController().signal);

  before(async () => (srv = await serve()));
  after(async () => {
    await client.close();
    await srv.close();
  });

  it('reads a body whose declared length fits, with or without the headers passed', async () => {
    const a = await get('/declared');
    assert.equal(await readBody(a.body, 4096, a.headers), 'x'.repeat(2000));
    const b = await get('/declared');
    assert.equal(await readBody(b.body, 4096), 'x'.repeat(2000));
  });

  it('refuses a declared length over the limit, and a chunked body that grows past it', async () => {
    for (const path of ['/declared', '/chunked']) {
      const res = await get(path);
      await assert.rejects(
        readBody(res.body, 1000, res.headers),
        (e: unknown) => isRouteFailure(e) && /exceeded the 1000-byte limit/.test(e.error.message),
        path,
      );
    }
  });

  it('fails a body cut off before its declared length instead of returning the part that came', async () => {
    for (const headers of [true, false]) {
      const res = await get('/cut');
      await assert.rejects(readBody(res.body, 1 << 20, headers ? res.headers : undefined), `headers passed: ${headers}`);
    }
  });

  it('reads a body that is only an async iterable', async () => {
    const body = {
      async *[Symbol.asyncIterator]() {
        yield Buffer.from('he');
        yield Buffer.from('llo');
      },
    };
    assert.equal(await readBody(body, 10), 'hello');
    await assert.rejects(readBody(body, 3), /exceeded the 3-byte limit/);
  });

  it('sends the path with its query to the origin, for a URL it has split before too', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await client.send(
        { url: `${srv.url}/echo/models/gemini:stream?alt=sse`, method: 'POST', headers: {}, body: '{}' },
        timeouts,
        new AbortController().signal,
      );
      assert.equal(await readBody(res.body, 1000, res.headers), 'POST /echo/models/gemini:stream?alt=sse');
    }
  });
});

describe('splitting a URL for the agent', () => {
  it('parses a URL once and keeps no more than a bounded number of them', () => {
    const first = splitUrl('https://api.example.test:8443/v1/chat/completions?x=1');
    assert.deepEqual(first, { origin: 'https://api.example.test:8443', path: '/v1/chat/completions?x=1' });
    assert.equal(splitUrl('https://api.example.test:8443/v1/chat/completions?x=1'), first);
    for (let i = 0; i < 300; i++) splitUrl(`https://api.example.test/v${i}`);
    const again = splitUrl('https://api.example.test:8443/v1/chat/completions?x=1');
    assert.notEqual(again, first, 'the cache grew past its bound instead of starting over');
    assert.deepEqual(again, first);
  });
});
