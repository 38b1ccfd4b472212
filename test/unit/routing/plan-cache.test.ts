import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import type { RouterConfig } from '../../../src/core/config/schema';
import { ManualClock, MapSecretSource, type SecretSource } from '../../../src/core/ports';
import { Cooldowns, keyRouteId, MemoryCooldownStore, pooledRouteId } from '../../../src/core/routing/cooldowns';
import { planRoute, type Plan, type PlanDeps } from '../../../src/core/routing/plan';
import { PlanCache } from '../../../src/core/routing/plan-cache';
import { RoutingPolicy } from '../../../src/core/routing/policy';
import { referencePlan } from './plan-reference';

const catalog = bundledCatalog();
const MINI = 'openai/gpt-4o-mini';
const CLAUDE = 'anthropic/claude-sonnet-4.5';

function parsed(raw: Record<string, unknown>): RouterConfig {
  const { config, diagnostics } = parseConfig(raw);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return config;
}

function setup(raw: Record<string, unknown>) {
  const state = { config: parsed(raw) };
  const secrets = new MapSecretSource();
  for (const k of state.config.keys) secrets.keys.set(k.id, `secret-value-${k.id}`);
  secrets.callers.set('default', 'or-secret-default');
  const clock = new ManualClock();
  const cooldowns = new Cooldowns(new MemoryCooldownStore(), clock, state.config.cooldown);
  const cache = new PlanCache();
  const deps = (): PlanDeps => ({ config: state.config, catalog, secrets, cooldowns, clock, cache });
  return { state, secrets, clock, cooldowns, cache, plan: (model = MINI, caller?: string) => planRoute(model, caller, deps()) };
}

const ids = (p: Plan) => p.routes.map((r) => (r.route === 'pooled' ? `pooled${r.skip ? '(skip)' : ''}` : `${r.key.id}${r.skip ? '(skip)' : ''}`));
const twoKeys = {
  keys: [
    { id: 'a', provider: 'openai', name: 'A', tier: 'prioritized' },
    { id: 'b', provider: 'openai', name: 'B', tier: 'fallback' },
  ],
};

