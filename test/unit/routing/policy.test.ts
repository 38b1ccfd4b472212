import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { Router, type GenerationOutcome } from '../../../src/core/routing/router';
import { formatPlan } from '../../../src/core/routing/plan';
import { ActivityStore } from '../../../src/core/activity/store';
import type { BudgetStatus } from '../../../src/core/routing/budgets';
import type { GenerationRecord } from '../../../src/core/activity/record';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const MINI = 'openai/gpt-4o-mini';
const BIG = 'openai/gpt-4.1';
const ask = (model = MINI, over: Partial<ChatRequest> = {}): ChatRequest => ({ model, messages: [{ role: 'user', content: 'hi' }], ...over });

describe('routing policy against simulated providers', () => {
  let a: OpenAISim;
  let b: OpenAISim;
  let pooled: OpenAISim;
  let clock: ManualClock;
  let records: GenerationRecord[];
  let routers: Router[];

  before(async () => {
    [a, b, pooled] = await Promise.all([startOpenAISim({ flavor: 'openai' }), startOpenAISim({ flavor: 'openai' }), startOpenAISim({ flavor: 'openrouter' })]);
  });
  after(async () => {
    await Promise.all([a.close(), b.close(), pooled.close()]);
  });
  beforeEach(() => {
    clock = new ManualClock();
    records = [];
    routers = [];
    for (const s of [a, b, pooled]) {
      s.requests.length = 0;
      s.setDefault({});
    }
  });
  afterEach(async () => {
    await Promise.all(routers.map((r) => r.close()));
  });

  const key = (id: string, sim: OpenAISim, extra: Record<string, unknown> = {}) => ({
    id,
    provider: 'openai',
    name: id,
    tier: 'prioritized',
    options: { baseUrl: sim.baseUrl },
    ...extra,
  });

  function router(raw: Record<string, unknown>, deps: Partial<ConstructorParameters<typeof Router>[0]> = {}) {
    const { config, diagnostics } = parseConfig({ callers: [{ name: 'dev' }], defaultCaller: 'dev', pooled: { baseUrl: pooled.baseUrl }, ...raw });
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const ids = ((raw.keys as { id: string }[]) ?? []).map((k) => [k.id, `sk-test-${k.id}-000${k.id.length}`] as [string, string]);
    const secrets = new MapSecretSource(
      new Map(ids),
      new Map([
        ['dev', 'sk-or-dev-0001'],
        ['private', 'sk-or-private-0002'],
      ]),
    );
    const r = new Router({ config, catalog: bundledCatalog(), secrets, clock, sink: { append: (rec) => void records.push(rec) }, ...deps });
    routers.push(r);
    return r;
  }
  const trail = (o: GenerationOutcome) => o.record.attempts.map((x) => `${x.keyId ?? x.route}:${x.status ?? x.errorKind}`);

  describe('model fallbacks', () => {
    let keys: ReturnType<typeof key>[];
    beforeEach(() => {
      keys = [key('mini', a, { filters: { models: [MINI] } }), key('big', b, { filters: { models: [BIG] } })];
    });

    it('tries the next model’s whole plan when every route for the first fails, and records why it gave up', async () => {
      const r = router({ keys, pooled: { enabled: false }, modelFallbacks: { [MINI]: [BIG] } });
      a.enqueue(a.errors.rateLimited(30));
      const o = await r.generate(ask());
      assert.ok(o.ok);
      assert.deepEqual(trail(o), ['mini:429', 'big:200']);
      assert.deepEqual(o.record.servedBy && { key: o.record.servedBy.keyId, model: o.record.servedBy.model }, { key: 'big', model: BIG });
      assert.equal(o.record.model, MINI);
      assert.equal(o.record.modelFallbacks?.length, 1);
      assert.equal(o.record.modelFallbacks![0]!.model, MINI);
      assert.equal(o.record.modelFallbacks![0]!.errorKind, 'rate_limited');
      assert.equal((b.requests[0]!.json as { model: string }).model, 'gpt-4.1');
    });

    it('takes a request’s own models list over the settings and does not send it to the provider', async () => {
      const r = router({ keys, pooled: { enabled: false } });
      a.enqueue(a.errors.serverError(503));
      const o = await r.generate(ask(MINI, { models: [BIG] } as Partial<ChatRequest>));
      assert.ok(o.ok);
      assert.equal(o.record.servedBy?.model, BIG);
      for (const req of [...a.requests, ...b.requests]) assert.equal((req.json as Record<string, unknown>).models, undefined);
    });

    it('stops the whole chain on bad_request', async () => {
      const r = router({ keys, pooled: { enabled: false }, modelFallbacks: { [MINI]: [BIG] } });
      a.enqueue(a.errors.contextLengthExceeded());
      const o = await r.generate(ask());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'bad_request');
      assert.equal(b.requests.length, 0);
      assert.equal(o.record.modelFallbacks, undefined);
    });

    it('does not switch model once output has started', async () => {
      const r = router({ keys, pooled: { enabled: false }, modelFallbacks: { [MINI]: [BIG] } });
      a.enqueue({ text: ['one ', 'two ', 'three'], resetAfterChunks: 2 });
      const o = await r.generate(ask(MINI, { stream: true }), { onChunk: () => {} });
      assert.ok(!o.ok);
      assert.equal(b.requests.length, 0);
    });

    it('stops on cancellation', async () => {
      const r = router({ keys, pooled: { enabled: false }, modelFallbacks: { [MINI]: [BIG] } });
      a.enqueue({ neverRespond: true });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const o = await r.generate(ask(), { signal: ac.signal });
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'cancelled');
      assert.equal(b.requests.length, 0);
    });

    it('keeps Always use within each model: no pooled route for the first model, then the next model', async () => {
      const r = router({ keys: [key('mini', a, { alwaysUse: true, filters: { models: [MINI] } }), keys[1]!], modelFallbacks: { [MINI]: [BIG] } });
      a.enqueue(a.errors.rateLimited(30));
      const o = await r.generate(ask());
      assert.ok(o.ok);
      assert.deepEqual(trail(o), ['mini:429', 'big:200']);
      assert.equal(pooled.requests.length, 0);
    });
  });

  describe('byokOnly and OpenRouter preferences', () => {
    it('never uses pooled access for a byokOnly caller, whatever the keys say', async () => {
      const r = router({ callers: [{ name: 'dev' }, { name: 'private', byokOnly: true }], keys: [key('k', a), { ...key('fb', b), tier: 'fallback' }] });
      a.enqueue(a.errors.rateLimited(30));
      const o = await r.generate(ask(), { caller: 'private' });
      assert.deepEqual(trail(o), ['k:429', 'fb:200']);
      assert.equal(pooled.requests.length, 0);
      const plan = await r.explain(MINI, 'private');
      assert.ok(plan.routes.every((x) => x.route !== 'pooled'));
      assert.match(formatPlan(plan), /BYOK only/);
    });

    it('sends pooled.preferences as OpenRouter’s provider object, with the caller’s own on top', async () => {
      const r = router({
        callers: [{ name: 'dev', preferences: { sort: 'latency', only: ['anthropic'] } }],
        keys: [],
        pooled: {
          baseUrl: pooled.baseUrl,
          preferences: {
            data_collection: 'deny',
            zdr: true,
            only: ['openai', 'azure'],
            ignore: ['deepinfra'],
            order: ['openai'],
            max_price: { prompt: 1, completion: 4 },
          },
        },
      });
      const o = await r.generate(ask());
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      const sent = (pooled.requests[0]!.json as { provider: unknown }).provider;
      assert.deepEqual(sent, {
        data_collection: 'deny',
        zdr: true,
        only: ['anthropic'],
        ignore: ['deepinfra'],
        order: ['openai'],
        max_price: { prompt: 1, completion: 4 },
        sort: 'latency',
      });
    });

    it('the pooled simulator refuses a malformed provider object, as OpenRouter does', async () => {
      const r = router({ keys: [] });
      const o = await r.generate(ask(MINI, {}), {});
      assert.ok(o.ok);
      const res = await fetch(`${pooled.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-or-x-0001', 'content-type': 'application/json' },
        body: JSON.stringify({ model: MINI, messages: [{ role: 'user', content: 'x' }], provider: { data_colection: 'deny' } }),
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Unrecognized key/);
    });
  });

  describe('cost', () => {
    it('prices cached input at the catalog’s cache price, not the full input price', async () => {
      const r = router({ keys: [key('k', a)] });
      a.enqueue({ usage: { prompt_tokens: 1_000_000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 800_000 } } });
      const o = await r.generate(ask(BIG));
      assert.ok(o.ok);
      // gpt-4.1: $2 input, $0.50 cached: 200k × 2 + 800k × 0.5 per million
      assert.equal(o.record.cost, 0.8);
      assert.equal(o.record.cacheReadTokens, 800_000);
    });

    it('uses a key’s negotiated prices, and the saving against pooled uses them', async () => {
      const r = router({ keys: [key('k', a, { priceOverrides: { [BIG]: { input: 1, output: 2 } } })] });
      a.enqueue({ usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } });
      const o = await r.generate(ask(BIG));
      assert.ok(o.ok);
      assert.equal(o.record.cost, 3);
      assert.equal(o.record.saving, o.record.pooledListCost! - 3 - (o.record.byokFee ?? 0));
    });

    it('records the cost of a model with no known price as unknown (null), not $0', async () => {
      const r = router({ keys: [key('k', a, { options: { baseUrl: a.baseUrl, modelMap: { 'acme/house-model': 'gpt-4o-mini' } } })] });
      const o = await r.generate(ask('acme/house-model'));
      assert.ok(o.ok);
      assert.equal(o.record.cost, null);
    });
  });

  describe('balance', () => {
    const three = (extra: (i: number) => Record<string, unknown> = () => ({})) => [0, 1, 2].map((i) => key(`k${i}`, a, extra(i)));

    it('spreads 1,000 requests within a few percent of the keys’ weights', async function () {
      this.timeout(60_000);
      const weights = [1, 2, 7];
      const r = router({ keys: three((i) => ({ weight: weights[i] })), balance: { openai: 'weighted' }, stickiness: { ttlMs: 0 } });
      const served = new Map<string, number>();
      for (let i = 0; i < 1000; i++) {
        const o = await r.generate(ask());
        const id = o.record.servedBy!.keyId!;
        served.set(id, (served.get(id) ?? 0) + 1);
      }
      weights.forEach((w, i) => {
        const share = (served.get(`k${i}`) ?? 0) / 1000;
        assert.ok(Math.abs(share - w / 10) < 0.03, `k${i} served ${share}, weight share ${w / 10}`);
      });
    });

    it('rotates round-robin over a provider’s keys and skips a key cooling down', async () => {
      const r = router({ keys: three(), balance: { openai: 'round-robin' }, stickiness: { ttlMs: 0 } });
      const firsts: string[] = [];
      for (let i = 0; i < 6; i++) firsts.push((await r.generate(ask())).record.attempts[0]!.keyId!);
      assert.deepEqual(firsts, ['k0', 'k1', 'k2', 'k0', 'k1', 'k2']);
    });

    it('sends to the least busy key', async () => {
      const r = router({ keys: three(), balance: { openai: 'least-busy' }, stickiness: { ttlMs: 0 } });
      a.setDefault({ delayBeforeHeadersMs: 100 });
      const outs = await Promise.all([0, 1, 2].map((i) => r.generate(ask(MINI, { messages: [{ role: 'user', content: `q${i}` }] }))));
      assert.deepEqual(outs.map((o) => o.record.servedBy!.keyId).sort(), ['k0', 'k1', 'k2']);
    });

    it('never crosses tiers or Always use', async () => {
      const keys = [key('p0', a, { alwaysUse: true }), key('p1', a), { ...key('f0', a), tier: 'fallback' }, { ...key('f1', a), tier: 'fallback' }];
      const r = router({ keys, balance: { openai: 'round-robin' }, stickiness: { ttlMs: 0 } });
      for (let i = 0; i < 4; i++) {
        const plan = await r.explain(MINI);
        assert.deepEqual(
          plan.routes.map((x) => (x.route === 'byok' ? x.tier : 'pooled')),
          ['prioritized', 'prioritized'],
        );
        await r.generate(ask());
      }
      assert.equal(pooled.requests.length, 0);
    });
  });

  describe('provider sort', () => {
    it('orders a tier by price from the catalog and the key’s negotiated prices', async () => {
      const r = router({ keys: [key('list', a), key('deal', b, { priceOverrides: { [MINI]: { input: 0.01, output: 0.01 } } })], providerSort: 'price' });
      const plan = await r.explain(MINI);
      assert.deepEqual(
        plan.routes.flatMap((x) => (x.route === 'byok' ? [x.key.id] : [])),
        ['deal', 'list'],
      );
    });

    it('orders by latency from the last attempts, and keeps the configured order without history', async () => {
      const r = router({ keys: [key('slow', a), key('fast', b)], providerSort: 'latency', stickiness: { ttlMs: 0 } });
      assert.deepEqual(
        (await r.explain(MINI)).routes.flatMap((x) => (x.route === 'byok' ? [x.key.id] : [])),
        ['slow', 'fast'],
      );
      a.setDefault({ delayBeforeHeadersMs: 120 });
      await r.generate(ask());
      a.enqueue(a.errors.serverError(500));
      await r.generate(ask()); // 'slow' fails, so 'fast' answers and is measured
      assert.deepEqual(
        (await r.explain(MINI)).routes.flatMap((x) => (x.route === 'byok' ? [x.key.id] : [])),
        ['fast', 'slow'],
      );
    });
  });

  describe('stickiness', () => {
    it('keeps a conversation on the route that served it while it is healthy, until the TTL runs out', async () => {
      const r = router({ keys: [key('p1', a), key('p2', b)], stickiness: { ttlMs: 60_000 } });
      a.enqueue(a.errors.rateLimited(1));
      const conv = ask(MINI, {
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'first question' },
        ],
      });
      assert.equal((await r.generate(conv)).record.servedBy!.keyId, 'p2');
      clock.advance(5_000); // p1's cooldown is over
      const again = await r.generate({ ...conv, messages: [...conv.messages, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'more' }] });
      assert.deepEqual(trail(again), ['p2:200']);
      assert.equal(again.record.plan[0]!.sticky, true);
      assert.equal((await r.generate(ask(MINI, { messages: [{ role: 'user', content: 'another conversation' }] }))).record.servedBy!.keyId, 'p1');
      const plan = await r.explain(MINI, undefined, { request: conv, advance: false });
      assert.match(formatPlan(plan), /1\. openai\/key "p2".*sticky/);
      clock.advance(61_000);
      assert.equal((await r.generate(conv)).record.servedBy!.keyId, 'p1');
    });

    it('uses an explicit session id, and stores only hashes, routes and expiries', async () => {
      const r = router({ keys: [key('p1', a), key('p2', b)] });
      a.enqueue(a.errors.rateLimited(1));
      await r.generate(ask(MINI, { messages: [{ role: 'user', content: 'secret-ish prompt text' }] }), { sessionId: 'chat-42' });
      clock.advance(5_000);
      const o = await r.generate(ask(MINI, { messages: [{ role: 'user', content: 'a different opening' }] }), { sessionId: 'chat-42' });
      assert.equal(o.record.servedBy!.keyId, 'p2');
      const held = JSON.stringify(r.policy.sticky.entries());
      assert.doesNotMatch(held, /secret-ish|chat-42|different/);
      assert.match(held, /"routeId":"key:p2"/);
    });

    it('remembers no conversation whose plan offered a single route, and does once a second route is there', async () => {
      const one = router({ keys: [key('p1', a)], pooled: { enabled: false }, stickiness: { ttlMs: 60_000 } });
      for (let i = 0; i < 3; i++) assert.equal((await one.generate(ask(MINI, { messages: [{ role: 'user', content: `c${i}` }] }))).ok, true);
      assert.equal(one.policy.sticky.size, 0);
      const two = router({ keys: [key('p1', a), key('p2', b)], pooled: { enabled: false }, stickiness: { ttlMs: 60_000 } });
      for (let i = 0; i < 3; i++) assert.equal((await two.generate(ask(MINI, { messages: [{ role: 'user', content: `c${i}` }] }))).ok, true);
      assert.equal(two.policy.sticky.size, 3);
    });

    it('bounds what it remembers', async () => {
      const r = router({ keys: [key('p1', a)], stickiness: { ttlMs: 60_000, maxEntries: 5 } });
      for (let i = 0; i < 12; i++) await r.generate(ask(MINI, { messages: [{ role: 'user', content: `c${i}` }] }));
      assert.equal(r.policy.sticky.size, 5);
    });
  });

  describe('budgets', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'byok-budget-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('skips a key over budget with the reason budget mid-run, warns once at 80 %, and explain names it', async () => {
      const store = new ActivityStore({ dir });
      const warnings: BudgetStatus[] = [];
      const r = router(
        { keys: [key('capped', a, { budget: { requests: 5, period: 'day' } }), key('spare', b)] },
        { sink: store, history: store, onBudgetWarning: (s) => void warnings.push(s) },
      );
      const served: string[] = [];
      for (let i = 0; i < 8; i++) {
        served.push((await r.generate(ask(MINI, { messages: [{ role: 'user', content: `q${i}` }] }))).record.servedBy!.keyId!);
        clock.advance(3_000);
      }
      assert.deepEqual(served, ['capped', 'capped', 'capped', 'capped', 'capped', 'spare', 'spare', 'spare']);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.id, 'capped');
      const plan = await r.explain(MINI);
      assert.match(plan.routes[0]!.skip?.reason ?? '', /^budget: .*5 of 5 requests spent this day/);
      assert.match(formatPlan(plan), /key "capped".*budget/);
      await store.close();
    });

    it('counts spend from the activity log, so another window’s spend counts too', async () => {
      const store1 = new ActivityStore({ dir });
      const one = router({ keys: [key('capped', a, { budget: { usd: 0.0001, period: 'month' } }), key('spare', b)] }, { sink: store1 });
      a.setDefault({ usage: { prompt_tokens: 1_000, completion_tokens: 1_000 } });
      await one.generate(ask());
      await store1.close();
      const store2 = new ActivityStore({ dir });
      const two = router({ keys: [key('capped', a, { budget: { usd: 0.0001, period: 'month' } }), key('spare', b)] }, { sink: store2, history: store2 });
      const o = await two.generate(ask());
      assert.deepEqual(trail(o), ['spare:200']);
      await store2.close();
    });

    it('gives the key back at the UTC month boundary', async () => {
      clock.set(Date.UTC(2026, 0, 31, 23, 59, 0));
      const store = new ActivityStore({ dir });
      const r = router(
        { keys: [key('capped', a, { budget: { requests: 1, period: 'month' } }), key('spare', b)], stickiness: { ttlMs: 0 } },
        { sink: store, history: store },
      );
      assert.equal((await r.generate(ask())).record.servedBy!.keyId, 'capped');
      clock.advance(10_000);
      assert.equal((await r.generate(ask())).record.servedBy!.keyId, 'spare');
      clock.set(Date.UTC(2026, 1, 1, 0, 0, 1));
      assert.equal((await r.generate(ask())).record.servedBy!.keyId, 'capped');
      await store.close();
    });

    it('is a hard failure under Always use', async () => {
      const store = new ActivityStore({ dir });
      const r = router({ keys: [key('capped', a, { alwaysUse: true, budget: { requests: 1, period: 'day' } })] }, { sink: store, history: store });
      assert.ok((await r.generate(ask())).ok);
      clock.advance(5_000);
      const o = await r.generate(ask());
      assert.ok(!o.ok);
      assert.equal(o.error.kind, 'policy');
      assert.match(o.error.message, /budget/);
      assert.equal(pooled.requests.length, 0);
      await store.close();
    });

    it('keeps serving when the activity log cannot be read, counting this window’s own spend', async () => {
      const unreadable = { read: async () => Promise.reject(new Error('EISDIR: illegal operation on a directory, read')) };
      const r = router(
        { keys: [key('capped', a, { budget: { requests: 1, period: 'day' } }), key('spare', b)], stickiness: { ttlMs: 0 } },
        { history: unreadable },
      );
      const first = await r.generate(ask());
      assert.ok(first.ok, first.ok ? '' : first.error.message);
      assert.equal(first.record.servedBy!.keyId, 'capped');
      clock.advance(5_000);
      assert.equal((await r.generate(ask())).record.servedBy!.keyId, 'spare', 'the window’s own record still counts against the budget');
    });

    it('holds no records for budgets while no budget is set, and only then', async () => {
      const day = { requests: 10, period: 'day' as const };
      const none = router({ keys: [key('k', a)] });
      for (let i = 0; i < 3; i++) assert.ok((await none.generate(ask())).ok);
      assert.equal(none.policy.budgets.status('key', 'k', day, clock.now()).requests, 0, 'no budget: nothing kept');
      const capped = router({ keys: [key('k', a, { budget: day })] });
      for (let i = 0; i < 3; i++) assert.ok((await capped.generate(ask())).ok);
      assert.equal(capped.policy.budgets.status('key', 'k', day, clock.now()).requests, 3);
    });

    it('skips a caller’s pooled access over its budget', async () => {
      const store = new ActivityStore({ dir });
      const r = router({ callers: [{ name: 'dev', budget: { requests: 1, period: 'day' } }], keys: [] }, { sink: store, history: store });
      assert.ok((await r.generate(ask())).ok);
      clock.advance(5_000);
      const o = await r.generate(ask());
      assert.ok(!o.ok);
      assert.equal(pooled.requests.length, 1);
      assert.match(o.record.plan[0]!.skipReason ?? '', /budget/);
      await store.close();
    });
  });
});
