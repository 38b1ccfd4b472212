import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { sse, startSimServer, type SimExchange, type SimServer } from '../../../src/sim/server';
import { eventually, readSse, tcpHandles } from './helpers';

/** A minimal wire layer: GET /json answers JSON, GET /stream streams five numbered data frames. */
async function echoHandler(ex: SimExchange): Promise<void> {
  const script = await ex.applyScript();
  if (!script) return;
  if (ex.req.path === '/stream') {
    return ex.stream({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [1, 2, 3, 4, 5].map((n) => sse.data({ n })),
      trailer: [sse.data('[DONE]')],
      comment: sse.comment('keep-alive'),
      malformed: 'data: {"n":\n\n',
      errorFrames: [sse.data({ error: { message: 'boom' } })],
    });
  }
  ex.send(200, { ok: true, path: ex.req.path, text: script.text ?? null });
}

describe('simulator server', () => {
  let sim: SimServer;
  beforeEach(async () => {
    sim = await startSimServer(echoHandler);
  });
  afterEach(() => sim.close());

  it('records method, path, query, lower-cased headers and the parsed JSON body', async () => {
    const res = await request(`${sim.url}/json?api-version=2024-10-21&x=1`, {
      method: 'POST',
      headers: { 'X-Custom-Thing': 'yes', 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    await res.body.json();
    const [req] = await sim.waitForRequests(1);
    assert.equal(req!.method, 'POST');
    assert.equal(req!.path, '/json');
    assert.deepEqual(req!.query, { 'api-version': '2024-10-21', x: '1' });
    assert.equal(req!.headers['x-custom-thing'], 'yes');
    assert.deepEqual(req!.json, { hello: 'world' });
    assert.equal(req!.bodyText, '{"hello":"world"}');
    assert.ok(req!.at > 0);
    assert.ok(await eventually(() => req!.outcome === 'completed'));
  });

  it('takes queued scripts one per request, then the script function, then the default', async () => {
    sim.enqueue({ text: 'first' }, { text: 'second' });
    sim.script = (req) => (req.query.fn ? { text: 'from function' } : undefined);
    sim.setDefault({ text: 'default' });
    const texts: unknown[] = [];
    for (const q of ['', '', '?fn=1', '']) {
      const res = await request(`${sim.url}/json${q}`);
      texts.push(((await res.body.json()) as { text: unknown }).text);
    }
    assert.deepEqual(texts, ['first', 'second', 'from function', 'default']);
    assert.equal(sim.queued(), 0);
  });

  it('sends a scripted error as given: objects as JSON, HTML strings verbatim, with scripted headers', async () => {
    sim.enqueue(
      { status: 429, headers: { 'retry-after': '3' }, errorBody: { error: { message: 'slow down' } } },
      { status: 502, errorBody: '<html><body>Bad Gateway</body></html>' },
    );
    const json = await request(`${sim.url}/json`);
    assert.equal(json.statusCode, 429);
    assert.equal(json.headers['retry-after'], '3');
    assert.match(String(json.headers['content-type']), /application\/json/);
    assert.deepEqual(await json.body.json(), { error: { message: 'slow down' } });
    const html = await request(`${sim.url}/json`);
    assert.equal(html.statusCode, 502);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.equal(await html.body.text(), '<html><body>Bad Gateway</body></html>');
  });

  it('delays the headers by delayBeforeHeadersMs', async () => {
    sim.enqueue({ delayBeforeHeadersMs: 120 });
    const started = Date.now();
    const res = await request(`${sim.url}/json`);
    await res.body.dump();
    assert.ok(Date.now() - started >= 110, `answered after ${Date.now() - started} ms`);
  });

  it('drops the connection without a response when resetBeforeHeaders is set', async () => {
    sim.enqueue({ resetBeforeHeaders: true });
    await assert.rejects(request(`${sim.url}/json`), (err: Error & { code?: string }) => {
      assert.match(String(err.code ?? err.message), /SOCKET|ECONNRESET|closed/i);
      return true;
    });
    assert.ok(await eventually(() => sim.requests[0]?.outcome === 'reset'));
  });

  it('holds a neverRespond request open until the client aborts, and records the abort', async () => {
    sim.enqueue({ neverRespond: true });
    const controller = new AbortController();
    const pending = request(`${sim.url}/json`, { signal: controller.signal });
    await sim.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sim.inFlight(), 1);
    controller.abort();
    await assert.rejects(pending);
    assert.ok(await eventually(() => sim.requests[0]?.outcome === 'client-aborted'));
    assert.equal(sim.inFlight(), 0);
  });

  it('streams frames with keep-alive comments before the first chunk and between chunks', async () => {
    sim.enqueue({ keepAliveComments: 2 });
    const res = await request(`${sim.url}/stream`);
    const read = readSse(await res.body.text());
    assert.deepEqual(read.data, ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}', '[DONE]']);
    assert.equal(read.comments.length, 10);
    assert.deepEqual(read.sequence.slice(0, 4), ['comment:keep-alive', 'comment:keep-alive', 'data:{"n":1}', 'comment:keep-alive']);
  });

  it('ends the stream after the error frames of a mid-stream error, without the trailer', async () => {
    sim.enqueue({ midStreamError: { afterChunks: 2 } });
    const res = await request(`${sim.url}/stream`);
    assert.equal(res.statusCode, 200);
    const read = readSse(await res.body.text());
    assert.deepEqual(read.data, ['{"n":1}', '{"n":2}', '{"error":{"message":"boom"}}']);
  });

  it('inserts the malformed frame after N chunks and carries on', async () => {
    sim.enqueue({ malformedAfterChunks: 1 });
    const res = await request(`${sim.url}/stream`);
    const text = await res.body.text();
    assert.match(text, /data: \{"n":1\}\n\ndata: \{"n":\n\ndata: \{"n":2\}/);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });

  it('stalls before the trailer when stallAfterChunks is beyond the last chunk', async () => {
    sim.enqueue({ stallAfterChunks: 99 });
    const controller = new AbortController();
    const res = await request(`${sim.url}/stream`, { signal: controller.signal });
    let seen = '';
    await assert.rejects(async () => {
      for await (const part of res.body) {
        seen += String(part);
        if (seen.includes('{"n":5}')) setTimeout(() => controller.abort(), 50);
      }
    });
    assert.ok(seen.includes('{"n":5}'));
    assert.ok(!seen.includes('[DONE]'));
  });

  it('truncateBody sends the first half of the body with a matching length', async () => {
    sim.enqueue({ truncateBody: true });
    const res = await request(`${sim.url}/json`);
    const text = await res.body.text();
    assert.equal(res.statusCode, 200);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(text));
    assert.throws(() => JSON.parse(text));
    assert.ok('{"ok":true,"path":"/json","text":null}'.startsWith(text));
  });

  it("truncateBody 'reset' promises the whole body and drops the socket halfway", async () => {
    sim.enqueue({ truncateBody: 'reset' });
    const res = await request(`${sim.url}/json`);
    await assert.rejects(res.body.text());
  });

  it('waitForRequests rejects after its timeout instead of hanging', async () => {
    await assert.rejects(sim.waitForRequests(1, 30), /timed out after 30 ms/);
  });

  it('answers 500 and keeps the error when a handler throws', async () => {
    const broken = await startSimServer(() => {
      throw new Error('kaput');
    });
    try {
      const res = await request(`${broken.url}/x`);
      assert.equal(res.statusCode, 500);
      assert.match(await res.body.text(), /kaput/);
      assert.equal(broken.handlerErrors.length, 1);
    } finally {
      await broken.close();
    }
  });
});

describe('simulator server close()', () => {
  it('resolves promptly with requests still held open and leaves no TCP handles behind', async () => {
    const before = tcpHandles();
    const sim = await startSimServer(echoHandler);
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    // One finished keep-alive request, one hanging request, one stalled stream.
    await (await request(`${sim.url}/json`, { dispatcher: agent })).body.dump();
    sim.enqueue({ neverRespond: true }, { stallAfterChunks: 1 });
    const hanging = request(`${sim.url}/json`, { dispatcher: agent }).catch((e: unknown) => e);
    const stalled = request(`${sim.url}/stream`, { dispatcher: agent })
      .then((r) => r.body.text())
      .catch((e: unknown) => e);
    await sim.waitForRequests(3);
    assert.equal(sim.inFlight(), 2);

    const started = Date.now();
    await sim.close();
    assert.ok(Date.now() - started < 500, `close took ${Date.now() - started} ms`);
    assert.ok((await hanging) instanceof Error);
    assert.ok((await stalled) instanceof Error);
    assert.equal(sim.inFlight(), 0);
    assert.equal(sim.requests[1]!.outcome, 'server-closed');
    const settled = await eventually(() => {
      const now = tcpHandles();
      return now.servers <= before.servers && now.sockets <= before.sockets;
    });
    assert.ok(settled, `handles before ${JSON.stringify(before)}, after ${JSON.stringify(tcpHandles())}`);
    await agent.close();
  });

  it('can be called twice and refuses new connections afterwards', async () => {
    const sim = await startSimServer(echoHandler);
    const url = sim.url;
    await Promise.all([sim.close(), sim.close()]);
    await assert.rejects(request(`${url}/json`), /ECONNREFUSED/);
  });
});
