/**
 * Contract: the Gemini wire samples in src/sim/fixtures/gemini replayed byte for byte over loopback
 * HTTP (also cut into 1-byte pieces, and with LF instead of Google's CRLF), and the exact canonical
 * chunks, completions and error kinds they become.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatChunk } from '../../../src/core/chat';
import { limitsSchema, timeoutsSchema } from '../../../src/core/config/schema';
import { isRouteFailure, type RouteError } from '../../../src/core/errors';
import { readBody, UndiciHttpClient } from '../../../src/core/http/client';
import { geminiAdapter, ThoughtSignatureCache, untilPacificMidnight } from '../../../src/core/providers/gemini';
import type { AdapterCall } from '../../../src/core/providers/types';
import { startSimServer, type SimServer } from '../../../src/sim/server';

const FIXTURES = path.join(__dirname, '../../../src/sim/fixtures/gemini');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const limits = limitsSchema.parse({});
const timeouts = timeoutsSchema.parse({});

const call = (stream: boolean, nativeModel = 'gemini-2.5-flash'): AdapterCall => ({
  provider: 'google-ai-studio',
  request: { model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] },
  nativeModel,
  secret: 'AIza-test-key-0000000000000000',
  stream,
  options: {},
});

/** What Gemini's synthesized ids are derived from: the response id and the call's index. */
const syntheticId = (responseId: string, index: number) => `call_${createHash('sha256').update(`${responseId}:${index}`).digest('base64url').slice(0, 24)}`;

function plain(chunks: ChatChunk[]) {
  return chunks.map(({ created: _, object, ...rest }) => {
    assert.equal(object, 'chat.completion.chunk');
    return rest;
  });
}

