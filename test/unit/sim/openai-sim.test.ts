import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fetch } from 'undici';
import { FLAVORS, startOpenAISim, type Flavor, type OpenAISim } from '../../../src/sim/openai';
import { chatBody, chunksOf, eventually, get, post, readSse } from './helpers';

const KEY = 'sk-sim-test-key-1234';

/** Starts one sim per test and always closes it. */
function withSim(flavor: Flavor, opts: { validKeys?: string[]; deployments?: string[] } = {}) {
  const ctx = { sim: undefined as unknown as OpenAISim };
  beforeEach(async () => {
    ctx.sim = await startOpenAISim({ flavor, ...opts });
  });
  afterEach(() => ctx.sim.close());
  return ctx;
}

function chatUrl(sim: OpenAISim): string {
  return `${sim.baseUrl}/chat/completions`;
}

async function streamChat(sim: OpenAISim, extra: Record<string, unknown> = {}, key = KEY) {
  const res = await post(chatUrl(sim), chatBody({ stream: true, ...extra }), { key, keyHeader: sim.flavor === 'azure' ? 'api-key' : 'authorization' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/event-stream/);
  return readSse(await res.body.text());
}

describe('OpenAI-compatible simulator: answers', () => {
  const ctx = withSim('openai');

  it('answers a non-streaming chat.completion naming the last four characters of the key', async () => {
    const res = await post(chatUrl(ctx.sim), chatBody({ model: 'gpt-4o-mini' }));
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as any;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(body.choices[0].message.content, 'Hello from openai key …1234');
    assert.equal(body.choices[0].message.content, ctx.sim.defaultText(KEY));
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('answers scripted tool calls with content null and finish_reason tool_calls', async () => {
    ctx.sim.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }], usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const body = (await (await post(chatUrl(ctx.sim), chatBody())).body.json()) as any;
    const message = body.choices[0].message;
    assert.equal(message.content, null);
    assert.deepEqual(message.tool_calls, [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    assert.equal(body.choices[0].finish_reason, 'tool_calls');
    assert.equal(body.usage.prompt_tokens, 11);
    assert.equal(body.usage.completion_tokens, 7);
  });

  it('streams data: frames: role first, content deltas, a finish chunk, then [DONE]', async () => {
    ctx.sim.enqueue({ text: ['Hel', 'lo', ' world'] });
    const read = await streamChat(ctx.sim);
    assert.equal(read.data.at(-1), '[DONE]');
    const chunks = chunksOf(read);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id));
    assert.deepEqual(chunks[0]!.choices[0].delta, { role: 'assistant', content: '' });
    assert.deepEqual(
      chunks.slice(1, 4).map((c) => c.choices[0].delta.content),
      ['Hel', 'lo', ' world'],
    );
    assert.equal(chunks.at(-1)!.choices[0].finish_reason, 'stop');
    assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
  });

  it('splits a text string into word deltas that join back to it', async () => {
    ctx.sim.enqueue({ text: 'one two  three' });
    const chunks = chunksOf(await streamChat(ctx.sim));
    const deltas = chunks.map((c) => c.choices[0]?.delta?.content).filter((d) => d);
    assert.ok(deltas.length >= 3);
    assert.equal(deltas.join(''), 'one two  three');
  });

  it('streams each tool call as a first delta with id and name, then two or more argument fragments', async () => {
    ctx.sim.enqueue({
      toolCalls: [
        { id: 'call_a', name: 'search', arguments: '{"query":"undici keep-alive"}' },
        { name: 'open', arguments: { path: '/tmp/x' } },
      ],
    });
    const chunks = chunksOf(await streamChat(ctx.sim));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    for (const index of [0, 1]) {
      const own = calls.filter((t: any) => t.index === index);
      assert.ok(own[0].id && own[0].function.name, 'first delta carries id and name');
      assert.ok(own.slice(1).every((t: any) => t.id === undefined && t.function.name === undefined));
      assert.ok(own.length - 1 >= 2, `arguments in ${own.length - 1} fragments`);
    }
    const args = (index: number) =>
      calls
        .filter((t: any) => t.index === index)
        .map((t: any) => t.function.arguments)
        .join('');
    assert.equal(args(0), '{"query":"undici keep-alive"}');
    assert.deepEqual(JSON.parse(args(1)), { path: '/tmp/x' });
    assert.match(calls.find((t: any) => t.index === 1).id, /^call_/);
    assert.equal(chunks.at(-1)!.choices[0].finish_reason, 'tool_calls');
  });

  it('sends usage only with stream_options.include_usage, as an extra chunk with empty choices', async () => {
    const without = chunksOf(await streamChat(ctx.sim));
    assert.ok(without.every((c) => !('usage' in c)));

    const withUsage = chunksOf(await streamChat(ctx.sim, { stream_options: { include_usage: true } }));
    const last = withUsage.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0);
    assert.ok(withUsage.slice(0, -1).every((c) => c.usage === null));
  });

  it('serves GET /v1/models as a list object', async () => {
    const res = await get(`${ctx.sim.baseUrl}/models`);
    const body = (await res.body.json()) as any;
    assert.equal(body.object, 'list');
    assert.deepEqual(
      body.data.map((m: any) => m.id),
      ctx.sim.models,
    );
  });

  it('answers an unknown path with 404 in the provider error shape and does not take a script', async () => {
    ctx.sim.enqueue({ text: 'kept' });
    const res = await post(`${ctx.sim.url}/v1/nothing-here`, {});
    assert.equal(res.statusCode, 404);
    assert.match(((await res.body.json()) as any).error.message, /Invalid URL/);
    assert.equal(ctx.sim.queued(), 1);
  });

  it('works with fetch too', async () => {
    const res = await fetch(chatUrl(ctx.sim), { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(chatBody()) });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as any).choices[0].message.content, ctx.sim.defaultText(KEY));
  });
});

