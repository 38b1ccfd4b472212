import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { generateToken } from '../../../src/serve/tokens';
import { startFixture, SECRETS, type Fixture } from './fixture';

const GPT = 'openai/gpt-4o-mini';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so tests control Host, Origin and the body exactly as an attacker would. */
function raw(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/v1/chat/completions', headers: opts.headers ?? {}, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const chatBody = (content = 'Hi', stream = false) => JSON.stringify({ model: GPT, messages: [{ role: 'user', content }], stream });

describe('local endpoint security', () => {
  let f: Fixture;

  before(async () => {
    f = await startFixture({ maxBodyBytes: 64 * 1024 });
  });
  after(() => f.close());
  beforeEach(() => f.resetSims());

  const auth = (token: string) => ({ authorization: `Bearer ${token}`, host: `127.0.0.1:${f.endpoint.port}`, 'content-type': 'application/json' });

  it('binds loopback addresses only, and a non-loopback interface refuses the connection', async () => {
    const bound = f.endpoint.addresses;
    assert.ok(bound.length >= 1);
    for (const a of bound) assert.ok(a.address === '127.0.0.1' || a.address === '::1', `bound to ${a.address}`);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (external) {
      await assert.rejects(
        new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: external.address, port: f.endpoint.port }, () => {
            s.destroy();
            resolve();
          });
          s.on('error', reject);
        }),
        (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
      );
    }
  });

  it('answers 401 to a missing or wrong token, in each SDK’s error type', async () => {
    const wrong = generateToken();
    await assert.rejects(
      new OpenAI({ baseURL: f.endpoint.openAIBaseUrl, apiKey: wrong, maxRetries: 0 }).chat.completions.create({
        model: GPT,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      OpenAI.AuthenticationError,
    );
    await assert.rejects(
      new Anthropic({ baseURL: f.endpoint.anthropicBaseUrl, apiKey: f.tokens.dev.slice(0, -1) + 'x', maxRetries: 0 }).messages.create({
        model: GPT,
        max_tokens: 5,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      (e: any) => e instanceof Anthropic.AuthenticationError && (e as any).error.error.type === 'authentication_error',
    );
    const none = await raw(f.endpoint.port, { headers: { host: `127.0.0.1:${f.endpoint.port}` }, body: chatBody() });
    assert.equal(none.status, 401);
    assert.equal(f.openai.requests.length + f.openrouter.requests.length, 0, 'nothing went upstream');
  });

  it('refuses a foreign Host header (DNS rebinding) even with a valid token', async () => {
    for (const host of ['evil.example', `evil.example:${f.endpoint.port}`, `127.0.0.1:${f.endpoint.port + 1}`]) {
      const r = await raw(f.endpoint.port, { headers: { ...auth(f.tokens.dev), host }, body: chatBody() });
      assert.equal(r.status, 403, host);
    }
    const ok = await raw(f.endpoint.port, { headers: { ...auth(f.tokens.dev), host: `localhost:${f.endpoint.port}` }, body: chatBody() });
    assert.equal(ok.status, 200);
    assert.equal(f.openai.requests.length, 1);
  });

  it('refuses a browser Origin and never sends CORS headers, preflight included', async () => {
    const r = await raw(f.endpoint.port, { headers: { ...auth(f.tokens.dev), origin: 'https://evil.example' }, body: chatBody() });
    assert.equal(r.status, 403);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const pre = await raw(f.endpoint.port, {
      method: 'OPTIONS',
      headers: { host: `127.0.0.1:${f.endpoint.port}`, origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    assert.notEqual(pre.status, 204);
    assert.ok(pre.status >= 400);
    assert.equal(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-')).length, 0);
    assert.equal(f.openai.requests.length, 0);
  });

  it('answers 413 to an oversized body without sending it upstream', async () => {
    const big = chatBody('x'.repeat(100 * 1024));
    const r = await raw(f.endpoint.port, { headers: auth(f.tokens.dev), body: big });
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).error.code, 'request_too_large');
    // Chunked, with no Content-Length to check up front.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: f.endpoint.port,
          method: 'POST',
          path: '/v1/messages',
          headers: { ...auth(f.tokens.dev), 'transfer-encoding': 'chunked' },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(16 * 1024, 'a'));
      req.end();
    });
    assert.equal(chunked, 413);
    assert.equal(f.openai.requests.length + f.anthropic.requests.length, 0);
  });

  it(`drops a client that trickles its headers (slowloris) after the header timeout`, async () => {
    const slow = await startFixture({ headersTimeoutMs: 300 });
    const port = slow.endpoint.port;
    const t0 = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
        let n = 0;
        const drip = setInterval(() => {
          if (s.destroyed || n++ > 50) return clearInterval(drip);
          s.write(`X-Drip-${n}: a\r\n`);
        }, 100);
        let got = '';
        s.on('data', (d) => (got += d.toString()));
        s.on('close', () => {
          clearInterval(drip);
          resolve(got.split('\r\n')[0] || 'closed');
        });
        s.on('error', () => undefined);
      });
    });
    const took = Date.now() - t0;
    await slow.close();
    assert.ok(took < 8000, `held for ${took} ms`);
    assert.match(outcome, /^HTTP\/1.1 408/);
  });

  it('aborts the upstream request when the client disconnects mid-stream, and records it as cancelled', async () => {
    f.openai.enqueue({ text: Array.from({ length: 50 }, (_, i) => `w${i} `), chunkDelayMs: 50 });
    const ac = new AbortController();
    const client = new OpenAI({ baseURL: f.endpoint.openAIBaseUrl, apiKey: f.tokens.dev, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: GPT, messages: [{ role: 'user', content: 'Long answer' }], stream: true },
      { signal: ac.signal },
    );
    let seen = 0;
    try {
      for await (const c of stream) {
        if (c.choices[0]?.delta.content) seen++;
        if (seen === 3) ac.abort();
      }
    } catch {
      // The SDK may end the loop quietly or throw on abort; either way the client is gone.
    }
    assert.equal(seen, 3);
    await f.recordCount(1);
    assert.equal(f.records[0]!.outcome, 'cancelled');
    for (let i = 0; i < 100 && !f.openai.requests[0]?.outcome; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(f.openai.requests[0]!.outcome, 'client-aborted');
    assert.equal(f.openrouter.requests.length, 0, 'no fallback after the caller left');
  });

  it('answers 429 with Retry-After to a caller over its concurrency limit, leaving other callers alone', async () => {
    const tight = await startFixture({ maxConcurrentPerCaller: 2 });
    try {
      tight.openai.setDefault({ delayBeforeHeadersMs: 400 });
      const dev = new OpenAI({ baseURL: tight.endpoint.openAIBaseUrl, apiKey: tight.tokens.dev, maxRetries: 0 });
      const prod = new OpenAI({ baseURL: tight.endpoint.openAIBaseUrl, apiKey: tight.tokens.prod, maxRetries: 0 });
      const ask = (c: OpenAI) => c.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Hi' }] });
      const first = [ask(dev), ask(dev)];
      await tight.openai.waitForRequests(2);
      await assert.rejects(
        ask(dev),
        (e: any) => e.status === 429 && e.headers.get('retry-after') === '1' && /caller "dev" already has 2 requests in flight/.test(e.message),
      );
      const other = await ask(prod);
      assert.ok(other.choices[0]!.message.content);
      await Promise.all(first);
    } finally {
      await tight.close();
    }
  });

  it('serves 200 concurrent streams across two callers, each with its own caller’s keys', async () => {
    const clients = {
      dev: new OpenAI({ baseURL: f.endpoint.openAIBaseUrl, apiKey: f.tokens.dev, maxRetries: 0 }),
      prod: new OpenAI({ baseURL: f.endpoint.openAIBaseUrl, apiKey: f.tokens.prod, maxRetries: 0 }),
    };
    const expected = { dev: f.openai.defaultText(SECRETS['oai-dev']), prod: f.openai.defaultText(SECRETS['oai-prod']) };
    const runs = Array.from({ length: 200 }, async (_, i) => {
      const who = i % 2 ? 'prod' : 'dev';
      const stream = await clients[who].chat.completions.create({ model: GPT, messages: [{ role: 'user', content: `n${i}` }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      return { who, text };
    });
    const results = await Promise.all(runs);
    for (const r of results) assert.equal(r.text, expected[r.who as 'dev' | 'prod']);
    assert.equal(f.openai.requests.length, 200);
    for (const q of f.openai.requests) {
      const n = Number(/^n(\d+)$/.exec((q.json as any).messages[0].content)![1]);
      assert.equal(f.openai.keyOf(q), n % 2 ? SECRETS['oai-prod'] : SECRETS['oai-dev']);
    }
    await f.recordCount(200);
    assert.equal(f.records.filter((r) => r.caller === 'prod' && r.servedBy?.keyId === 'oai-prod').length, 100);
    assert.equal(f.records.filter((r) => r.caller === 'dev' && r.servedBy?.keyId === 'oai-dev').length, 100);
  });

  it('writes no token, key or prompt text to its log', async () => {
    await raw(f.endpoint.port, { headers: auth(f.tokens.dev), body: chatBody('the secret prompt words') });
    await raw(f.endpoint.port, { headers: auth(generateToken()), body: chatBody('other prompt words') });
    assert.equal(f.logs.length, 2);
    const all = f.logs.join('\n');
    assert.match(all, /caller=dev/);
    for (const s of [f.tokens.dev, f.tokens.prod, 'brt_', 'prompt words', ...Object.values(SECRETS)]) assert.ok(!all.includes(s), `log holds ${s.slice(0, 8)}`);
  });

  it('aborts upstream requests in flight when it shuts down', async () => {
    const g = await startFixture();
    g.openai.setDefault({ neverRespond: true });
    const c = new OpenAI({ baseURL: g.endpoint.openAIBaseUrl, apiKey: g.tokens.dev, maxRetries: 0 });
    const pending = c.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Hi' }], stream: true }).then(
      () => 'answered',
      () => 'failed',
    );
    await g.openai.waitForRequests(1);
    await g.endpoint.close();
    assert.equal(await pending, 'failed');
    for (let i = 0; i < 100 && !g.openai.requests[0]?.outcome; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(g.openai.requests[0]!.outcome, 'client-aborted');
    await g.close();
  });
});