async function* pieces(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('Gemini wire contract (fixtures replayed)', () => {
  let server: SimServer;
  const http = new UndiciHttpClient();
  /** What the server answers next: status, content type and exact bytes. */
  let next: { status: number; type: string; bytes: Uint8Array } = { status: 200, type: 'text/event-stream', bytes: new Uint8Array() };

  before(async () => {
    server = await startSimServer((ex) => {
      ex.res.writeHead(next.status, { 'content-type': next.type, 'content-length': String(next.bytes.length) });
      ex.res.end(next.bytes);
    });
  });
  after(async () => {
    await server.close();
    await http.close();
  });

  async function fetchFixture(name: string, status = 200, type = 'text/event-stream') {
    next = { status, type, bytes: fixture(name) };
    const res = await http.send(
      { url: `${server.url}/v1beta/models/x:streamGenerateContent?alt=sse`, method: 'POST', headers: {}, body: '{}' },
      timeouts,
      new AbortController().signal,
    );
    return res;
  }

  async function streamed(name: string, signatures = new ThoughtSignatureCache(), transform?: (b: Buffer) => Buffer, pieceSize?: number) {
    const res = await fetchFixture(name);
    const bytes = Buffer.from(await readBody(res.body, 1 << 20), 'utf8');
    const wire = transform ? transform(bytes) : bytes;
    const source = pieceSize
      ? pieces(wire, pieceSize)
      : (async function* () {
          yield wire;
        })();
    const out: ChatChunk[] = [];
    for await (const c of geminiAdapter('google-ai-studio', { signatures }).streamChunks(source, call(true), limits)) out.push(c);
    return out;
  }

  const TEXT_ID = 'nR4kaJ3eBKiJz7IPzt2u8Ak';
  const EXPECTED_TEXT = [
    { id: TEXT_ID, model: 'gemini-2.5-flash', choices: [{ index: 0, delta: { role: 'assistant', content: 'The sky' }, finish_reason: null }] },
    { id: TEXT_ID, model: 'gemini-2.5-flash', choices: [{ index: 0, delta: { content: ' is blue because of Rayleigh' }, finish_reason: null }] },
    {
      id: TEXT_ID,
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, delta: { content: ' scattering.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 6, completion_tokens: 35, total_tokens: 41, completion_tokens_details: { reasoning_tokens: 24 } },
    },
  ];

  it('turns the CRLF-framed text stream into OpenAI chunks, usage (with thoughts) on the last', async () => {
    assert.deepEqual(plain(await streamed('stream-text.sse')), EXPECTED_TEXT);
  });

  it('reads the same stream cut into 1-byte pieces, and with LF framing', async () => {
    assert.deepEqual(plain(await streamed('stream-text.sse', undefined, undefined, 1)), EXPECTED_TEXT);
    const lf = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/\r\n/g, '\n'));
    assert.deepEqual(plain(await streamed('stream-text.sse', undefined, lf)), EXPECTED_TEXT);
  });

  it('emits a whole function call as one tool_calls delta with a synthesized, stable id, and keeps its thought signature', async () => {
    const signatures = new ThoughtSignatureCache();
    const chunks = plain(await streamed('stream-tool-call.sse', signatures));
    const id = syntheticId('sR4kaOPwHbWVz7IP3LqV6Qs', 0);
    assert.deepEqual(chunks, [
      {
        id: 'sR4kaOPwHbWVz7IP3LqV6Qs',
        model: 'gemini-3-pro-preview',
        choices: [{ index: 0, delta: { role: 'assistant', reasoning: 'Let me check.' }, finish_reason: null }],
      },
      {
        id: 'sR4kaOPwHbWVz7IP3LqV6Qs',
        model: 'gemini-3-pro-preview',
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
              reasoning_details: [{ type: 'reasoning.encrypted', data: 'EqQDCqEDAdHtim9f3Wk1Ww3mQ2PkZJv0bKZzXo6T', id, format: 'google-gemini-v1' }],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 58, completion_tokens: 81, total_tokens: 139, completion_tokens_details: { reasoning_tokens: 66 } },
      },
    ]);
    assert.equal(signatures.get(id), 'EqQDCqEDAdHtim9f3Wk1Ww3mQ2PkZJv0bKZzXo6T');
    const again = plain(await streamed('stream-tool-call.sse', new ThoughtSignatureCache()));
    assert.equal(again[1]!.choices[0]!.delta.tool_calls![0]!.id, id, 'the same answer names its call the same way');
  });

  it('delivers the text before a mid-stream error chunk, then fails with the error classified', async () => {
    const out: ChatChunk[] = [];
    await assert.rejects(
      (async () => {
        const res = await fetchFixture('stream-mid-error.sse');
        for await (const c of geminiAdapter('google-ai-studio', { signatures: new ThoughtSignatureCache() }).streamChunks(res.body, call(true), limits))
          out.push(c);
      })(),
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'server' && e.error.status === 503 && /overloaded/.test(e.error.message),
    );
    assert.deepEqual(
      out.map((c) => c.choices[0]!.delta.content),
      ['Once upon'],
    );
  });

  it('treats a stream that ends without a finishReason as cut short', async () => {
    const cut = (b: Buffer) => Buffer.from(b.toString('utf8').split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\n');
    await assert.rejects(streamed('stream-text.sse', undefined, cut), (e: unknown) => isRouteFailure(e) && e.error.kind === 'network');
  });

  it('reports an invalid JSON frame as a server error', async () => {
    const broken = (b: Buffer) => Buffer.concat([Buffer.from('data: {"candidates": [{"content": \r\n\r\n'), b]);
    await assert.rejects(
      streamed('stream-text.sse', undefined, broken),
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'server' && /malformed/.test(e.error.message),
    );
  });

  it('handles a stream answered with a bare JSON array instead of SSE: responses become chunks, an error is classified', async () => {
    const arrayOf = (b: Buffer) =>
      Buffer.from(
        `[${b
          .toString('utf8')
          .split('\r\n\r\n')
          .filter(Boolean)
          .map((e) => e.replace(/^data: /, ''))
          .join(',\r\n')}]`,
      );
    const chunks = await streamed('stream-text.sse', undefined, arrayOf);
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'The sky is blue because of Rayleigh scattering.');
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'stop');
    const asError = () => Buffer.from(`[${fixture('error-api-key-invalid.json').toString('utf8')}]`);
    await assert.rejects(streamed('stream-text.sse', undefined, asError), (e: unknown) => isRouteFailure(e) && e.error.kind === 'auth');
  });

  it('parses a non-streaming answer into a chat.completion with reasoning tokens counted as output', async () => {
    const res = await fetchFixture('generate-content-text.json', 200, 'application/json');
    const c = geminiAdapter('google-ai-studio', { signatures: new ThoughtSignatureCache() }).parseCompletion(await readBody(res.body, 1 << 20), call(false));
    assert.deepEqual(
      { ...c, created: 0 },
      {
        id: 'Zx0kaKyQJ7WVz7IPpLqV6Qs',
        object: 'chat.completion',
        created: 0,
        model: 'gemini-2.5-flash',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 8, completion_tokens: 38, total_tokens: 46, completion_tokens_details: { reasoning_tokens: 29 } },
      },
    );
  });

  it('parses parallel function calls, counts cached tokens, and keeps only the signature Gemini gave', async () => {
    const signatures = new ThoughtSignatureCache();
    const res = await fetchFixture('generate-content-tool-call.json', 200, 'application/json');
    const c = geminiAdapter('google-ai-studio', { signatures }).parseCompletion(await readBody(res.body, 1 << 20), call(false, 'gemini-3-pro-preview'));
    const [a, b] = [syntheticId('3h0kaNG-LaiJz7IPlt2u8Ak', 0), syntheticId('3h0kaNG-LaiJz7IPlt2u8Ak', 1)];
    assert.deepEqual(c.choices[0], {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: a, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } },
          { id: b, type: 'function', function: { name: 'get_time', arguments: '{"city":"Paris"}' } },
        ],
        reasoning_details: [
          {
            type: 'reasoning.encrypted',
            data: 'CiQBVKhc7uG0CAHwMDlsNl1gZKvl9qKkDP3dJmpb4mQ2xV0Nj3YKYgFUqFzuWzGT9Ff2nRSGmwuCfh1Rj8hkKYq1',
            id: a,
            format: 'google-gemini-v1',
          },
        ],
      },
      finish_reason: 'tool_calls',
    });
    assert.deepEqual(c.usage, {
      prompt_tokens: 71,
      completion_tokens: 122,
      total_tokens: 193,
      prompt_tokens_details: { cached_tokens: 32 },
      completion_tokens_details: { reasoning_tokens: 88 },
    });
    assert.equal(signatures.get(a), 'CiQBVKhc7uG0CAHwMDlsNl1gZKvl9qKkDP3dJmpb4mQ2xV0Nj3YKYgFUqFzuWzGT9Ff2nRSGmwuCfh1Rj8hkKYq1');
    assert.equal(signatures.get(b), undefined);
  });

  it('answers a blocked prompt with an empty content_filter completion', async () => {
    const res = await fetchFixture('generate-content-blocked.json', 200, 'application/json');
    const c = geminiAdapter('google-ai-studio', { signatures: new ThoughtSignatureCache() }).parseCompletion(await readBody(res.body, 1 << 20), call(false));
    assert.deepEqual(c.choices[0], { index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' });
    assert.deepEqual(c.usage, { prompt_tokens: 12, completion_tokens: 0, total_tokens: 12 });
  });

  describe('errors, as Google sends them', () => {
    // 2026-11-23 12:00 UTC is 04:00 in Los Angeles (PST): 20 h before Google's daily reset.
    const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
    const cases: { file: string; status: number; kind: RouteError['kind']; code?: string; retryAfterMs?: number; words: RegExp }[] = [
      { file: 'error-api-key-invalid.json', status: 400, kind: 'auth', code: 'API_KEY_INVALID', words: /API key not valid/ },
      { file: 'error-permission-denied.json', status: 403, kind: 'auth', code: 'PERMISSION_DENIED', words: /unregistered callers/ },
      { file: 'error-location-unsupported.json', status: 400, kind: 'auth', code: 'FAILED_PRECONDITION', words: /location is not supported/ },
      {
        file: 'error-rate-limit-per-minute.json',
        status: 429,
        kind: 'rate_limited',
        code: 'RESOURCE_EXHAUSTED',
        retryAfterMs: 37_000,
        words: /exceeded your current quota/,
      },
      {
        file: 'error-rate-limit-per-day.json',
        status: 429,
        kind: 'rate_limited',
        code: 'RESOURCE_EXHAUSTED',
        retryAfterMs: 20 * 3_600_000,
        words: /exceeded your current quota/,
      },
      { file: 'error-internal.json', status: 500, kind: 'server', code: 'INTERNAL', words: /internal error/ },
      { file: 'error-unavailable.json', status: 503, kind: 'server', code: 'UNAVAILABLE', words: /overloaded/ },
      { file: 'error-vertex-unauthenticated.json', status: 401, kind: 'auth', code: 'ACCESS_TOKEN_EXPIRED', words: /invalid authentication credentials/ },
      { file: 'error-vertex-resource-exhausted.json', status: 429, kind: 'rate_limited', code: 'RESOURCE_EXHAUSTED', words: /Resource exhausted/ },
    ];
    for (const t of cases) {
      it(`classifies ${t.file} (HTTP ${t.status}) as ${t.kind}${t.retryAfterMs ? ` with a ${t.retryAfterMs / 1000} s wait` : ''}`, async () => {
        const res = await fetchFixture(t.file, t.status, 'application/json; charset=UTF-8');
        const text = await readBody(res.body, 1 << 20);
        const e = geminiAdapter('google-ai-studio', { signatures: new ThoughtSignatureCache() }).classifyError(res.status, res.headers, text, NOW);
        assert.equal(e.kind, t.kind);
        assert.equal(e.status, t.status);
        assert.equal(e.code, t.code);
        assert.equal(e.retryAfterMs, t.retryAfterMs);
        assert.match(e.message, t.words);
        assert.match(e.message, /^google-ai-studio: HTTP \d{3} /);
        // Streams wrap the same body in an array.
        const wrapped = geminiAdapter('google-ai-studio', { signatures: new ThoughtSignatureCache() }).classifyError(res.status, {}, `[${text}]`, NOW);
        assert.equal(wrapped.kind, t.kind);
      });
    }

    it('counts the per-day wait to midnight in Los Angeles across daylight saving time', () => {
      // 2026-07-01 12:00 UTC is 05:00 PDT: 19 h left.
      assert.equal(untilPacificMidnight(Date.UTC(2026, 6, 1, 12, 0, 0)), 19 * 3_600_000);
      assert.equal(untilPacificMidnight(NOW), 20 * 3_600_000);
    });

    it('classifies an HTML error page by its status alone', () => {
      const e = geminiAdapter('google-ai-studio', { signatures: new ThoughtSignatureCache() }).classifyError(
        502,
        {},
        '<html><body>Bad Gateway</body></html>',
        NOW,
      );
      assert.equal(e.kind, 'server');
      assert.match(e.message, /HTML error page/);
    });
  });
});
