import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatChunk, ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { Cancel } from '../../../src/core/http/cancel';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { Router, type GenerationOutcome } from '../../../src/core/routing/router';
import type { GenerationRecord } from '../../../src/core/activity/record';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const MODEL = 'openai/gpt-4o-mini';
const req = (over: Partial<ChatRequest> = {}): ChatRequest => ({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...over });

describe('router execution against simulated providers', () => {
  let openai: OpenAISim;
  let backup: OpenAISim;
  let pooled: OpenAISim;
  let clock: ManualClock;
  let records: GenerationRecord[];
  let logs: string[];
  let routers: Router[];

  before(async () => {
    [openai, backup, pooled] = await Promise.all([
      startOpenAISim({ flavor: 'openai' }),
      startOpenAISim({ flavor: 'openai' }),
      startOpenAISim({ flavor: 'openrouter' }),
    ]);
  });
  after(async () => {
    await Promise.all([openai.close(), backup.close(), pooled.close()]);
  });
  beforeEach(() => {
    clock = new ManualClock();
    records = [];
    logs = [];
    routers = [];
    for (const s of [openai, backup, pooled]) {
      s.requests.length = 0;
      s.setDefault({});
    }
  });
  afterEach(async () => {
    await Promise.all(routers.map((r) => r.close()));
  });

  function router(extra: { keys?: unknown[]; timeouts?: unknown; fees?: unknown; secrets?: Record<string, string> } = {}) {
    const { config, diagnostics } = parseConfig({
      callers: [{ name: 'dev' }],
      defaultCaller: 'dev',
      pooled: { baseUrl: pooled.baseUrl },
      keys: extra.keys ?? [
        { id: 'p1', provider: 'openai', name: 'first', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        { id: 'p2', provider: 'openai', name: 'second', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        { id: 'fb', provider: 'openai', name: 'backup', tier: 'fallback', options: { baseUrl: backup.baseUrl } },
      ],
      timeouts: extra.timeouts,
      fees: extra.fees,
      // These cases pin failover; a conversation sticking to the key that last served is pinned in policy tests.
      stickiness: { ttlMs: 0 },
    });
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const secrets = new MapSecretSource(
      new Map(Object.entries(extra.secrets ?? { p1: 'sk-test-first-0001', p2: 'sk-test-second-0002', fb: 'sk-test-backup-0003' })),
      new Map([['dev', 'sk-or-test-dev-0004']]),
    );
    const r = new Router({ config, catalog: bundledCatalog(), secrets, clock, sink: { append: (rec) => void records.push(rec) }, log: (l) => logs.push(l) });
    routers.push(r);
    return { r, secrets };
  }

  const servedKey = (o: GenerationOutcome) => o.record.servedBy?.keyId ?? o.record.servedBy?.route;
  const trail = (o: GenerationOutcome) => o.record.attempts.map((a) => `${a.keyId ?? a.route}:${a.status ?? a.errorKind}`);

  it('answers a non-streaming request with an OpenAI chat completion, usage and cost', async () => {
    const { r } = router();
    const o = await r.generate(req());
    assert.ok(o.ok);
    assert.equal(o.response.object, 'chat.completion');
    assert.equal(o.response.choices[0]!.message.content, openai.defaultText('sk-test-first-0001'));
    assert.ok(o.response.usage!.prompt_tokens > 0);
    const price = bundledCatalog().offer(MODEL, 'openai')!;
    const u = o.response.usage!;
    assert.equal(o.record.cost, Math.round(((u.prompt_tokens * price.input + u.completion_tokens * price.output) / 1e6) * 1e10) / 1e10);
    assert.equal(openai.requests[0]!.headers.authorization, 'Bearer sk-test-first-0001');
    assert.equal((openai.requests[0]!.json as any).model, 'gpt-4o-mini');
    assert.equal(records.length, 1);
  });

  it('streams text and tool calls as chunks and assembles the final completion', async () => {
    const { r } = router();
    openai.enqueue({ text: ['Let me ', 'check.'], toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }], finishReason: 'tool_calls' });
    const chunks: ChatChunk[] = [];
    const o = await r.generate(req({ stream: true, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }), {
      onChunk: (c) => chunks.push(c),
    });
    assert.ok(o.ok);
    const sent = openai.requests[0]!.json as any;
    assert.deepEqual(sent.stream_options, { include_usage: true });
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Let me check.');
    const call = o.response.choices[0]!.message.tool_calls![0]!;
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Oslo' });
    assert.equal(o.response.choices[0]!.finish_reason, 'tool_calls');
    assert.ok(
      chunks.some((c) => c.usage && c.usage.total_tokens > 0),
      'the usage chunk reaches the caller',
    );
    assert.ok(o.record.ttfbMs! >= 0);
  });

  it('moves to the next key on 429 and cools the limited key down until Retry-After', async () => {
    const { r } = router();
    openai.enqueue(openai.errors.rateLimited(2));
    const first = await r.generate(req());
    assert.deepEqual(trail(first), ['p1:429', 'p2:200']);
    assert.equal(first.record.attempts[0]!.errorKind, 'rate_limited');
    assert.equal(first.record.attempts[0]!.retryAfterMs, 2000);

    const second = await r.generate(req());
    assert.deepEqual(trail(second), ['p2:200'], 'p1 is skipped without a request');
    assert.equal(openai.requests.length, 3);
    assert.ok(second.record.plan[0]!.skippedUntil);

    clock.advance(2001);
    const third = await r.generate(req());
    assert.deepEqual(trail(third), ['p1:200']);
  });

  it('backs off exponentially when a 429 has no Retry-After', async () => {
    const { r } = router();
    openai.enqueue(openai.errors.rateLimited());
    await r.generate(req());
    clock.advance(999);
    assert.deepEqual(trail(await r.generate(req())), ['p2:200']);
    clock.advance(2);
    openai.enqueue(openai.errors.rateLimited());
    assert.deepEqual(trail(await r.generate(req())), ['p1:429', 'p2:200']);
    clock.advance(1500);
    assert.deepEqual(trail(await r.generate(req())), ['p2:200'], 'second failure waits 2 s');
  });

  it('caps a huge Retry-After at the configured maximum', async () => {
    const { r } = router();
    openai.enqueue({ ...openai.errors.rateLimited(), headers: { 'retry-after': '86400' } });
    await r.generate(req());
    clock.advance(5 * 60_000 + 1);
    assert.deepEqual(trail(await r.generate(req())), ['p1:200']);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const { r } = router();
    openai.enqueue({ ...openai.errors.rateLimited(), headers: { 'retry-after': new Date(clock.now() + 30_000).toUTCString() } });
    const o = await r.generate(req());
    assert.ok(Math.abs(o.record.attempts[0]!.retryAfterMs! - 30_000) <= 1000);
  });

  it('falls through prioritized keys to pooled, then to the fallback key', async () => {
    const { r } = router();
    openai.enqueue(openai.errors.serverError(500), openai.errors.serverError(503));
    pooled.enqueue(pooled.errors.serverError(502));
    const o = await r.generate(req({ stream: true }));
    assert.deepEqual(trail(o), ['p1:500', 'p2:503', 'pooled:502', 'fb:200']);
    assert.equal(servedKey(o), 'fb');
    assert.equal(pooled.requests[0]!.headers.authorization, 'Bearer sk-or-test-dev-0004');
    assert.equal(pooled.requests[0]!.headers['x-title'], 'BYOK Router');
    assert.equal((pooled.requests[0]!.json as any).model, MODEL, 'pooled gets the OpenRouter slug');
  });

  it('records OpenRouter cost from its usage on the pooled route', async () => {
    const { r } = router({ keys: [] });
    const o = await r.generate(req({ stream: true }));
    assert.ok(o.ok);
    assert.equal(o.record.servedBy?.route, 'pooled');
    assert.equal(typeof o.record.cost, 'number');
    assert.equal(o.record.byokFee, undefined, 'pooled requests pay no BYOK fee');
  });

  it('treats 401 as auth: falls back and keeps the key off until its secret changes', async () => {
    const { r, secrets } = router();
    openai.validKeys.add('sk-test-second-0002');
    openai.validKeys.add('sk-rotated-0009');
    const o = await r.generate(req());
    assert.deepEqual(trail(o), ['p1:401', 'p2:200']);
    assert.equal(o.record.attempts[0]!.errorKind, 'auth');
    clock.advance(3600_000);
    assert.deepEqual(trail(await r.generate(req())), ['p2:200']);
    secrets.keys.set('p1', 'sk-rotated-0009');
    assert.deepEqual(trail(await r.generate(req())), ['p1:200']);
    openai.validKeys.clear();
  });

  it('stops at once on 400: another route would fail the same way', async () => {
    const { r } = router();
    openai.enqueue(openai.errors.contextLengthExceeded());
    const o = await r.generate(req());
    assert.equal(o.ok, false);
    assert.equal(!o.ok && o.error.kind, 'bad_request');
    assert.deepEqual(trail(o), ['p1:400']);
    assert.equal(pooled.requests.length + backup.requests.length, 0);
  });

  it('stops at once on 404 for an unknown model', async () => {
    const { r } = router();
    openai.enqueue(openai.errors.modelNotFound());
    const o = await r.generate(req());
    assert.equal(!o.ok && o.error.kind, 'bad_request');
    assert.equal(o.record.attempts.length, 1);
  });

  it('times out when headers never arrive and moves on', async () => {
    const { r } = router({ timeouts: { firstByteMs: 200 } });
    openai.enqueue({ neverRespond: true });
    const o = await r.generate(req());
    assert.deepEqual(trail(o), ['p1:timeout', 'p2:200']);
    assert.match(o.record.attempts[0]!.message!, /first-byte timeout/);
  });

  it('times out on a stream that stalls before any content and moves on', async () => {
    const { r } = router({ timeouts: { idleMs: 200 } });
    openai.enqueue({ stallAfterChunks: 0 });
    const o = await r.generate(req({ stream: true }));
    assert.deepEqual(
      trail(o).map((t) => t.split(':')[0]),
      ['p1', 'p2'],
    );
    assert.equal(o.record.attempts[0]!.errorKind, 'timeout');
    assert.ok(o.ok);
  });

  it('enforces the total timeout even while keep-alive comments arrive', async () => {
    const { r } = router({
      timeouts: { totalMs: 300, idleMs: 2000 },
      keys: [{ id: 'p1', provider: 'openai', name: 'first', tier: 'prioritized', options: { baseUrl: openai.baseUrl } }],
    });
    openai.enqueue({ keepAliveComments: 100, chunkDelayMs: 50 });
    const o = await r.generate(req({ stream: true }));
    assert.equal(o.record.attempts[0]!.errorKind, 'timeout');
    assert.match(o.record.attempts[0]!.message!, /total timeout/);
  });

  it('treats a connection reset before headers as a network error and moves on', async () => {
    const { r } = router();
    openai.enqueue({ resetBeforeHeaders: true });
    const o = await r.generate(req());
    assert.equal(o.record.attempts[0]!.errorKind, 'network');
    assert.equal(servedKey(o), 'p2');
  });

  it('treats a malformed stream frame before content as a server error and moves on', async () => {
    const { r } = router();
    openai.enqueue({ malformedAfterChunks: 0 });
    const o = await r.generate(req({ stream: true }));
    assert.equal(o.record.attempts[0]!.errorKind, 'server');
    assert.match(o.record.attempts[0]!.message!, /malformed/);
    assert.equal(servedKey(o), 'p2');
  });

  it('never falls back once content reached the caller, and says so', async () => {
    const { r } = router();
    openai.enqueue({ text: ['one ', 'two ', 'three ', 'four'], resetAfterChunks: 3 });
    const got: string[] = [];
    const o = await r.generate(req({ stream: true }), { onChunk: (c) => got.push(c.choices[0]?.delta.content ?? '') });
    assert.equal(o.ok, false);
    assert.match(!o.ok ? o.error.message : '', /after output had started/);
    assert.ok(got.join('').length > 0);
    assert.equal(o.record.attempts.length, 1);
    assert.equal(openai.requests.length, 1, 'no second key was tried');
  });

  it('reports an OpenRouter mid-stream error chunk as the route failing', async () => {
    const { r } = router({ keys: [] });
    pooled.enqueue({ midStreamError: { afterChunks: 0, message: 'Provider disconnected', errorType: 'provider_unavailable' } });
    const o = await r.generate(req({ stream: true }));
    assert.equal(o.ok, false);
    assert.match(o.record.attempts[0]!.message!, /error during the stream/);
  });

  // The editor passes a Cancel, the endpoint and the CLI an AbortController's signal: both stop the call.
  for (const [kind, make] of [
    ['an AbortSignal', () => new AbortController()],
    ['a Cancel', () => new Cancel()],
  ] as const) {
    const signalOf = (c: AbortController | Cancel) => (c instanceof Cancel ? c : c.signal);

    it(`aborts the in-flight request on cancellation through ${kind} and records cancelled`, async () => {
      const { r } = router();
      openai.enqueue({ neverRespond: true });
      const ac = make();
      setTimeout(() => ac.abort(), 50);
      const o = await r.generate(req({ stream: true }), { signal: signalOf(ac) });
      assert.equal(!o.ok && o.error.kind, 'cancelled');
      assert.equal(o.record.outcome, 'cancelled');
      assert.equal(o.record.attempts.length, 1);
      await openai.waitUntil(
        () => openai.requests[0]?.outcome === 'client-aborted',
        2000,
        () => 'client abort',
      );
    });

    it(`cancels mid-stream through ${kind} without falling back`, async () => {
      const { r } = router();
      openai.enqueue({ text: Array.from({ length: 50 }, (_, i) => `w${i} `), chunkDelayMs: 20 });
      const ac = make();
      let n = 0;
      const o = await r.generate(req({ stream: true }), { signal: signalOf(ac), onChunk: () => ++n === 3 && ac.abort() });
      assert.equal(!o.ok && o.error.kind, 'cancelled');
      assert.equal(openai.requests.length, 1);
    });
  }

  it('returns the last failure as-is when Always use keys are exhausted, without touching pooled', async () => {
    const { r } = router({
      keys: [
        { id: 'p1', provider: 'openai', name: 'first', tier: 'prioritized', alwaysUse: true, options: { baseUrl: openai.baseUrl } },
        { id: 'fb', provider: 'openai', name: 'backup', tier: 'fallback', options: { baseUrl: backup.baseUrl } },
      ],
    });
    openai.enqueue(openai.errors.rateLimited(5));
    const o = await r.generate(req());
    assert.equal(!o.ok && o.error.kind, 'rate_limited');
    assert.equal(!o.ok && o.error.status, 429);
    assert.match(!o.ok ? o.error.message : '', /Always use/);
    assert.equal(pooled.requests.length + backup.requests.length, 0);
    const again = await r.generate(req());
    assert.equal(!again.ok && again.error.kind, 'policy', 'everything cooling down under Always use is a policy stop');
  });

  it('names every attempt in the final error', async () => {
    const { r } = router();
    openai.setDefault(openai.errors.serverError(500));
    backup.setDefault(backup.errors.rateLimited(7));
    pooled.enqueue(pooled.errors.insufficientQuota());
    const o = await r.generate(req());
    assert.equal(o.ok, false);
    const msg = !o.ok ? o.error.message : '';
    assert.match(msg, /openai\/key "first": 500 server/);
    assert.match(msg, /openai\/key "second": 500 server/);
    assert.match(msg, /pooled \(OpenRouter, caller "dev"\): 402 rate_limited/);
    assert.match(msg, /openai\/key "backup": 429 rate_limited, retry in 7 s/);
  });

  it('computes the BYOK fee only above the monthly free allowance', async () => {
    const { r } = router({ fees: { rate: 0.05, freeAllowance: { unit: 'requests', amount: 1 } } });
    const first = await r.generate(req());
    assert.equal(first.record.byokFee, 0);
    assert.equal(first.record.feeWaived, true);
    const second = await r.generate(req());
    assert.equal(second.record.feeWaived, false);
    assert.ok(second.record.byokFee! > 0);
    assert.equal(second.record.byokFee, Math.round(second.record.pooledListCost! * 0.05 * 1e10) / 1e10);
    assert.equal(second.record.saving, Math.round((second.record.pooledListCost! - second.record.cost! - second.record.byokFee!) * 1e10) / 1e10);
    clock.set(Date.UTC(2026, 11, 1, 0, 0, 1)); // a new month restores the allowance
    assert.equal((await r.generate(req())).record.feeWaived, true);
  });

  it('ends every generation in exactly one recorded outcome', async () => {
    const { r } = router();
    const scripts = [{}, openai.errors.rateLimited(1), { resetBeforeHeaders: true }, openai.errors.contextLengthExceeded(), { malformedAfterChunks: 1 }];
    for (let i = 0; i < 20; i++) openai.enqueue(scripts[i % scripts.length]!);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => r.generate(req({ stream: i % 2 === 0 }))));
    assert.equal(records.length, 20);
    assert.deepEqual(new Set(records.map((x) => x.id)).size, 20);
    for (const o of outcomes) assert.ok(['success', 'error', 'cancelled'].includes(o.record.outcome));
  });
});
