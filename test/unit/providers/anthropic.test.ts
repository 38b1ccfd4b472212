import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatChunk, ChatMessage, ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { limitsSchema, timeoutsSchema } from '../../../src/core/config/schema';
import { isRouteFailure, type RouteError } from '../../../src/core/errors';
import { readBody, transportError, UndiciHttpClient } from '../../../src/core/http/client';
import { MapSecretSource } from '../../../src/core/ports';
import { anthropicAdapter, anthropicVertexAdapter } from '../../../src/core/providers/anthropic';
import { vertexClaudeUrl } from '../../../src/core/providers/vertex/urls';
import { ThinkingCache } from '../../../src/core/providers/anthropic/thinking-cache';
import type { AdapterCall, ProviderAdapter } from '../../../src/core/providers/types';
import { validateKey } from '../../../src/core/providers/validate';
import { Router } from '../../../src/core/routing/router';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';
import type { Script } from '../../../src/sim/server';

const MODEL = 'anthropic/claude-sonnet-4.5';
const KEY = 'sk-ant-api03-secret-value-0001';
const KEY2 = 'sk-ant-api03-secret-value-0002';
const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('Claude (Anthropic Messages) adapter', () => {
  let sim: AnthropicSim;
  let routers: Router[] = [];
  const http = new UndiciHttpClient();

  before(async () => {
    sim = await startAnthropicSim({ validKeys: [KEY, KEY2], validTokens: ['ya29.sim-token'] });
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

  function router(opts: { keys?: number; timeouts?: Record<string, number> } = {}) {
    const keys = [
      { id: 'a1', provider: 'anthropic', name: 'prod-main', tier: 'prioritized', options: { baseUrl: sim.url } },
      { id: 'a2', provider: 'anthropic', name: 'prod-backup', tier: 'prioritized', options: { baseUrl: sim.url } },
    ].slice(0, opts.keys ?? 1);
    const { config, diagnostics } = parseConfig({ keys, pooled: { enabled: false }, timeouts: opts.timeouts });
    assert.deepEqual(diagnostics, []);
    const r = new Router({
      config,
      catalog: bundledCatalog(),
      secrets: new MapSecretSource(
        new Map([
          ['a1', KEY],
          ['a2', KEY2],
        ]),
      ),
    });
    routers.push(r);
    return r;
  }

  describe('through the router', () => {
    it('sends x-api-key, anthropic-version and a body with the native model and max_tokens from the catalog', async () => {
      const o = await router().generate({
        model: MODEL,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      });
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      assert.equal(o.response.choices[0]!.message.content, 'Hello from the Claude simulator.');
      assert.equal(o.response.choices[0]!.finish_reason, 'stop');
      assert.ok(o.response.usage!.prompt_tokens > 0 && o.response.usage!.completion_tokens > 0);
      const sent = sim.requests[0]!;
      assert.equal(sent.path, '/v1/messages');
      assert.equal(sent.headers['x-api-key'], KEY);
      assert.equal(sent.headers['anthropic-version'], '2023-06-01');
      assert.equal(sent.headers.authorization, undefined);
      const body = sent.json as Record<string, any>;
      assert.equal(body.model, 'claude-sonnet-4-5');
      assert.equal(body.max_tokens, 64_000);
      assert.equal(body.system, 'Be brief.');
      assert.equal(o.record.attempts[0]!.cost! > 0, true, 'priced from the catalog offer');
    });

    it('streams text to the caller and ends with the usage of message_delta', async () => {
      sim.enqueue({ text: 'One two three', usage: { prompt_tokens: 11, completion_tokens: 3, cache_read_input_tokens: 5 } });
      const chunks: ChatChunk[] = [];
      const o = await router().generate({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Count' }] }, { onChunk: (c) => chunks.push(c) });
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      assert.deepEqual(chunks.map((c) => c.choices[0]!.delta.content).filter(Boolean), ['One', ' two', ' three']);
      const last = chunks[chunks.length - 1]!;
      assert.equal(last.choices[0]!.finish_reason, 'stop');
      assert.deepEqual(last.usage, {
        prompt_tokens: 16,
        completion_tokens: 3,
        total_tokens: 19,
        prompt_tokens_details: { cached_tokens: 5, cache_write_tokens: 0 },
      });
      assert.equal(o.response.choices[0]!.message.content, 'One two three');
      assert.equal(sim.requests[0]!.headers.accept, 'text/event-stream');
      assert.equal((sim.requests[0]!.json as any).stream, true);
    });

    for (const stream of [true, false]) {
      it(`runs a ${stream ? 'streamed' : 'non-streamed'} tool call round trip the API accepts`, async () => {
        const r = router();
        const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Oslo and Bergen?' }];
        sim.enqueue({
          text: 'Checking.',
          toolCalls: [
            { name: 'get_weather', arguments: { city: 'Oslo' } },
            { name: 'get_weather', arguments: { city: 'Bergen' } },
          ],
        });
        const first = await r.generate({ model: MODEL, stream, messages, tools: [weather] });
        assert.ok(first.ok, !first.ok ? first.error.message : '');
        const reply = first.response.choices[0]!;
        assert.equal(reply.finish_reason, 'tool_calls');
        assert.deepEqual(
          reply.message.tool_calls!.map((t) => [t.function.name, JSON.parse(t.function.arguments)]),
          [
            ['get_weather', { city: 'Oslo' }],
            ['get_weather', { city: 'Bergen' }],
          ],
        );
        messages.push({ role: 'assistant', content: reply.message.content, tool_calls: reply.message.tool_calls });
        for (const t of reply.message.tool_calls!) messages.push({ role: 'tool', tool_call_id: t.id, content: t.id.endsWith('1') ? '3°C' : '5°C' });

        sim.enqueue({ text: 'Oslo 3°C, Bergen 5°C.' });
        const second = await r.generate({ model: MODEL, stream, messages, tools: [weather] });
        assert.ok(second.ok, !second.ok ? second.error.message : '');
        assert.equal(second.response.choices[0]!.message.content, 'Oslo 3°C, Bergen 5°C.');
        const sent = (sim.requests[1]!.json as any).messages;
        assert.deepEqual(
          sent.map((m: any) => m.role),
          ['user', 'assistant', 'user'],
        );
        assert.deepEqual(
          sent[2].content.map((b: any) => [b.type, b.tool_use_id]),
          reply.message.tool_calls!.map((t) => ['tool_result', t.id]),
        );
      });
    }

    it('replays signed thinking from the side cache on the next turn of the tool loop', async () => {
      const r = router();
      const ask = (messages: ChatMessage[]): ChatRequest =>
        ({ model: MODEL, stream: true, messages, tools: [weather], max_tokens: 4000, reasoning_effort: 'medium' }) as ChatRequest;
      const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Oslo?' }];
      sim.enqueue({ reasoning: 'I should look it up.', toolCalls: [{ id: 'toolu_think_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const first = await r.generate(ask(messages));
      assert.ok(first.ok, !first.ok ? first.error.message : '');
      assert.equal(first.response.choices[0]!.message.reasoning, 'I should look it up.');
      messages.push({ role: 'assistant', content: null, tool_calls: first.response.choices[0]!.message.tool_calls });
      messages.push({ role: 'tool', tool_call_id: 'toolu_think_1', content: '3°C' });

      sim.enqueue({ text: 'It is 3°C.' });
      const second = await r.generate(ask(messages));
      assert.ok(second.ok, !second.ok ? second.error.message : '');
      const assistant = (sim.requests[1]!.json as any).messages[1];
      assert.deepEqual(assistant.content[0], { type: 'thinking', thinking: 'I should look it up.', signature: sim.signature('I should look it up.') });

      // Without the cache the same turn is refused, which is why the cache exists.
      r.adapters.state.thinking.clear();
      const third = await r.generate(ask(messages));
      assert.equal(third.ok, false);
      assert.equal(!third.ok && third.error.kind, 'bad_request');
      assert.match(!third.ok ? third.error.message : '', /Expected `thinking` or `redacted_thinking`/);
    });

    it("keeps one router's signed thinking from another router in the same process", async () => {
      const a = router();
      const b = router();
      const ask = (messages: ChatMessage[]): ChatRequest =>
        ({ model: MODEL, stream: true, messages, tools: [weather], max_tokens: 4000, reasoning_effort: 'medium' }) as ChatRequest;
      const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Oslo?' }];
      sim.enqueue({ reasoning: 'I should look it up.', toolCalls: [{ id: 'toolu_apart_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const first = await a.generate(ask(messages));
      assert.ok(first.ok, !first.ok ? first.error.message : '');
      messages.push({ role: 'assistant', content: null, tool_calls: first.response.choices[0]!.message.tool_calls });
      messages.push({ role: 'tool', tool_call_id: 'toolu_apart_1', content: '3°C' });

      assert.ok(a.adapters.state.thinking.size > 0, 'the first router kept the signed thinking');
      assert.equal(b.adapters.state.thinking.size, 0, 'the second router holds nothing of it');
      const other = await b.generate(ask(messages));
      assert.equal(other.ok, false, 'the second router cannot replay thinking it never saw');
      assert.match(!other.ok ? other.error.message : '', /Expected `thinking` or `redacted_thinking`/);

      sim.enqueue({ text: 'It is 3°C.' });
      const same = await a.generate(ask(messages));
      assert.ok(same.ok, !same.ok ? same.error.message : '');
    });

    it('falls back to the next key on 529 overloaded and cools the first one down', async () => {
      sim.enqueue(sim.errors.overloaded(4), {});
      const r = router({ keys: 2 });
      const o = await r.generate({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      assert.deepEqual(
        o.record.attempts.map((a) => [a.keyName, a.status, a.errorKind]),
        [
          ['prod-main', 529, 'rate_limited'],
          ['prod-backup', 200, undefined],
        ],
      );
      assert.equal(o.record.attempts[0]!.retryAfterMs, 4000);
      assert.deepEqual(
        sim.requests.map((q) => q.headers['x-api-key']),
        [KEY, KEY2],
      );
      const plan = await r.explain(MODEL);
      assert.ok(plan.routes[0]!.skip, 'the overloaded key is skipped until its Retry-After');
    });

    it('falls back when the stream fails before any content, but not after', async () => {
      sim.enqueue({ midStreamError: { afterChunks: 1, errorType: 'overloaded_error' } }, { text: 'Recovered' });
      const early = await router({ keys: 2 }).generate({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Hi' }] }, { onChunk: () => {} });
      assert.ok(early.ok, !early.ok ? early.error.message : '');
      assert.equal(early.response.choices[0]!.message.content, 'Recovered');

      sim.enqueue({ text: 'Half an answer', midStreamError: { afterChunks: 4, errorType: 'api_error', message: 'Internal server error' } });
      const late = await router({ keys: 2 }).generate({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Hi' }] }, { onChunk: () => {} });
      assert.equal(late.ok, false);
      assert.equal(!late.ok && late.error.kind, 'server');
      assert.match(!late.ok ? late.error.message : '', /after output had started.*api_error/);
      assert.equal(late.record.attempts.length, 1);
    });

    it('times out a stalled stream and keeps the key out of error messages', async () => {
      sim.enqueue({ stallAfterChunks: 2 });
      const o = await router({ timeouts: { idleMs: 200 } }).generate({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(o.ok, false);
      assert.equal(!o.ok && o.error.kind, 'timeout');
      assert.doesNotMatch(JSON.stringify(o.record), new RegExp(KEY));
    });

    it('names a wrong key as an auth failure without echoing it', async () => {
      const { config } = parseConfig({
        keys: [{ id: 'bad', provider: 'anthropic', name: 'typo', tier: 'prioritized', options: { baseUrl: sim.url } }],
        pooled: { enabled: false },
      });
      const r = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['bad', 'sk-ant-wrong-9999']])) });
      routers.push(r);
      const o = await r.generate({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(o.ok, false);
      assert.equal(!o.ok && o.error.kind, 'auth');
      assert.match(!o.ok ? o.error.message : '', /401 authentication_error: invalid x-api-key/);
      assert.doesNotMatch(JSON.stringify(o), /sk-ant-wrong-9999/);
    });
  });

  describe('error classification', () => {
    const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
    const adapter = anthropicAdapter('anthropic', { thinking: new ThinkingCache() });
    const base: AdapterCall = {
      provider: 'anthropic',
      request: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
      nativeModel: 'claude-sonnet-4-5',
      secret: KEY,
      stream: false,
      options: {},
    };

    async function classify(script: Script): Promise<RouteError> {
      sim.enqueue(script);
      const res = await http.send(
        await adapter.buildRequest({ ...base, options: { baseUrl: sim.url } }),
        timeoutsSchema.parse({}),
        new AbortController().signal,
      );
      const text = await readBody(res.body, 1 << 20);
      assert.ok(res.status >= 400, `expected an error status, got ${res.status}`);
      return adapter.classifyError(res.status, res.headers, text, NOW);
    }

    const cases: [string, () => Script, Partial<RouteError>][] = [
      ['529 overloaded_error is rate_limited', () => sim.errors.overloaded(), { kind: 'rate_limited', status: 529, code: 'overloaded_error' }],
      ['529 with retry-after keeps the wait', () => sim.errors.overloaded(3), { kind: 'rate_limited', retryAfterMs: 3000 }],
      [
        '429 with retry-after waits that long',
        () => sim.errors.rateLimited({ retryAfterSeconds: 12, resetAt: new Date(NOW + 60_000) }),
        { kind: 'rate_limited', status: 429, code: 'rate_limit_error', retryAfterMs: 12_000 },
      ],
      [
        '429 without retry-after waits for the exhausted limit to reset',
        () => sim.errors.rateLimited({ resetAt: new Date(NOW + 20_000), exhausted: 'output-tokens' }),
        { kind: 'rate_limited', retryAfterMs: 20_000 },
      ],
      [
        '429 enforced_spend_limit_reached is a long wait',
        () => sim.errors.spendLimit(),
        { kind: 'rate_limited', code: 'enforced_spend_limit_reached', retryAfterMs: Number.POSITIVE_INFINITY },
      ],
      [
        '400 credit balance too low is a long wait, not a bad request',
        () => sim.errors.creditTooLow(),
        { kind: 'rate_limited', status: 400, code: 'credit_balance_too_low', retryAfterMs: Number.POSITIVE_INFINITY },
      ],
      ['401 authentication_error is auth', () => sim.errors.unauthorized(), { kind: 'auth', status: 401, code: 'authentication_error' }],
      ['403 permission_error is auth', () => sim.errors.permissionDenied(), { kind: 'auth', status: 403, code: 'permission_error' }],
      [
        '400 invalid_request_error is bad_request',
        () => sim.errors.invalidRequest('messages: text content blocks must be non-empty'),
        { kind: 'bad_request', status: 400, code: 'invalid_request_error' },
      ],
      ['404 not_found_error is bad_request', () => sim.errors.notFound(), { kind: 'bad_request', status: 404, code: 'not_found_error' }],
      ['413 request_too_large is bad_request', () => sim.errors.tooLarge(), { kind: 'bad_request', status: 413, code: 'request_too_large' }],
      ['500 api_error is server', () => sim.errors.serverError(), { kind: 'server', status: 500, code: 'api_error' }],
      ['504 timeout_error is server', () => sim.errors.timeout(), { kind: 'server', status: 504, code: 'timeout_error' }],
      ['an HTML gateway page is server', () => ({ status: 502, errorBody: '<html><body>Bad Gateway</body></html>' }), { kind: 'server', status: 502 }],
    ];
    for (const [name, script, expected] of cases) {
      it(name, async () => {
        const e = await classify(script());
        for (const [k, v] of Object.entries(expected)) assert.deepEqual(e[k as keyof RouteError], v, `${k} in ${JSON.stringify(e)}`);
        assert.match(e.message, /^anthropic: HTTP \d{3}/);
        assert.doesNotMatch(e.message, new RegExp(KEY));
      });
    }

    const streamCases: [string, Record<string, unknown>, RouteError['kind']][] = [
      ['overloaded_error', { errorType: 'overloaded_error' }, 'rate_limited'],
      ['rate_limit_error', { errorType: 'rate_limit_error' }, 'rate_limited'],
      ['api_error', { errorType: 'api_error', message: 'Internal server error' }, 'server'],
      ['invalid_request_error', { errorType: 'invalid_request_error', message: 'prompt is too long' }, 'bad_request'],
    ];
    for (const [type, detail, kind] of streamCases) {
      it(`an event: error of ${type} mid-stream is ${kind}`, async () => {
        const e = await streamFailure({ text: 'Some words here', midStreamError: { afterChunks: 3, ...detail } });
        assert.equal(e.kind, kind);
        assert.equal(e.code, type);
      });
    }

    it('a malformed frame mid-stream is a server error', async () => {
      const e = await streamFailure({ malformedAfterChunks: 3 });
      assert.equal(e.kind, 'server');
      assert.match(e.message, /malformed/);
    });

    it('a connection dropped mid-stream is a network error', async () => {
      const e = await streamFailure({ resetAfterChunks: 3 });
      assert.equal(e.kind, 'network');
    });

    async function streamFailure(script: Script): Promise<RouteError> {
      sim.enqueue(script);
      const call = { ...base, stream: true, options: { baseUrl: sim.url } };
      const res = await http.send(await adapter.buildRequest(call), timeoutsSchema.parse({}), new AbortController().signal);
      assert.equal(res.status, 200);
      try {
        for await (const _ of adapter.streamChunks(res.body, call, limitsSchema.parse({}))) void _;
      } catch (e) {
        return transportError(e, undefined, timeoutsSchema.parse({})); // as the router maps it
      } finally {
        res.body.destroy?.();
      }
      assert.fail('the stream should have failed');
    }
  });

  describe('key check', () => {
    it('proves a key with GET /v1/models and names a wrong one as auth', async () => {
      const deps = { http, timeouts: timeoutsSchema.parse({}) };
      const target = { provider: 'anthropic' as const, options: { baseUrl: sim.url }, name: 'prod-main' };
      const ok = await validateKey(target, KEY, deps);
      assert.equal(ok.verdict, 'ok', ok.message);
      assert.equal(sim.requests[0]!.path, '/v1/models');
      const bad = await validateKey(target, 'sk-ant-nope', deps);
      assert.equal(bad.verdict, 'auth');
      assert.doesNotMatch(bad.message, /sk-ant-nope/);
    });
  });

  describe('on Vertex AI', () => {
    const SA = JSON.stringify({ type: 'service_account', project_id: 'sa-project', client_email: 'router@sa-project.iam.gserviceaccount.com' });
    let tokenCalls = 0;
    let vertex: ProviderAdapter;
    beforeEach(() => {
      tokenCalls = 0;
      vertex = anthropicVertexAdapter(
        async () => {
          tokenCalls++;
          return 'ya29.sim-token';
        },
        { cache: new ThinkingCache() },
      );
    });
    const vcall = (over: Partial<AdapterCall> = {}): AdapterCall => ({
      provider: 'google-vertex',
      request: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 256 },
      nativeModel: 'claude-sonnet-4-5@20250929',
      secret: SA,
      stream: false,
      options: { baseUrl: sim.url, region: 'us-east5' },
      ...over,
    });

    it('posts to rawPredict with a Bearer token, anthropic_version and no model', async () => {
      const call = vcall();
      const res = await http.send(await vertex.buildRequest(call), timeoutsSchema.parse({}), new AbortController().signal);
      const text = await readBody(res.body, 1 << 20);
      assert.equal(res.status, 200, text);
      assert.equal(vertex.parseCompletion(text, call).choices[0]!.message.content, 'Hello from the Claude simulator.');
      const sent = sim.requests[0]!;
      assert.equal(sent.path, '/v1/projects/sa-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict');
      assert.equal(sent.headers.authorization, 'Bearer ya29.sim-token');
      assert.equal(sent.headers['x-api-key'], undefined);
      assert.equal((sent.json as any).anthropic_version, 'vertex-2023-10-16');
      assert.equal('model' in (sent.json as any), false);
      assert.equal(tokenCalls, 1);
    });

    it('streams from streamRawPredict with the Anthropic event stream', async () => {
      sim.enqueue({ text: 'Streamed on Vertex', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const call = vcall({
        stream: true,
        options: { baseUrl: sim.url, region: 'europe-west1', project: 'explicit-project' },
        request: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], tools: [weather] },
      });
      const res = await http.send(await vertex.buildRequest(call), timeoutsSchema.parse({}), new AbortController().signal);
      assert.equal(res.status, 200);
      const chunks: ChatChunk[] = [];
      for await (const c of vertex.streamChunks(res.body, call, limitsSchema.parse({}))) chunks.push(c);
      assert.equal(
        sim.requests[0]!.path,
        '/v1/projects/explicit-project/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict',
      );
      assert.equal(chunks.map((c) => c.choices[0]!.delta.content ?? '').join(''), 'Streamed on Vertex');
      assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'tool_calls');
      assert.equal(chunks.find((c) => c.choices[0]!.delta.tool_calls)!.choices[0]!.delta.tool_calls![0]!.function!.name, 'get_weather');
    });

    it('classifies Google front-end errors: quota as rate_limited, a refused token as auth', async () => {
      const call = vcall({ options: { baseUrl: sim.url, region: 'us-east5' } });
      sim.enqueue(sim.errors.vertexQuota());
      let res = await http.send(await vertex.buildRequest(call), timeoutsSchema.parse({}), new AbortController().signal);
      let e = vertex.classifyError(res.status, res.headers, await readBody(res.body, 1 << 20), Date.now());
      assert.deepEqual([e.kind, e.code], ['rate_limited', 'RESOURCE_EXHAUSTED']);
      assert.match(e.message, /^google-vertex: HTTP 429 RESOURCE_EXHAUSTED: Quota exceeded/);

      const refused = anthropicVertexAdapter(async () => 'ya29.expired');
      res = await http.send(await refused.buildRequest(call), timeoutsSchema.parse({}), new AbortController().signal);
      e = refused.classifyError(res.status, res.headers, await readBody(res.body, 1 << 20), Date.now());
      assert.deepEqual([e.kind, e.status, e.code], ['auth', 401, 'UNAUTHENTICATED']);
      assert.doesNotMatch(e.message, /ya29/);
    });

    it('builds the real hosts for global, multi-region and regional locations', () => {
      const url = (region: string | undefined, stream = false) => vertexClaudeUrl(vcall({ stream, options: region ? { region } : {} }));
      assert.equal(
        url(undefined),
        'https://aiplatform.googleapis.com/v1/projects/sa-project/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
      );
      assert.equal(
        url('us', true),
        'https://aiplatform.us.rep.googleapis.com/v1/projects/sa-project/locations/us/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict',
      );
      assert.equal(
        url('us-east5'),
        'https://us-east5-aiplatform.googleapis.com/v1/projects/sa-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
      );
    });

    it('asks for a project when neither the options nor the secret name one, without quoting the secret', async () => {
      await assert.rejects(
        async () => vertex.buildRequest(vcall({ secret: 'not-json-secret', options: {} })),
        (e: unknown) => isRouteFailure(e) && /options\.project/.test(e.error.message) && !/not-json-secret/.test(e.error.message),
      );
    });
  });
});