describe('OpenAI-compatible simulator: usage placement per provider', () => {
  for (const flavor of ['mistral', 'together', 'cerebras', 'fireworks', 'perplexity'] as const) {
    describe(flavor, () => {
      const ctx = withSim(flavor);
      it(`${flavor} always puts usage on the finish chunk, without stream_options`, async () => {
        const chunks = chunksOf(await streamChat(ctx.sim));
        const last = chunks.at(-1)!;
        assert.ok(last.choices[0].finish_reason, 'last chunk carries finish_reason');
        assert.ok(last.usage.prompt_tokens > 0);
        assert.equal(chunks.filter((c) => c.usage).length, 1);
      });
    });
  }

  describe('groq', () => {
    const ctx = withSim('groq');
    it('Groq puts usage in x_groq.usage on the finish chunk and x_groq.id on the first', async () => {
      const chunks = chunksOf(await streamChat(ctx.sim));
      assert.ok(chunks[0]!.x_groq.id);
      const last = chunks.at(-1)!;
      assert.ok(last.choices[0].finish_reason);
      assert.ok(last.x_groq.usage.completion_tokens > 0);
      assert.equal(last.usage, undefined);
    });
  });

  describe('openrouter', () => {
    const ctx = withSim('openrouter');
    it('OpenRouter opens with a processing comment and ends with a usage chunk carrying cost, is_byok and cost_details', async () => {
      const read = await streamChat(ctx.sim);
      assert.equal(read.sequence[0], 'comment:OPENROUTER PROCESSING');
      const chunks = chunksOf(read);
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.equal(typeof last.usage.cost, 'number');
      assert.equal(last.usage.is_byok, false);
      assert.equal(typeof last.usage.cost_details.upstream_inference_cost, 'number');
      assert.equal(chunks.at(-2)!.choices[0].native_finish_reason, 'stop');
      assert.match(chunks[0]!.id, /^gen-/);
    });

    it('OpenRouter lets a script override usage fields, e.g. is_byok', async () => {
      ctx.sim.enqueue({ usage: { prompt_tokens: 5, completion_tokens: 3, is_byok: true } });
      const last = chunksOf(await streamChat(ctx.sim)).at(-1)!;
      assert.equal(last.usage.is_byok, true);
      assert.equal(last.usage.prompt_tokens, 5);
    });

    it('OpenRouter sends its mid-stream error as a chunk with error and finish_reason error, then ends without [DONE]', async () => {
      ctx.sim.enqueue(ctx.sim.errors.midStream(2, 'upstream died'));
      const read = await streamChat(ctx.sim);
      assert.ok(!read.data.includes('[DONE]'));
      const chunks = chunksOf(read);
      assert.equal(chunks.length, 3);
      const failure = chunks[2]!;
      assert.equal(failure.error.message, 'upstream died');
      assert.equal(typeof failure.error.code, 'number');
      assert.equal(failure.error.metadata.error_type, 'provider_unavailable');
      assert.deepEqual(failure.choices, [{ index: 0, delta: { content: '' }, finish_reason: 'error' }]);
    });

    it('OpenRouter serves /api/v1/models without a key and /api/v1/key with one', async () => {
      const models = (await (await get(`${ctx.sim.baseUrl}/models`, null)).body.json()) as any;
      assert.ok(models.data[0].context_length > 0 && models.data[0].pricing.prompt);
      const noKey = await get(`${ctx.sim.baseUrl}/key`, null);
      assert.equal(noKey.statusCode, 401);
      assert.deepEqual(await noKey.body.json(), { error: { code: 401, message: 'No auth credentials found' } });
      ctx.sim.keyInfo = { limit_remaining: 0 };
      const info = (await (await get(`${ctx.sim.baseUrl}/key`)).body.json()) as any;
      assert.equal(info.data.limit_remaining, 0);
      assert.ok(!JSON.stringify(info).includes(KEY), 'the key is never echoed whole');
    });
  });

  describe('deepseek', () => {
    const ctx = withSim('deepseek');
    it('DeepSeek streams reasoning_content before content and : keep-alive comments when asked', async () => {
      ctx.sim.enqueue({ reasoning: 'Think first.', text: 'Answer.', keepAliveComments: 1 });
      const read = await streamChat(ctx.sim);
      assert.ok(read.comments.length >= 1 && read.comments.every((c) => c === 'keep-alive'));
      const deltas = chunksOf(read).map((c) => c.choices[0]?.delta ?? {});
      const reasoningAt = deltas.findIndex((d) => d.reasoning_content);
      const contentAt = deltas.findIndex((d) => d.content);
      assert.ok(reasoningAt > 0 && reasoningAt < contentAt);
      assert.equal(deltas.map((d) => d.reasoning_content ?? '').join(''), 'Think first.');
    });

    it('DeepSeek pads a non-streaming answer with blank lines when keepAliveComments is set', async () => {
      ctx.sim.enqueue({ keepAliveComments: 3 });
      const text = await (await post(chatUrl(ctx.sim), chatBody())).body.text();
      assert.ok(text.startsWith('\n\n\n{'));
      assert.equal(JSON.parse(text.trim()).usage.prompt_cache_miss_tokens > 0, true);
    });
  });

  describe('together', () => {
    const ctx = withSim('together');
    it('Together lists models as a bare array and ends answers with finish_reason eos', async () => {
      const models = await (await get(`${ctx.sim.baseUrl}/models`)).body.json();
      assert.ok(Array.isArray(models));
      assert.equal((models as any[])[0].type, 'chat');
      const body = (await (await post(chatUrl(ctx.sim), chatBody())).body.json()) as any;
      assert.equal(body.choices[0].finish_reason, 'eos');
    });
  });
});