describe('plan cache', () => {
  it('returns the plan it made while nothing it was made from has changed', async () => {
    const s = setup(twoKeys);
    const first = await s.plan();
    assert.deepEqual(ids(first), ['a', 'pooled', 'b']);
    assert.equal(await s.plan(), first);
    assert.equal(s.cache.size, 1);
    assert.notEqual(await s.plan(MINI, 'other'), first, 'another caller has a plan of its own');
  });

  it('makes the plan again when a cooldown starts, and when it ends by time or by a success', async () => {
    const s = setup(twoKeys);
    await s.plan();
    s.cooldowns.recordFailure(keyRouteId('a'), 'rate_limited', '429 rate_limited', 10_000);
    assert.deepEqual(ids(await s.plan()), ['a(skip)', 'pooled', 'b']);
    s.clock.advance(9_999);
    assert.deepEqual(ids(await s.plan()), ['a(skip)', 'pooled', 'b']);
    s.clock.advance(1);
    assert.deepEqual(ids(await s.plan()), ['a', 'pooled', 'b'], 'the cooldown ran out');
    s.cooldowns.recordFailure(pooledRouteId('default'), 'rate_limited', '429 rate_limited', 60_000);
    assert.deepEqual(ids(await s.plan()), ['a', 'pooled(skip)', 'b']);
    s.cooldowns.recordSuccess(pooledRouteId('default'));
    assert.deepEqual(ids(await s.plan()), ['a', 'pooled', 'b']);
  });

  it('makes the plan again when a secret disappears or appears', async () => {
    const s = setup(twoKeys);
    await s.plan();
    s.secrets.keys.delete('a');
    const without = await s.plan();
    assert.deepEqual(ids(without), ['pooled', 'b']);
    assert.deepEqual(
      without.excluded.filter((e) => e.keyId === 'a').map((e) => e.reason),
      ['no_secret'],
    );
    s.secrets.keys.set('a', 'sk-new-value');
    s.secrets.callers.delete('default');
    assert.deepEqual(ids(await s.plan()), ['a', 'b']);
  });

  it('lifts an auth mark when the key gets a new secret', async () => {
    const s = setup(twoKeys);
    s.cooldowns.recordFailure(keyRouteId('a'), 'auth', '401 auth', undefined, 'secret-value-a');
    assert.deepEqual(ids(await s.plan()), ['a(skip)', 'pooled', 'b']);
    s.secrets.keys.set('a', 'sk-rotated');
    assert.deepEqual(ids(await s.plan()), ['a', 'pooled', 'b']);
  });

  it('makes the plan again for a new configuration, and when a key expires', async () => {
    const s = setup(twoKeys);
    await s.plan();
    s.state.config = parsed({ ...twoKeys, providerOrder: [], pooled: { enabled: false } });
    assert.deepEqual(ids(await s.plan()), ['a', 'b']);
    const expiry = new Date(s.clock.now() + 60_000).toISOString();
    s.state.config = parsed({ keys: [{ ...twoKeys.keys[0], expiresAt: expiry }, twoKeys.keys[1]] });
    assert.deepEqual(ids(await s.plan()), ['a', 'pooled', 'b']);
    s.clock.advance(60_000);
    const expired = await s.plan();
    assert.deepEqual(ids(expired), ['pooled', 'b']);
    assert.equal(expired.excluded.find((e) => e.keyId === 'a')?.reason, 'expired');
  });

  it('is not used with a secret source that cannot say when its values change', async () => {
    const s = setup(twoKeys);
    const plain: SecretSource = { keySecret: (id) => s.secrets.keySecret(id), callerSecret: (c) => s.secrets.callerSecret(c) };
    const deps = { config: s.state.config, catalog, secrets: plain, cooldowns: s.cooldowns, clock: s.clock, cache: s.cache };
    const first = await planRoute(MINI, undefined, deps);
    assert.notEqual(await planRoute(MINI, undefined, deps), first);
    assert.equal(s.cache.size, 0);
  });

  it('does not keep a plan in which a secret reference failed: it may resolve next time', async () => {
    const s = setup(twoKeys);
    let failing = true;
    const flaky: SecretSource = {
      keySecret: async (id) => {
        if (id === 'a' && failing) throw new Error('op: not signed in');
        return s.secrets.keySecret(id);
      },
      callerSecret: (c) => s.secrets.callerSecret(c),
      epoch: () => s.secrets.epoch(),
    };
    const deps = { config: s.state.config, catalog, secrets: flaky, cooldowns: s.cooldowns, clock: s.clock, cache: s.cache };
    const failed = await planRoute(MINI, undefined, deps);
    assert.deepEqual(ids(failed), ['pooled', 'b']);
    assert.equal(failed.excluded.find((e) => e.keyId === 'a')?.reason, 'secret_unavailable');
    failing = false;
    assert.deepEqual(ids(await planRoute(MINI, undefined, deps)), ['a', 'pooled', 'b']);
  });

  it('keeps at most its bound of plans, dropping the oldest first', async () => {
    const s = setup(twoKeys);
    const small = new PlanCache(3);
    const deps = { config: s.state.config, catalog, secrets: s.secrets, cooldowns: s.cooldowns, clock: s.clock, cache: small };
    for (let i = 0; i < 10; i++) await planRoute(MINI, `caller-${i}`, deps);
    assert.equal(small.size, 3);
  });
});

// ---- Property: the cached planner gives the plans the uncached one gave before, through changes. ----

const PROVIDERS = ['openai', 'anthropic', 'groq', 'together', 'azure'] as const;
const MODELS = [MINI, CLAUDE, 'meta-llama/llama-3.3-70b-instruct', 'openai/gpt-oss-120b', 'google/gemini-2.5-flash'];
const CALLERS = ['default', 'dev', 'ci'];

const keyArb = fc.record({
  provider: fc.constantFrom(...PROVIDERS),
  prioritized: fc.boolean(),
  alwaysUse: fc.integer({ min: 0, max: 5 }),
  disabled: fc.integer({ min: 0, max: 7 }),
  expires: fc.constantFrom('none', 'none', 'past', 'soon', 'later'),
  models: fc.constantFrom(undefined, ['openai/*'], ['anthropic/*', '*/gpt-oss-*'], ['!openai/gpt-4o-mini']),
  callers: fc.constantFrom(undefined, ['dev'], ['dev', 'ci'], ['default']),
  mapped: fc.boolean(),
});

const configArb = fc.record({
  keys: fc.array(keyArb, { maxLength: 10 }),
  pooled: fc.boolean(),
  byokOnly: fc.boolean(),
  providerOrder: fc.constantFrom([], ['groq', 'openai'], ['anthropic']),
});

type RawConfig = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

