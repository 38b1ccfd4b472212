import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatChunk, ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { timeoutsSchema } from '../../../src/core/config/schema';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { validateKey } from '../../../src/core/providers/validate';
import { Router, type GenerationOutcome } from '../../../src/core/routing/router';
import {
  BEDROCK_TEST_API_KEY,
  BEDROCK_TEST_CREDENTIALS,
  BEDROCK_TEST_SESSION_CREDENTIALS,
  bedrockErrors,
  startBedrockSim,
  streamException,
  type BedrockSim,
} from '../../../src/sim/bedrock';

const MODEL = 'anthropic/claude-haiku-4.5';
const NATIVE = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const SIGV4 = JSON.stringify(BEDROCK_TEST_CREDENTIALS);
const SESSION = JSON.stringify(BEDROCK_TEST_SESSION_CREDENTIALS);
const WRONG_SECRET = JSON.stringify({ accessKeyId: BEDROCK_TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'wJalrXUtnFEMI/WRONGWRONGWRONGbPxRfiCYEXAMPLEKEY' });

const req = (over: Partial<ChatRequest> = {}): ChatRequest => ({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...over });
const stream = (over: Partial<ChatRequest> = {}) => req({ stream: true, ...over });

describe('Bedrock through the router, against the simulator', () => {
  let sim: BedrockSim;
  let routers: Router[];

  before(async () => {
    sim = await startBedrockSim();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.requests.length = 0;
    sim.setDefault({});
    sim.clockSkewMs = 0;
    routers = [];
  });
  afterEach(async () => {
    assert.equal(sim.queued(), 0, 'every queued script was used');
    assert.deepEqual(sim.handlerErrors, []);
    await Promise.all(routers.map((r) => r.close()));
  });

  /** Keys `first` and `second` (both prioritized, same simulator) with the given secrets. */
  function router(secrets: [string, string?], opts: { auth?: 'sigv4' | 'bearer'; timeouts?: Record<string, number> } = {}) {
    const key = (id: string) => ({
      id,
      provider: 'amazon-bedrock',
      name: id,
      tier: 'prioritized',
      options: { baseUrl: sim.url, region: sim.region, ...(opts.auth ? { auth: opts.auth } : {}) },
    });
    const { config, diagnostics } = parseConfig({
      callers: [{ name: 'dev' }],
      defaultCaller: 'dev',
      keys: secrets[1] === undefined ? [key('first')] : [key('first'), key('second')],
      timeouts: opts.timeouts,
    });
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const map = new Map([['first', secrets[0]]]);
    if (secrets[1] !== undefined) map.set('second', secrets[1]);
    const r = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(map), clock: new ManualClock() });
    routers.push(r);
    return r;
  }

  async function generate(r: Router, request: ChatRequest): Promise<{ o: GenerationOutcome; chunks: ChatChunk[] }> {
    const chunks: ChatChunk[] = [];
    const o = await r.generate(request, { onChunk: (c) => chunks.push(c) });
    return { o, chunks };
  }

  const trail = (o: GenerationOutcome) => o.record.attempts.map((a) => `${a.keyId}:${a.status ?? '-'}:${a.errorKind ?? 'ok'}`);
  const text = (chunks: ChatChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

  function assertNoSecrets(o: GenerationOutcome) {
    const all = JSON.stringify(o);
    for (const s of [
      BEDROCK_TEST_CREDENTIALS.secretAccessKey,
      BEDROCK_TEST_SESSION_CREDENTIALS.secretAccessKey,
      BEDROCK_TEST_SESSION_CREDENTIALS.sessionToken!,
      BEDROCK_TEST_API_KEY,
      'WRONGWRONGWRONG',
    ]) {
      assert.equal(all.includes(s), false, `a secret leaked into the outcome: …${s.slice(-4)}`);
    }
  }

  it('streams text signed with SigV4 session credentials, with usage from the metadata event', async () => {
    sim.enqueue({ text: 'Hello from Bedrock', usage: { prompt_tokens: 21, completion_tokens: 5 } });
    const { o, chunks } = await generate(router([SESSION]), stream());
    assert.ok(o.ok, o.ok ? '' : o.error.message);
    assert.equal(text(chunks), 'Hello from Bedrock');
    assert.equal(o.response.choices[0]!.message.content, 'Hello from Bedrock');
    assert.equal(o.response.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(o.response.usage, { prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 });
    assert.deepEqual([o.record.promptTokens, o.record.completionTokens], [21, 5]);
    assert.ok((o.record.cost ?? 0) > 0);
    const [seen] = sim.requests;
    assert.equal(seen!.path, `/model/${encodeURIComponent(NATIVE)}/converse-stream`);
    assert.match(seen!.path, /%3A0\/converse-stream$/);
    assert.equal(sim.principalOf(seen!), `sigv4:${BEDROCK_TEST_SESSION_CREDENTIALS.accessKeyId}`);
    assert.equal(seen!.headers['x-amz-security-token'], BEDROCK_TEST_SESSION_CREDENTIALS.sessionToken);
    assert.equal(seen!.headers.accept, 'application/vnd.amazon.eventstream');
    assert.deepEqual(seen!.json, { messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  });

  it('answers a non-streaming request signed with long-term credentials', async () => {
    sim.enqueue({ text: 'Plain answer', usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const { o } = await generate(router([SIGV4]), req({ max_tokens: 64, temperature: 0.2 }));
    assert.ok(o.ok, o.ok ? '' : o.error.message);
    assert.equal(o.response.object, 'chat.completion');
    assert.equal(o.response.model, MODEL);
    assert.equal(o.response.choices[0]!.message.content, 'Plain answer');
    assert.deepEqual(o.response.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    assert.equal(sim.requests[0]!.path, `/model/${encodeURIComponent(NATIVE)}/converse`);
    assert.deepEqual((sim.requests[0]!.json as any).inferenceConfig, { maxTokens: 64, temperature: 0.2 });
    assert.equal(sim.principalOf(sim.requests[0]!), `sigv4:${BEDROCK_TEST_CREDENTIALS.accessKeyId}`);
  });

  it('round-trips a streamed tool call with a Bedrock API key as bearer token', async () => {
    const tools: ChatRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const r = router([BEDROCK_TEST_API_KEY]);
    sim.enqueue({ text: 'Checking.', toolCalls: [{ id: 'tooluse_w1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const first = await generate(r, stream({ messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools, tool_choice: 'auto' }));
    assert.ok(first.o.ok, first.o.ok ? '' : first.o.error.message);
    const msg = first.o.response.choices[0]!.message;
    assert.equal(first.o.response.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(msg.tool_calls, [{ id: 'tooluse_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
    assert.equal(sim.principalOf(sim.requests[0]!), `bearer:…${BEDROCK_TEST_API_KEY.slice(-4)}`);
    assert.equal(sim.requests[0]!.headers.authorization, `Bearer ${BEDROCK_TEST_API_KEY}`);
    assert.deepEqual((sim.requests[0]!.json as any).toolConfig.toolChoice, { auto: {} });

    sim.enqueue({ text: 'It is 3°C in Oslo.' });
    const second = await generate(
      r,
      stream({
        tools,
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          { role: 'assistant', content: msg.content, tool_calls: msg.tool_calls },
          { role: 'tool', tool_call_id: 'tooluse_w1', content: '{"temp_c":3}' },
        ],
      }),
    );
    assert.ok(second.o.ok, second.o.ok ? '' : second.o.error.message);
    assert.equal(text(second.chunks), 'It is 3°C in Oslo.');
    const sent = sim.requests[1]!.json as any;
    assert.deepEqual(sent.messages[1].content, [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tooluse_w1', name: 'get_weather', input: { city: 'Oslo' } } }]);
    assert.deepEqual(sent.messages[2], { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_w1', content: [{ text: '{"temp_c":3}' }] } }] });
  });

  it('checks a key with ListFoundationModels, signed or bearer, and reports a revoked one as auth', async () => {
    const http = new UndiciHttpClient();
    try {
      const deps = { http, timeouts: timeoutsSchema.parse({}) };
      const target = { provider: 'amazon-bedrock' as const, options: { baseUrl: sim.url, region: sim.region }, name: 'k' };
      assert.equal((await validateKey(target, SIGV4, deps)).verdict, 'ok');
      assert.equal((await validateKey(target, BEDROCK_TEST_API_KEY, deps)).verdict, 'ok');
      const revoked = await validateKey(target, 'ABSKrevokedkey00000000', deps);
      assert.equal(revoked.verdict, 'auth');
      assert.match(revoked.message, /403 UnrecognizedClientException/);
      assert.deepEqual(
        sim.requests.map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query)}`),
        Array(3).fill('GET /foundation-models?byOutputModality=TEXT'),
      );
    } finally {
      await http.close();
    }
  });

  describe('HTTP errors', () => {
    it('falls back to the next key on 429 ThrottlingException', async () => {
      sim.enqueue(bedrockErrors.throttling(), { text: 'from the second key' });
      const { o } = await generate(router([SIGV4, BEDROCK_TEST_API_KEY]), stream());
      assert.ok(o.ok);
      assert.deepEqual(trail(o), ['first:429:rate_limited', 'second:200:ok']);
      assert.match(o.record.attempts[0]!.message!, /ThrottlingException: Too many requests/);
    });

    it('classifies a wrong secret access key as auth (InvalidSignatureException) without leaking it', async () => {
      const { o } = await generate(router([WRONG_SECRET]), stream());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'auth');
      assert.deepEqual(trail(o), ['first:403:auth']);
      assert.match(o.error.message, /InvalidSignatureException: The request signature we calculated does not match/);
      assert.doesNotMatch(o.error.message, /Canonical String/);
      assertNoSecrets(o);
    });

    it('classifies an unknown access key id and an unknown API key as auth', async () => {
      const unknown = JSON.stringify({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) });
      const { o } = await generate(router([unknown, 'ABSKnotavalidkey0000']), stream());
      assert.ok(!o.ok);
      assert.deepEqual(trail(o), ['first:403:auth', 'second:403:auth']);
      assert.match(o.record.attempts[1]!.message!, /UnrecognizedClientException/);
      assertNoSecrets(o);
    });

    it('classifies an expired signature (a skewed clock) as auth and points at the clock', async () => {
      sim.clockSkewMs = 10 * 60_000;
      const { o } = await generate(router([SIGV4]), req());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'auth');
      assert.match(o.error.message, /Signature expired.*check the system clock/);
    });

    it('classifies a model the account may not use as auth and tries the next key', async () => {
      sim.deniedModels.add(NATIVE);
      try {
        const { o } = await generate(router([SIGV4, BEDROCK_TEST_API_KEY]), req());
        assert.ok(!o.ok);
        assert.deepEqual(trail(o), ['first:403:auth', 'second:403:auth']);
        assert.match(o.error.message, /AccessDeniedException: You don't have access to the model/);
      } finally {
        sim.deniedModels.clear();
      }
    });

    it('stops at a 400 ValidationException without trying another key', async () => {
      sim.enqueue(bedrockErrors.validation('Input is too long for requested model.'));
      const { o } = await generate(router([SIGV4, BEDROCK_TEST_API_KEY]), stream());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'bad_request');
      assert.deepEqual(trail(o), ['first:400:bad_request']);
      assert.match(o.error.message, /ValidationException: Input is too long/);
    });

    it('refuses an image format Converse does not take before sending anything', async () => {
      const { o } = await generate(
        router([SIGV4]),
        req({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }] }),
      );
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'bad_request');
      assert.match(o.error.message, /PNG, JPEG, GIF or WebP; got image\/bmp/);
      assert.equal(sim.requests.length, 0);
    });

    it('reports a model id Bedrock does not know (a typo in the model map) as a bad request', async () => {
      const { config } = parseConfig({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        keys: [
          {
            id: 'k',
            provider: 'amazon-bedrock',
            name: 'k',
            tier: 'prioritized',
            options: { baseUrl: sim.url, modelMap: { [MODEL]: 'anthropic.claude-haiku-typo-v1:0' } },
          },
        ],
      });
      const r = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', SIGV4]])), clock: new ManualClock() });
      routers.push(r);
      const { o } = await generate(r, stream());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'bad_request');
      assert.match(o.error.message, /400 ValidationException: The provided model identifier is invalid\./);
      assert.equal(sim.requests[0]!.path, '/model/anthropic.claude-haiku-typo-v1%3A0/converse-stream');
    });

    for (const [name, script, status] of [
      ['500 InternalServerException', bedrockErrors.internal, 500],
      ['503 ServiceUnavailableException', bedrockErrors.serviceUnavailable, 503],
    ] as const) {
      it(`treats ${name} as a server error and falls back`, async () => {
        sim.enqueue(script(), {});
        const { o } = await generate(router([SIGV4, SESSION]), stream());
        assert.ok(o.ok);
        assert.deepEqual(trail(o), [`first:${status}:server`, 'second:200:ok']);
      });
    }
  });

  describe('stream faults', () => {
    it('falls back when a throttlingException frame arrives inside the 200 before any content', async () => {
      sim.enqueue(streamException('throttlingException', 1), { text: 'second key answer' });
      const { o, chunks } = await generate(router([SIGV4, BEDROCK_TEST_API_KEY]), stream());
      assert.ok(o.ok, o.ok ? '' : o.error.message);
      assert.deepEqual(trail(o), ['first:200:rate_limited', 'second:200:ok']);
      assert.equal(text(chunks), 'second key answer');
    });

    it('ends with an error saying output had started when an exception frame follows content', async () => {
      sim.enqueue(streamException('modelStreamErrorException', 3));
      const { o, chunks } = await generate(router([SIGV4, BEDROCK_TEST_API_KEY]), stream({ messages: [{ role: 'user', content: 'tell me' }] }));
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'server');
      assert.match(o.error.message, /after output had started.*modelStreamErrorException/);
      assert.equal(o.record.attempts.length, 1);
      assert.ok(text(chunks).length > 0);
    });

    const corrupt: [string, Parameters<BedrockSim['enqueueBedrock']>[0], RegExp][] = [
      ['a bad prelude CRC', { corruptFrame: { afterChunks: 0, kind: 'prelude-crc' } }, /prelude CRC mismatch/],
      ['a bad message CRC', { corruptFrame: { afterChunks: 0, kind: 'message-crc' } }, /message CRC mismatch/],
      ['a frame cut short', { corruptFrame: { afterChunks: 0, kind: 'truncate' } }, /truncated frame/],
      ['an event with invalid JSON', { malformedAfterChunks: 1 }, /invalid JSON/],
    ];
    for (const [what, script, message] of corrupt) {
      it(`fails the attempt as a server error on ${what}, and falls back`, async () => {
        sim.enqueueBedrock(script, {});
        const { o } = await generate(router([SIGV4, SESSION]), stream());
        assert.ok(o.ok, o.ok ? '' : o.error.message);
        assert.deepEqual(trail(o), ['first:200:server', 'second:200:ok']);
        assert.match(o.record.attempts[0]!.message!, message);
      });
    }

    it('treats a connection reset mid-stream as a network error', async () => {
      sim.enqueue({ resetAfterChunks: 1 });
      const { o } = await generate(router([SIGV4]), stream());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'network');
    });

    it('treats a reset before the headers as a network error and tries the next key', async () => {
      sim.enqueue({ resetBeforeHeaders: true }, {});
      const { o } = await generate(router([SIGV4, SESSION]), req());
      assert.ok(o.ok);
      assert.deepEqual(trail(o), ['first:-:network', 'second:200:ok']);
    });

    it('gives up on a stalled stream at the idle timeout', async () => {
      sim.enqueue({ stallAfterChunks: 1 });
      const { o } = await generate(router([SIGV4], { timeouts: { idleMs: 300, firstByteMs: 2000, totalMs: 5000 } }), stream());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'timeout');
      assert.match(o.error.message, /idle timeout/);
    });
  });
});