describe('OpenAI-compatible simulator: Azure', () => {
  const ctx = withSim('azure', { deployments: ['gpt-4o-mini'] });

  it('serves the dated deployment URL with an api-key header and opens the stream with prompt_filter_results', async () => {
    const url = `${ctx.sim.url}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;
    const res = await post(
      url,
      { messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
      { keyHeader: 'api-key' },
    );
    assert.equal(res.statusCode, 200);
    const chunks = chunksOf(readSse(await res.body.text()));
    assert.deepEqual(chunks[0]!.choices, []);
    assert.ok(Array.isArray(chunks[0]!.prompt_filter_results));
    assert.equal(chunks[1]!.model, 'gpt-4o-mini');
    assert.ok(chunks.at(-1)!.usage.total_tokens > 0);
    assert.equal(ctx.sim.requests[0]!.query['api-version'], '2024-10-21');
  });

  it('answers 404 Resource not found on a dated URL without api-version', async () => {
    const res = await post(`${ctx.sim.url}/openai/deployments/gpt-4o-mini/chat/completions`, chatBody(), { keyHeader: 'api-key' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(await res.body.json(), { error: { code: '404', message: 'Resource not found' } });
  });

  it('answers 404 DeploymentNotFound for a deployment that does not exist, on both URL styles', async () => {
    const dated = await post(`${ctx.sim.url}/openai/deployments/nope/chat/completions?api-version=2024-10-21`, chatBody(), { keyHeader: 'api-key' });
    assert.equal(dated.statusCode, 404);
    assert.equal(((await dated.body.json()) as any).error.code, 'DeploymentNotFound');
    const v1 = await post(`${ctx.sim.baseUrl}/chat/completions`, chatBody({ model: 'nope' }), { keyHeader: 'api-key' });
    assert.equal(v1.statusCode, 404);
    assert.equal(((await v1.body.json()) as any).error.code, 'DeploymentNotFound');
  });

  it('accepts the v1 URL with the key as a Bearer token', async () => {
    const res = await post(`${ctx.sim.baseUrl}/chat/completions`, chatBody({ model: 'gpt-4o-mini' }));
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as any;
    assert.ok(body.prompt_filter_results);
    assert.equal(ctx.sim.keyOf(ctx.sim.requests[0]!), KEY);
  });

  it('builds Azure 429s with a string code, retry-after and retry-after-ms', async () => {
    ctx.sim.enqueue(ctx.sim.errors.rateLimited(2));
    const res = await post(`${ctx.sim.baseUrl}/chat/completions`, chatBody({ model: 'gpt-4o-mini' }), { keyHeader: 'api-key' });
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], '2');
    assert.equal(res.headers['retry-after-ms'], '2000');
    assert.equal(((await res.body.json()) as any).error.code, '429');
  });
});

describe('OpenAI-compatible simulator: authentication', () => {
  // Status and a probe into the body that only this provider's shape satisfies.
  const expected: Record<(typeof FLAVORS)[number], { status: number; check: (body: string) => boolean }> = {
    openai: { status: 401, check: (b) => JSON.parse(b).error.code === 'invalid_api_key' },
    mistral: { status: 401, check: (b) => JSON.parse(b).detail === 'Unauthorized' },
    groq: { status: 401, check: (b) => JSON.parse(b).error.message === 'Invalid API Key' },
    xai: { status: 400, check: (b) => /Incorrect API key provided/.test(JSON.parse(b).error) },
    deepseek: { status: 401, check: (b) => JSON.parse(b).error.type === 'authentication_error' },
    together: { status: 401, check: (b) => JSON.parse(b).error.code === 'invalid_api_key' },
    fireworks: { status: 401, check: (b) => JSON.parse(b).error.object === 'error' },
    cerebras: { status: 401, check: (b) => JSON.parse(b).code === 'wrong_api_key' },
    perplexity: { status: 401, check: (b) => b.includes('<title>401 Authorization Required</title>') },
    azure: { status: 401, check: (b) => JSON.parse(b).error.code === '401' },
    openrouter: { status: 401, check: (b) => JSON.parse(b).error.code === 401 },
  };

  for (const flavor of FLAVORS) {
    describe(flavor, () => {
      const ctx = withSim(flavor, { validKeys: ['sk-good-key-0001'] });
      const keyHeader = flavor === 'azure' ? 'api-key' : 'authorization';

      it(`${flavor} refuses an unknown key with its own error body and never echoes the key whole`, async () => {
        ctx.sim.enqueue({ text: 'for the good key' });
        const bad = 'sk-bad-key-should-not-leak-9999';
        const res = await post(chatUrl(ctx.sim), chatBody(), { key: bad, keyHeader });
        assert.equal(res.statusCode, expected[flavor].status);
        const text = await res.body.text();
        assert.ok(expected[flavor].check(text), text);
        assert.ok(!text.includes(bad));
        assert.equal(ctx.sim.queued(), 1, 'a refused request does not take the script');

        const good = await post(chatUrl(ctx.sim), chatBody(), { key: 'sk-good-key-0001', keyHeader });
        assert.equal(good.statusCode, 200);
        assert.equal(((await good.body.json()) as any).choices[0].message.content, 'for the good key');
      });

      it(`${flavor} refuses a request with no key at all`, async () => {
        const res = await post(chatUrl(ctx.sim), chatBody(), { key: null });
        assert.equal(res.statusCode, expected[flavor].status);
        await res.body.dump();
      });
    });
  }

  describe('open door', () => {
    const ctx = withSim('groq');
    it('accepts any non-empty key when validKeys is empty, and revocation mid-test takes effect', async () => {
      const first = await post(chatUrl(ctx.sim), chatBody({ model: 'llama-3.3-70b-versatile' }), { key: 'gsk_anything_abcd' });
      assert.equal(((await first.body.json()) as any).choices[0].message.content, 'Hello from groq key …abcd');
      ctx.sim.validKeys.add('gsk_only_this');
      const second = await post(chatUrl(ctx.sim), chatBody(), { key: 'gsk_anything_abcd' });
      assert.equal(second.statusCode, 401);
      await second.body.dump();
    });
  });
});

describe('OpenAI-compatible simulator: request validation', () => {
  describe('mistral', () => {
    const ctx = withSim('mistral');

    it('Mistral rejects stream_options, max_completion_tokens and a name on a user message with 422 extra_forbidden', async () => {
      const res = await post(
        chatUrl(ctx.sim),
        chatBody({
          stream: true,
          stream_options: { include_usage: true },
          max_completion_tokens: 50,
          messages: [{ role: 'user', content: 'hi', name: 'bob' }],
        }),
      );
      assert.equal(res.statusCode, 422);
      const body = (await res.body.json()) as any;
      assert.equal(body.object, 'error');
      const locs = body.message.detail.map((d: any) => d.loc.join('.'));
      assert.deepEqual(locs.sort(), ['body.max_completion_tokens', 'body.messages.0.user.name', 'body.stream_options']);
      assert.ok(body.message.detail.every((d: any) => d.type === 'extra_forbidden'));
    });

    it('Mistral accepts the sanitised request: max_tokens, random_seed, no stream_options', async () => {
      const read = await streamChat(ctx.sim, { max_tokens: 50, random_seed: 7 });
      assert.ok(chunksOf(read).at(-1)!.usage);
    });

    it('Mistral rejects tool-call ids that are not nine alphanumerics and issues such ids itself', async () => {
      const history = [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'w', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_abc123', content: 'sunny' },
      ];
      const res = await post(chatUrl(ctx.sim), chatBody({ messages: history }));
      assert.equal(res.statusCode, 400);
      assert.match(((await res.body.json()) as any).message, /must be a-z, A-Z, 0-9, with a length of 9/);

      ctx.sim.enqueue({ toolCalls: [{ name: 'w', arguments: '{}' }] });
      const ok = (await (await post(chatUrl(ctx.sim), chatBody())).body.json()) as any;
      assert.match(ok.choices[0].message.tool_calls[0].id, /^[a-zA-Z0-9]{9}$/);
    });

    it('Mistral builds its 429 as an object:error body with x-ratelimit-*-minute headers', async () => {
      ctx.sim.enqueue(ctx.sim.errors.rateLimited(4));
      const res = await post(chatUrl(ctx.sim), chatBody());
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['retry-after'], '4');
      assert.equal(res.headers['x-ratelimit-remaining-req-minute'], '0');
      assert.deepEqual(await res.body.json(), { object: 'error', message: 'Rate limit exceeded', type: 'rate_limited', param: null, code: '1300' });
    });
  });

  const refusals: { flavor: Flavor; name: string; extra: Record<string, unknown> }[] = [
    { flavor: 'groq', name: 'logprobs', extra: { logprobs: true } },
    { flavor: 'groq', name: 'logit_bias', extra: { logit_bias: { '42': 1 } } },
    { flavor: 'groq', name: 'n other than 1', extra: { n: 2 } },
    { flavor: 'cerebras', name: 'frequency_penalty', extra: { frequency_penalty: 0.5 } },
    { flavor: 'cerebras', name: 'presence_penalty', extra: { presence_penalty: 0.5 } },
    { flavor: 'cerebras', name: 'logit_bias', extra: { logit_bias: {} } },
    { flavor: 'cerebras', name: 'parallel_tool_calls', extra: { parallel_tool_calls: false } },
    { flavor: 'cerebras', name: 'service_tier', extra: { service_tier: 'auto' } },
    { flavor: 'perplexity', name: 'tools', extra: { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] } },
    {
      flavor: 'perplexity',
      name: 'two user turns in a row',
      extra: {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      },
    },
  ];
  for (const flavor of ['groq', 'cerebras', 'perplexity'] as const) {
    describe(flavor, () => {
      const ctx = withSim(flavor);
      for (const r of refusals.filter((x) => x.flavor === flavor)) {
        it(`${flavor} answers 400 to ${r.name}`, async () => {
          const res = await post(chatUrl(ctx.sim), chatBody(r.extra));
          assert.equal(res.statusCode, 400);
          await res.body.dump();
        });
      }
      it(`${flavor} accepts a plain request`, async () => {
        const res = await post(chatUrl(ctx.sim), chatBody({ n: 1 }));
        assert.equal(res.statusCode, 200);
        await res.body.dump();
      });
    });
  }
});

describe('OpenAI-compatible simulator: error scripts', () => {
  const ctx = withSim('openai');

  it('rateLimited sets 429 rate_limit_exceeded with retry-after and x-ratelimit-* headers', async () => {
    ctx.sim.enqueue(ctx.sim.errors.rateLimited(2));
    const res = await post(chatUrl(ctx.sim), chatBody());
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], '2');
    assert.equal(res.headers['x-ratelimit-remaining-requests'], '0');
    assert.equal(res.headers['x-ratelimit-reset-tokens'], '6m0s');
    const body = (await res.body.json()) as any;
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  });

  it('insufficientQuota is a 429 whose type and code say insufficient_quota', async () => {
    ctx.sim.enqueue(ctx.sim.errors.insufficientQuota());
    const res = await post(chatUrl(ctx.sim), chatBody());
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], undefined);
    const body = (await res.body.json()) as any;
    assert.equal(body.error.type, 'insufficient_quota');
    assert.equal(body.error.code, 'insufficient_quota');
  });

  it('serverError, htmlError and contextLengthExceeded send what they say', async () => {
    ctx.sim.enqueue(ctx.sim.errors.serverError(503), ctx.sim.errors.htmlError(502), ctx.sim.errors.contextLengthExceeded());
    const a = await post(chatUrl(ctx.sim), chatBody());
    assert.equal(a.statusCode, 503);
    assert.equal(((await a.body.json()) as any).error.type, 'server_error');
    const b = await post(chatUrl(ctx.sim), chatBody());
    assert.equal(b.statusCode, 502);
    assert.match(await b.body.text(), /^<html>/);
    const c = await post(chatUrl(ctx.sim), chatBody());
    assert.equal(c.statusCode, 400);
    assert.equal(((await c.body.json()) as any).error.code, 'context_length_exceeded');
  });

  it('an OpenAI mid-stream error is a data line whose JSON has an error key', async () => {
    ctx.sim.enqueue(ctx.sim.errors.midStream(1));
    const read = await streamChat(ctx.sim);
    assert.equal(read.data.length, 2);
    assert.equal(JSON.parse(read.data[1]!).error.type, 'server_error');
  });

  describe('openrouter', () => {
    const or = withSim('openrouter');
    it('OpenRouter insufficientQuota is a 402 with an integer code and error_type payment_required', async () => {
      or.sim.enqueue(or.sim.errors.insufficientQuota());
      const res = await post(chatUrl(or.sim), chatBody());
      assert.equal(res.statusCode, 402);
      const body = (await res.body.json()) as any;
      assert.equal(body.error.code, 402);
      assert.equal(body.error.metadata.error_type, 'payment_required');
    });
  });

  describe('xai', () => {
    const xai = withSim('xai');
    it('xAI answers GET /v1/api-key with key status and a redacted key', async () => {
      const info = (await (await get(`${xai.sim.baseUrl}/api-key`)).body.json()) as any;
      assert.equal(info.api_key_disabled, false);
      assert.ok(!info.redacted_api_key.includes(KEY));
    });
  });

  describe('perplexity', () => {
    const pplx = withSim('perplexity');
    it('Perplexity serves /chat/completions without a /v1 prefix and has no models endpoint', async () => {
      assert.equal(pplx.sim.baseUrl, pplx.sim.url);
      const models = await get(`${pplx.sim.url}/models`);
      assert.equal(models.statusCode, 404);
      await models.body.dump();
    });
  });
});

describe('OpenAI-compatible simulator: stream faults', () => {
  const ctx = withSim('openai');

  it('resetAfterChunks destroys the socket mid-stream so the client body errors', async () => {
    ctx.sim.enqueue({ text: ['a', 'b', 'c', 'd'], resetAfterChunks: 2 });
    const res = await post(chatUrl(ctx.sim), chatBody({ stream: true }));
    assert.equal(res.statusCode, 200);
    let seen = '';
    await assert.rejects(async () => {
      for await (const part of res.body) seen += String(part);
    });
    assert.equal(readSse(seen).data.length, 2);
    assert.ok(await eventually(() => ctx.sim.requests[0]?.outcome === 'reset'));
  });

  it('stallAfterChunks holds the stream open until the client aborts, and the sim sees the abort', async () => {
    ctx.sim.enqueue({ text: ['a', 'b', 'c'], stallAfterChunks: 2 });
    const controller = new AbortController();
    const res = await post(chatUrl(ctx.sim), chatBody({ stream: true }), { signal: controller.signal });
    let seen = '';
    const started = Date.now();
    await assert.rejects(async () => {
      for await (const part of res.body) {
        seen += String(part);
        if (readSse(seen).data.length === 2) setTimeout(() => controller.abort(), 100);
      }
    });
    assert.ok(Date.now() - started >= 90, 'nothing arrived after the stall');
    assert.equal(readSse(seen).data.length, 2);
    assert.ok(await eventually(() => ctx.sim.requests[0]?.outcome === 'client-aborted'));
    assert.equal(ctx.sim.inFlight(), 0);
  });

  it('malformedAfterChunks emits a data line that is not valid JSON, then the rest of the stream', async () => {
    ctx.sim.enqueue({ text: ['a', 'b'], malformedAfterChunks: 1 });
    const read = await streamChat(ctx.sim);
    assert.throws(() => JSON.parse(read.data[1]!));
    assert.equal(read.data.at(-1), '[DONE]');
  });

  it('chunkDelayMs spaces the chunks out', async () => {
    ctx.sim.enqueue({ text: ['a', 'b', 'c'], chunkDelayMs: 40 });
    const started = Date.now();
    await streamChat(ctx.sim);
    assert.ok(Date.now() - started >= 4 * 40 - 10, `took ${Date.now() - started} ms`);
  });

  it('burst sends the first chunk alone and the rest in one turn, so a client in another process reads 200 chunks in a few reads', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `w${i} `);
    ctx.sim.enqueue({ text, burst: true });
    // A raw socket in a child process counts its reads: in this process the client could not
    // read between the simulator's writes, so paced and burst would look alike.
    const { port } = new URL(ctx.sim.baseUrl);
    const body = JSON.stringify(chatBody({ stream: true }));
    const client = `
      const s = require('node:net').connect(${port}, '127.0.0.1');
      let reads = 0, text = '';
      s.on('data', (d) => { reads++; text += d; if (text.includes('[DONE]')) { s.destroy(); process.stdout.write(JSON.stringify({ reads, text })); } });
      s.write('POST /v1/chat/completions HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\nauthorization: Bearer ${KEY}\\r\\ncontent-type: application/json\\r\\ncontent-length: ${Buffer.byteLength(body)}\\r\\n\\r\\n' + ${JSON.stringify(body)});
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', client], { timeout: 10_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    const { reads, text: raw } = JSON.parse(out) as { reads: number; text: string };
    const payload = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, '');
    const got = chunksOf(readSse(payload.replace(/^[0-9a-f]+\r\n/, '')))
      .map((c) => c.choices[0]?.delta?.content ?? '')
      .join('');
    assert.equal(got, text.join(''));
    assert.ok(reads <= 5, `${reads} reads for a 200-chunk burst`);
  });

  it('truncateBody cuts a non-streaming answer to invalid JSON', async () => {
    ctx.sim.enqueue({ truncateBody: true });
    const text = await (await post(chatUrl(ctx.sim), chatBody())).body.text();
    assert.throws(() => JSON.parse(text));
    assert.ok(text.startsWith('{"id":"chatcmpl-'));
  });

  it('faults apply to GET /models too, and scripted headers reach a normal answer', async () => {
    ctx.sim.enqueue({ resetBeforeHeaders: true }, { headers: { 'x-sim-marker': 'yes' } });
    await assert.rejects(get(`${ctx.sim.baseUrl}/models`));
    const res = await get(`${ctx.sim.baseUrl}/models`);
    assert.equal(res.headers['x-sim-marker'], 'yes');
    await res.body.dump();
  });
});