function toConfig(raw: RawConfig, now: number): RouterConfig {
  const at = { past: now - 1000, soon: now + 5_000, later: now + 3_600_000 };
  return parsed({
    callers: CALLERS.map((name) => ({ name, ...(raw.byokOnly && name === 'ci' ? { byokOnly: true } : {}) })),
    pooled: { enabled: raw.pooled },
    providerOrder: raw.providerOrder,
    keys: raw.keys.map((k, i) => ({
      id: `k${i}`,
      provider: k.provider,
      name: `key ${i}`,
      tier: k.prioritized ? 'prioritized' : 'fallback',
      ...(k.alwaysUse === 0 && k.prioritized ? { alwaysUse: true } : {}),
      ...(k.disabled === 0 ? { disabled: true } : {}),
      ...(k.expires !== 'none' ? { expiresAt: new Date(at[k.expires]).toISOString() } : {}),
      filters: { ...(k.models ? { models: k.models } : {}), ...(k.callers ? { callers: k.callers } : {}) },
      options: k.mapped ? { modelMap: { [MINI]: 'mini-deployment', [CLAUDE]: 'claude-deployment' } } : {},
    })),
  });
}

// Plans are most of the steps, over few enough (model, caller) pairs that most of them are cache hits.
const stepArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ op: fc.constant('plan' as const), model: fc.constantFrom(...MODELS.slice(0, 3)), caller: fc.constantFrom(undefined, 'dev') }),
  },
  fc.record({ op: fc.constant('cool' as const), key: fc.nat(11), kind: fc.constantFrom('rate_limited' as const, 'auth' as const) }),
  fc.record({ op: fc.constant('succeed' as const), key: fc.nat(11) }),
  fc.record({ op: fc.constant('secret' as const), key: fc.nat(11), value: fc.constantFrom(undefined, 'v1', 'v2') }),
  fc.record({ op: fc.constant('caller-secret' as const), caller: fc.constantFrom(...CALLERS), present: fc.boolean() }),
  fc.record({ op: fc.constant('time' as const), ms: fc.constantFrom(1_000, 4_000, 30_000, 7_200_000) }),
  fc.record({ op: fc.constant('config' as const), config: configArb }),
);

/** What a plan says, without its object identity: routes, exclusions and Always use. */
const shape = (p: Plan) => JSON.parse(JSON.stringify(p)) as unknown;

describe('plan cache, compared with the planner before it', () => {
  it('gives the same plans, exclusions and policy results as planning afresh, through cooldowns, secrets, time and config changes', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(stepArb, { minLength: 1, maxLength: 60 }), async (raw, steps) => {
        const clock = new ManualClock();
        let config = toConfig(raw, clock.now());
        const secrets = new MapSecretSource();
        raw.keys.forEach((k, i) => i % 4 !== 3 && secrets.keys.set(`k${i}`, `v-${i}`));
        secrets.callers.set('default', 'or-default');
        secrets.callers.set('dev', 'or-dev');
        const cooldowns = new Cooldowns(new MemoryCooldownStore(), clock, config.cooldown);
        const cache = new PlanCache();
        const cachedPolicy = new RoutingPolicy({ catalog: () => catalog });
        const freshPolicy = new RoutingPolicy({ catalog: () => catalog });
        for (const step of steps) {
          if (step.op === 'plan') {
            const deps = { config, catalog, secrets, cooldowns, clock };
            const fresh = await referencePlan(step.model, step.caller, deps);
            const cached = await planRoute(step.model, step.caller, { ...deps, cache });
            assert.deepEqual(shape(cached), shape(fresh));
            const now = clock.now();
            const applied = await cachedPolicy.apply(cached, config, now, { advance: false });
            assert.deepEqual(shape(applied), shape(await freshPolicy.apply(fresh, config, now, { advance: false })));
          } else if (step.op === 'cool') {
            cooldowns.recordFailure(keyRouteId(`k${step.key}`), step.kind, `${step.kind}`, 3_000, step.kind === 'auth' ? `v-${step.key}` : undefined);
          } else if (step.op === 'succeed') cooldowns.recordSuccess(keyRouteId(`k${step.key}`));
          else if (step.op === 'secret') {
            if (step.value) secrets.keys.set(`k${step.key}`, step.value);
            else secrets.keys.delete(`k${step.key}`);
          } else if (step.op === 'caller-secret') {
            if (step.present) secrets.callers.set(step.caller, `or-${step.caller}`);
            else secrets.callers.delete(step.caller);
          } else if (step.op === 'time') clock.advance(step.ms);
          else config = toConfig(step.config, clock.now());
        }
      }),
      { numRuns: 300 },
    );
  });
});
