/** Google AI Studio through the Router, against the Gemini simulator over loopback HTTP. */
import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatChunk, ChatMessage, ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { timeoutsSchema } from '../../../src/core/config/schema';
import type { ErrorKind } from '../../../src/core/errors';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { MapSecretSource } from '../../../src/core/ports';
import { SKIP_SIGNATURE } from '../../../src/core/providers/gemini/request';
import { validateKey } from '../../../src/core/providers/validate';
import { Router } from '../../../src/core/routing/router';
import { geminiErrors, startGeminiSim, type GeminiScript, type GeminiSim } from '../../../src/sim/gemini';
import type { Script } from '../../../src/sim/server';

const FLASH = 'google/gemini-2.5-flash';
const PRO3 = 'google/gemini-3-pro-preview';
const KEY1 = 'AIzaSyA-first-key-000000000000000000001';
const KEY2 = 'AIzaSyB-second-key-00000000000000000002';
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

describe('Google AI Studio (Gemini) through the router', () => {
  let sim: GeminiSim;
  let routers: Router[] = [];
  const http = new UndiciHttpClient();

  before(async () => {
    sim = await startGeminiSim({ validKeys: [KEY1, KEY2] });
  });
  after(async () => {
    await sim.close();
    await http.close();
  });
  beforeEach(() => {
    sim.requests.length = 0;
    sim.setDefault({});
  });
  afterEach(async () => {
    assert.equal(sim.queued(), 0, 'every queued script was used');
    assert.deepEqual(sim.handlerErrors, []);
    await Promise.all(routers.map((r) => r.close()));
    routers = [];
  });

  function router(opts: { keys?: number; timeouts?: Record<string, number>; secrets?: [string, string][] } = {}) {
    const keys = [
      { id: 'g1', provider: 'google-ai-studio', name: 'studio-main', tier: 'prioritized', options: { baseUrl: sim.baseUrl } },
      { id: 'g2', provider: 'google-ai-studio', name: 'studio-backup', tier: 'prioritized', options: { baseUrl: sim.baseUrl } },
    ].slice(0, opts.keys ?? 1);
    const { config, diagnostics } = parseConfig({ keys, pooled: { enabled: false }, timeouts: opts.timeouts });
    assert.deepEqual(diagnostics, []);
    const r = new Router({
      config,
      catalog: bundledCatalog(),
      secrets: new MapSecretSource(
        new Map(
          opts.secrets ?? [
            ['g1', KEY1],
            ['g2', KEY2],
          ],
        ),
      ),
    });
    routers.push(r);
    return r;
  }

  it('sends the key in x-goog-api-key to models/{m}:generateContent and returns a priced completion', async () => {
    const o = await router().generate({
      model: FLASH,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.equal(o.response.choices[0]!.message.content, sim.defaultText(KEY1));
    assert.equal(o.response.choices[0]!.finish_reason, 'stop');
    assert.equal(o.response.model, FLASH);
    const sent = sim.requests[0]!;
    assert.equal(sent.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(sent.headers['x-goog-api-key'], KEY1);
    assert.equal(sent.query.key, undefined, 'the key never goes into the URL');
    assert.deepEqual(sent.json, {
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 50 },
    });
    assert.ok(o.response.usage!.prompt_tokens > 0 && o.response.usage!.completion_tokens > 0);
    assert.ok(o.record.attempts[0]!.cost! > 0, 'priced from the catalog offer');
  });

  it('streams over alt=sse with CRLF framing, delivering each delta and usage at the end', async () => {
    sim.enqueue({
      text: 'One two three',
      reasoning: 'Counting.',
      usage: { prompt_tokens: 11, completion_tokens: 3, thoughtsTokenCount: 4, cachedContentTokenCount: 2 },
    });
    const chunks: ChatChunk[] = [];
    const o = await router().generate({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'Count' }] }, { onChunk: (c) => chunks.push(c) });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    const sent = sim.requests[0]!;
    assert.equal(sent.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    assert.equal(sent.query.alt, 'sse');
    assert.deepEqual(chunks.map((c) => c.choices[0]?.delta.content).filter(Boolean), ['One', ' two', ' three']);
    assert.equal(o.response.choices[0]!.message.reasoning, 'Counting.');
    assert.equal(o.response.choices[0]!.message.content, 'One two three');
    assert.deepEqual(o.response.usage, {
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
      prompt_tokens_details: { cached_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 4 },
    });
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'stop');
  });

  for (const stream of [true, false]) {
    it(`runs a ${stream ? 'streamed' : 'non-streamed'} tool loop: results go back as functionResponse parts named after their calls`, async () => {
      const r = router();
      const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Oslo and Bergen?' }];
      sim.enqueue({
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Oslo' } },
          { name: 'get_weather', arguments: { city: 'Bergen' } },
        ],
      });
      const first = await r.generate({ model: FLASH, stream, messages, tools: [weather], tool_choice: 'auto' });
      assert.ok(first.ok, !first.ok ? first.error.message : '');
      const reply = first.response.choices[0]!;
      assert.equal(reply.finish_reason, 'tool_calls');
      const calls = reply.message.tool_calls!;
      assert.deepEqual(
        calls.map((t) => [t.function.name, JSON.parse(t.function.arguments)]),
        [
          ['get_weather', { city: 'Oslo' }],
          ['get_weather', { city: 'Bergen' }],
        ],
      );
      assert.equal(new Set(calls.map((t) => t.id)).size, 2, 'Gemini sent no ids; each call got its own');
      const declared = (sim.requests[0]!.json as any).tools[0].functionDeclarations[0];
      assert.deepEqual(declared.parameters, { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });

      messages.push({ role: 'assistant', content: reply.message.content, tool_calls: calls });
      messages.push({ role: 'tool', tool_call_id: calls[1]!.id, content: '{"temp":5}' }, { role: 'tool', tool_call_id: calls[0]!.id, content: '3°C' });
      sim.enqueue({ text: 'Oslo 3°C, Bergen 5°C.' });
      const second = await r.generate({ model: FLASH, stream, messages, tools: [weather] });
      assert.ok(second.ok, !second.ok ? second.error.message : '');
      assert.equal(second.response.choices[0]!.message.content, 'Oslo 3°C, Bergen 5°C.');
      const contents = (sim.requests[1]!.json as any).contents;
      assert.deepEqual(
        contents.map((c: any) => c.role),
        ['user', 'model', 'user'],
      );
      assert.deepEqual(contents[2].parts, [
        { functionResponse: { name: 'get_weather', response: { output: { temp: 5 } } } },
        { functionResponse: { name: 'get_weather', response: { output: '3°C' } } },
      ]);
    });
  }

  it('replays the thought signature Gemini 3 gave a call on the next turn, which the API insists on', async () => {
    const r = router();
    const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Oslo?' }];
    sim.enqueue({ reasoning: 'I should call the tool.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const first = await r.generate({ model: PRO3, stream: true, messages, tools: [weather] });
    assert.ok(first.ok, !first.ok ? first.error.message : '');
    const call = first.response.choices[0]!.message.tool_calls![0]!;
    const [issued] = [...sim.issuedSignatures.keys()];
    assert.ok(issued, 'the simulator signed the call');

    messages.push({ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny' });
    sim.enqueue({ text: 'Sunny in Oslo.' });
    const second = await r.generate({ model: PRO3, stream: true, messages, tools: [weather] });
    assert.ok(second.ok, !second.ok ? second.error.message : '');
    assert.equal((sim.requests[1]!.json as any).contents[1].parts[0].thoughtSignature, issued);
  });

  it("falls back to Google's skip value when the signature was lost, and the API takes it", async () => {
    const r = router();
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'toolu_from_claude', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_from_claude', content: 'sunny' },
    ];
    const o = await r.generate({ model: PRO3, messages, tools: [weather] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.equal((sim.requests[0]!.json as any).contents[1].parts[0].thoughtSignature, SKIP_SIGNATURE);
  });

  it('is refused by the simulator, as by Gemini 3, when a signed call comes back without its signature', async () => {
    const res = await fetch(`${sim.baseUrl}/models/gemini-3-pro-preview:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY1, 'content-type': 'application/json' },
      body: JSON.stringify({
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'sunny' } } }] },
        ],
      }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /missing a thought_signature/);
  });

  it('is as strict as Google about JSON-schema keywords and unmatched function responses, so passing tests mean something', async () => {
    const post = (body: unknown) =>
      fetch(`${sim.baseUrl}/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY1, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const schema = await post({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } } }] }],
    });
    assert.equal(schema.status, 400);
    assert.match(await schema.text(), /Unknown name \\"additionalProperties\\" at 'tools\[0\]\.function_declarations\[0\]\.parameters'/);
    const unmatched = await post({
      contents: [
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }, { functionCall: { name: 'g', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 1 } } }] },
      ],
    });
    assert.equal(unmatched.status, 400);
    assert.match(await unmatched.text(), /number of function response parts is equal to the number of function call parts/);
  });

  describe('failures, each classified and routed', () => {
    const two = () => router({ keys: 2 });
    const cases: {
      title: string;
      script: Script | GeminiScript;
      kind: ErrorKind;
      status?: number;
      retryAfterMs?: (v: number | undefined) => boolean;
      falls: boolean;
      stream?: boolean;
    }[] = [
      {
        title: '429 with RetryInfo waits the advised 37 s, then the next key serves',
        script: geminiErrors.rateLimited(),
        kind: 'rate_limited',
        status: 429,
        retryAfterMs: (v) => v === 37_000,
        falls: true,
      },
      {
        title: "429 on a per-day quota waits until Google's midnight",
        script: geminiErrors.rateLimited({ perDay: true }),
        kind: 'rate_limited',
        status: 429,
        retryAfterMs: (v) => v! > 60_000 && v! <= 24 * 3_600_000,
        falls: true,
      },
      { title: '403 PERMISSION_DENIED is an auth failure', script: geminiErrors.permissionDenied(), kind: 'auth', status: 403, falls: true },
      {
        title: "400 FAILED_PRECONDITION (location) is this key's problem, not the request's",
        script: geminiErrors.locationUnsupported(),
        kind: 'auth',
        status: 400,
        falls: true,
      },
      { title: '500 INTERNAL is a server error', script: geminiErrors.internal(), kind: 'server', status: 500, falls: true },
      { title: '503 UNAVAILABLE is a server error', script: geminiErrors.unavailable(), kind: 'server', status: 503, falls: true },
      { title: 'a reset before headers is a network error', script: { resetBeforeHeaders: true }, kind: 'network', falls: true },
      { title: 'a malformed first frame is a server error before any output', script: { malformedAfterChunks: 0 }, kind: 'server', falls: true, stream: true },
      {
        title: 'an error chunk before any output is classified from its code',
        script: { midStreamError: { afterChunks: 0, code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' } },
        kind: 'rate_limited',
        falls: true,
        stream: true,
      },
      { title: 'a stream reset before any output is a network error', script: { resetAfterChunks: 0 }, kind: 'network', falls: true, stream: true },
      { title: 'a truncated JSON answer is a server error', script: { truncateBody: true }, kind: 'server', falls: true },
      { title: 'an unknown model is a bad request that ends the plan', script: {}, kind: 'bad_request', status: 404, falls: false },
    ];
    for (const t of cases) {
      it(t.title, async () => {
        if (t.kind === 'bad_request') sim.models = sim.models.filter((m) => m !== 'gemini-2.5-flash');
        else sim.enqueue(t.script as Script);
        try {
          const o = await two().generate({ model: FLASH, stream: t.stream, messages: [{ role: 'user', content: 'hi' }] });
          const a = o.record.attempts[0]!;
          assert.equal(a.errorKind, t.kind, a.message);
          if (t.status) assert.equal(a.status, t.status);
          if (t.retryAfterMs) assert.ok(t.retryAfterMs(a.retryAfterMs), `retryAfterMs ${a.retryAfterMs}`);
          assert.equal(o.ok, t.falls, o.ok ? '' : o.error.message);
          assert.equal(o.record.attempts.length, t.falls ? 2 : 1);
          if (t.falls) assert.equal(sim.keyOf(sim.requests[1]!), KEY2);
          assert.ok(!JSON.stringify(o.record).includes(KEY1), 'the key never appears in the record');
        } finally {
          sim.models = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro-preview'];
        }
      });
    }

    it('an invalid key answers 400 API_KEY_INVALID, classified auth, and the next key serves', async () => {
      const o = await router({
        keys: 2,
        secrets: [
          ['g1', 'AIzaSy-revoked-000000000000000000000'],
          ['g2', KEY2],
        ],
      }).generate({ model: FLASH, messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      const a = o.record.attempts[0]!;
      assert.equal(a.status, 400);
      assert.equal(a.errorKind, 'auth');
      assert.match(a.message!, /API_KEY_INVALID: API key not valid/);
      assert.ok(!a.message!.includes('revoked'), 'the key is not quoted');
    });

    it('a stall before the first byte is a timeout', async () => {
      sim.enqueue({ neverRespond: true });
      const o = await router({ keys: 2, timeouts: { firstByteMs: 300 } }).generate({ model: FLASH, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(o.record.attempts[0]!.errorKind, 'timeout');
      assert.ok(o.ok);
    });

    it('a stream that stalls after output has started fails without fallback and says so', async () => {
      sim.enqueue({ text: 'Partial answer here', stallAfterChunks: 1 });
      const seen: string[] = [];
      const o = await router({ keys: 2, timeouts: { idleMs: 300 } }).generate(
        { model: FLASH, stream: true, messages: [{ role: 'user', content: 'hi' }] },
        { onChunk: (c) => c.choices[0]?.delta.content && seen.push(c.choices[0].delta.content) },
      );
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'timeout');
      assert.match(o.error.message, /after output had started/);
      assert.deepEqual(seen, ['Partial']);
      assert.equal(o.record.attempts.length, 1);
    });

    it('an error chunk after output has started ends the generation with what was delivered', async () => {
      sim.enqueue({ text: 'Once upon a time', midStreamError: { afterChunks: 2, code: 500 } });
      const o = await router({ keys: 2 }).generate({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { onChunk: () => undefined });
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'server');
      assert.match(o.error.message, /after output had started/);
    });
  });

  it('reports a blocked prompt as a content_filter finish, not an error', async () => {
    sim.enqueue({ blockReason: 'PROHIBITED_CONTENT' } as GeminiScript);
    const o = await router().generate({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.equal(o.response.choices[0]!.finish_reason, 'content_filter');
  });

  it('maps MAX_TOKENS and SAFETY finish reasons', async () => {
    const r = router();
    sim.enqueue({ text: 'cut', finishReason: 'MAX_TOKENS' }, { text: 'no', finishReason: 'SAFETY' });
    const a = await r.generate({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const b = await r.generate({ model: FLASH, messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(a.ok && b.ok);
    assert.equal(a.response.choices[0]!.finish_reason, 'length');
    assert.equal(b.response.choices[0]!.finish_reason, 'content_filter');
  });

  it('checks a key with a free GET /v1beta/models: a good key is ok, a bad one is auth', async () => {
    const deps = { http, timeouts: timeoutsSchema.parse({}) };
    const good = await validateKey({ provider: 'google-ai-studio', options: { baseUrl: sim.baseUrl }, name: 'studio-main' }, KEY1, deps);
    assert.equal(good.verdict, 'ok', good.message);
    assert.equal(sim.requests.at(-1)!.method, 'GET');
    assert.equal(sim.requests.at(-1)!.path, '/v1beta/models');
    const bad = await validateKey(
      { provider: 'google-ai-studio', options: { baseUrl: sim.baseUrl }, name: 'studio-main' },
      'AIzaSy-not-a-real-key-00000000000000',
      deps,
    );
    assert.equal(bad.verdict, 'auth', bad.message);
    assert.equal(bad.status, 400);
  });

  it('does not send a request Google would refuse for JSON-schema keywords: the simulator proves the translation', async () => {
    const o = await router().generate({
      model: FLASH,
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'search',
            parameters: {
              type: 'object',
              properties: {
                q: { type: 'string', minLength: 1 },
                filters: { type: 'object', additionalProperties: { type: 'string' }, properties: { lang: { type: 'string' } } },
              },
              required: ['q'],
            },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'search' } },
    } as ChatRequest);
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.deepEqual((sim.requests[0]!.json as any).toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] } });
  });
});
