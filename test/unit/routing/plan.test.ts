import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import type { KeyConfig } from '../../../src/core/config/schema';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { Cooldowns, keyRouteId, MemoryCooldownStore } from '../../../src/core/routing/cooldowns';
import { formatPlan, planRoute, type Plan } from '../../../src/core/routing/plan';
import { modelFilterMatches } from '../../../src/core/routing/model-filter';
import { RoutingPolicy } from '../../../src/core/routing/policy';

const catalog = bundledCatalog();
const CLAUDE = 'anthropic/claude-sonnet-4.5';

function setup(raw: Record<string, unknown>, opts: { noSecret?: string[]; callerKeys?: string[] } = {}) {
  const { config, diagnostics } = parseConfig(raw);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const secrets = new MapSecretSource();
  for (const k of config.keys) if (!opts.noSecret?.includes(k.id)) secrets.keys.set(k.id, `secret-value-${k.id}`);
  for (const c of opts.callerKeys ?? ['dev', 'prod', 'default']) secrets.callers.set(c, `or-secret-${c}`);
  const clock = new ManualClock();
  const cooldowns = new Cooldowns(new MemoryCooldownStore(), clock, config.cooldown);
  return {
    config,
    secrets,
    clock,
    cooldowns,
    plan: (model: string, caller?: string) => planRoute(model, caller, { config, catalog, secrets, cooldowns, clock }),
  };
}

const k = (id: string, provider: string, tier: string, extra: Record<string, unknown> = {}) => ({ id, provider, name: id, tier, ...extra });
const names = (p: Plan) => p.routes.map((r) => (r.route === 'pooled' ? 'pooled' : r.key.id));

describe('plan', () => {
  const cases: {
    title: string;
    keys: unknown[];
    model?: string;
    caller?: string;
    providerOrder?: string[];
    expect: string[];
    excluded?: Record<string, string>;
  }[] = [
    {
      title: 'puts prioritized keys before pooled and fallback keys after it',
      keys: [k('fb', 'anthropic', 'fallback'), k('p1', 'anthropic', 'prioritized'), k('p2', 'anthropic', 'prioritized')],
      expect: ['p1', 'p2', 'pooled', 'fb'],
    },
    {
      title: 'orders prioritized keys of several providers by provider order, then key order',
      keys: [
        k('a1', 'anthropic', 'prioritized'),
        k('b1', 'amazon-bedrock', 'prioritized'),
        k('v1', 'google-vertex', 'prioritized'),
        k('a2', 'anthropic', 'prioritized'),
      ],
      providerOrder: ['amazon-bedrock', 'google-vertex', 'anthropic'],
      expect: ['b1', 'v1', 'a1', 'a2', 'pooled'],
    },
    {
      title: 'puts BYOK keys before pooled whatever the provider order says',
      keys: [k('a1', 'anthropic', 'prioritized')],
      providerOrder: ['openrouter', 'anthropic'],
      expect: ['a1', 'pooled'],
    },
    {
      title: 'ends the plan after prioritized keys when one has Always use',
      keys: [k('p1', 'anthropic', 'prioritized', { alwaysUse: true }), k('p2', 'amazon-bedrock', 'prioritized'), k('fb', 'anthropic', 'fallback')],
      expect: ['p1', 'p2'],
      excluded: { fb: 'always_use', pooled: 'always_use' },
    },
    {
      title: 'ignores Always use on a key that does not match the model',
      keys: [k('p1', 'openai', 'prioritized', { alwaysUse: true }), k('a1', 'anthropic', 'prioritized')],
      expect: ['a1', 'pooled'],
      excluded: { p1: 'not_served' },
    },
    {
      title: 'leaves out a key whose model filter does not match',
      keys: [
        k('p1', 'anthropic', 'prioritized', { filters: { models: ['anthropic/claude-haiku-*'] } }),
        k('p2', 'anthropic', 'prioritized', { filters: { models: ['anthropic/claude-sonnet-*'] } }),
      ],
      expect: ['p2', 'pooled'],
      excluded: { p1: 'model_filter' },
    },
    {
      title: 'uses a key filtered to prod for prod and not for dev',
      keys: [k('prodkey', 'anthropic', 'prioritized', { filters: { callers: ['prod'] } })],
      caller: 'dev',
      expect: ['pooled'],
      excluded: { prodkey: 'caller_filter' },
    },
    {
      title: 'leaves out disabled keys and keys without a secret',
      keys: [k('off', 'anthropic', 'prioritized', { disabled: true }), k('nosecret', 'anthropic', 'prioritized'), k('ok', 'anthropic', 'fallback')],
      expect: ['pooled', 'ok'],
      excluded: { off: 'disabled', nosecret: 'no_secret' },
    },
    {
      title: 'serves a model the catalog lacks through a key model map',
      keys: [k('m', 'openai', 'prioritized', { options: { modelMap: { 'acme/secret-model': 'ft:gpt-4o:acme' } } })],
      model: 'acme/secret-model',
      expect: ['m', 'pooled'],
    },
    {
      title: 'leaves out an expired key',
      keys: [k('old', 'anthropic', 'prioritized', { expiresAt: '2020-01-01' })],
      expect: ['pooled'],
      excluded: { old: 'expired' },
    },
  ];

  for (const c of cases) {
    it(c.title, async () => {
      const s = setup({ callers: [{ name: 'dev' }, { name: 'prod' }], keys: c.keys, providerOrder: c.providerOrder ?? [] }, { noSecret: ['nosecret'] });
      const plan = await s.plan(c.model ?? CLAUDE, c.caller ?? 'prod');
      assert.deepEqual(names(plan), c.expect);
      for (const [id, reason] of Object.entries(c.excluded ?? {})) {
        const e = plan.excluded.find((x) => (id === 'pooled' ? x.route === 'pooled' : x.keyId === id));
        assert.equal(e?.reason, reason, `${id} should be excluded for ${reason}`);
      }
    });
  }

  it('uses the native id from the catalog and lets a model map override it', async () => {
    const s = setup({
      keys: [k('a', 'anthropic', 'prioritized'), k('b', 'anthropic', 'prioritized', { options: { modelMap: { [CLAUDE]: 'claude-custom' } } })],
    });
    const plan = await s.plan(CLAUDE);
    assert.deepEqual(
      plan.routes.map((r) => r.nativeModel),
      [catalog.offer(CLAUDE, 'anthropic')!.id, 'claude-custom', CLAUDE],
    );
  });

  it('keeps a key in cooldown in the plan, marked skipped until its time', async () => {
    const s = setup({ keys: [k('a', 'anthropic', 'prioritized')] });
    s.cooldowns.recordFailure(keyRouteId('a'), 'rate_limited', '429 rate_limited', 12_000);
    const plan = await s.plan(CLAUDE);
    assert.equal(plan.routes[0]!.skip?.until, s.clock.now() + 12_000);
    assert.match(formatPlan(plan, s.clock.now()), /skipped until .* \(in 12 s\): 429 rate_limited/);
    s.clock.advance(12_001);
    assert.equal((await s.plan(CLAUDE)).routes[0]!.skip, undefined);
  });

  it('keeps a key that failed auth skipped until its secret changes', async () => {
    const s = setup({ keys: [k('a', 'anthropic', 'prioritized')] });
    s.cooldowns.recordFailure(keyRouteId('a'), 'auth', '401 auth', undefined, 'secret-value-a');
    s.clock.advance(24 * 3600_000);
    assert.ok((await s.plan(CLAUDE)).routes[0]!.skip);
    s.secrets.keys.set('a', 'rotated-value');
    assert.equal((await s.plan(CLAUDE)).routes[0]!.skip, undefined);
  });

  it('leaves pooled out when the caller has no OpenRouter key, and says so', async () => {
    const s = setup({ callers: [{ name: 'dev' }], keys: [] }, { callerKeys: [] });
    const plan = await s.plan(CLAUDE, 'dev');
    assert.deepEqual(plan.routes, []);
    assert.match(formatPlan(plan), /pooled \(OpenRouter\): caller "dev" has no OpenRouter key/);
  });
});

describe('plan invariants (property-based)', () => {
  const providers = ['anthropic', 'amazon-bedrock', 'google-vertex', 'openai'];
  const keyArb = fc.record({
    provider: fc.constantFrom(...providers),
    tier: fc.constantFrom('prioritized', 'fallback'),
    alwaysUse: fc.boolean(),
    disabled: fc.boolean(),
    models: fc.option(fc.subarray(['anthropic/*', 'anthropic/claude-sonnet-*', 'openai/*', '*/*']), { nil: undefined }),
    callers: fc.option(fc.subarray(['dev', 'prod']), { nil: undefined }),
  });
  const arb = fc.record({
    keys: fc.array(keyArb, { maxLength: 12 }),
    model: fc.constantFrom(CLAUDE, 'openai/gpt-4o', 'anthropic/claude-haiku-4.5'),
    caller: fc.constantFrom('dev', 'prod'),
    order: fc.shuffledSubarray(providers),
  });

  function build(input: any) {
    const keys = input.keys.map((x: any, i: number) => ({
      id: `k${i}`,
      provider: x.provider,
      name: `k${i}`,
      tier: x.tier,
      alwaysUse: x.tier === 'prioritized' && x.alwaysUse,
      disabled: x.disabled,
      filters: { ...(x.models ? { models: x.models } : {}), ...(x.callers ? { callers: x.callers } : {}) },
    }));
    return setup({ callers: [{ name: 'dev' }, { name: 'prod' }], keys, providerOrder: input.order });
  }

  it('never plans a pooled or fallback route when a listed prioritized key has Always use', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const plan = await build(input).plan(input.model, input.caller);
        const always = plan.routes.some((r) => r.route === 'byok' && r.key.alwaysUse);
        if (always) assert.ok(plan.routes.every((r) => r.route === 'byok' && r.tier === 'prioritized'));
      }),
      { numRuns: 300 },
    );
  });

  it('lists every prioritized route before pooled and pooled before every fallback route', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const plan = await build(input).plan(input.model, input.caller);
        const rank = plan.routes.map((r) => (r.route === 'pooled' ? 1 : r.tier === 'prioritized' ? 0 : 2));
        assert.deepEqual(
          rank,
          [...rank].sort((a, b) => a - b),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps configured key order within a provider and a tier', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const plan = await build(input).plan(input.model, input.caller);
        const byGroup = new Map<string, number[]>();
        for (const r of plan.routes) {
          if (r.route !== 'byok') continue;
          const g = `${r.provider}/${r.tier}`;
          byGroup.set(g, [...(byGroup.get(g) ?? []), Number(r.key.id.slice(1))]);
        }
        for (const idx of byGroup.values())
          assert.deepEqual(
            idx,
            [...idx].sort((a, b) => a - b),
          );
      }),
      { numRuns: 300 },
    );
  });

  it('lists only keys that are enabled and match their model and caller filters', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const plan = await build(input).plan(input.model, input.caller);
        for (const r of plan.routes) {
          if (r.route !== 'byok') continue;
          const key: KeyConfig = r.key;
          assert.equal(key.disabled, false);
          assert.ok(modelFilterMatches(key.filters.models, input.model));
          assert.ok(!key.filters.callers || key.filters.callers.includes(input.caller));
        }
        // every configured key is either planned or explained
        const accounted = plan.routes.filter((r) => r.route === 'byok').length + plan.excluded.filter((e) => e.route === 'byok').length;
        assert.equal(accounted, input.keys.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('plan invariants with routing policy (property-based)', () => {
  const providers = ['anthropic', 'amazon-bedrock', 'openai'];
  const keyArb = fc.record({
    provider: fc.constantFrom(...providers),
    tier: fc.constantFrom('prioritized', 'fallback'),
    alwaysUse: fc.boolean(),
    weight: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    cheap: fc.boolean(),
    budgetUsed: fc.boolean(),
  });
  const arb = fc.record({
    keys: fc.array(keyArb, { maxLength: 10 }),
    model: fc.constantFrom(CLAUDE, 'openai/gpt-4o'),
    byokOnly: fc.boolean(),
    balance: fc.dictionary(fc.constantFrom(...providers), fc.constantFrom('order', 'round-robin', 'least-busy', 'weighted')),
    sort: fc.constantFrom('order', 'price', 'latency', 'throughput'),
    stickTo: fc.option(fc.nat(12), { nil: undefined }),
    requests: fc.integer({ min: 1, max: 4 }),
  });

  async function run(input: any) {
    const keys = input.keys.map((x: any, i: number) => ({
      id: `k${i}`,
      provider: x.provider,
      name: `k${i}`,
      tier: x.tier,
      alwaysUse: x.tier === 'prioritized' && x.alwaysUse,
      ...(x.weight ? { weight: x.weight } : {}),
      ...(x.cheap ? { priceOverrides: { [input.model]: { input: 0.01, output: 0.01 } } } : {}),
      ...(x.budgetUsed ? { budget: { requests: 1, period: 'day' } } : {}),
    }));
    const s = setup({ callers: [{ name: 'dev', byokOnly: input.byokOnly }], defaultCaller: 'dev', keys, balance: input.balance, providerSort: input.sort });
    const policy = new RoutingPolicy({ catalog: () => catalog });
    // Budgets used up: one served request per capped key, as this process's own records.
    for (const key of s.config.keys.filter((k) => k.budget)) {
      policy.recorded(
        {
          v: 1,
          id: `r-${key.id}`,
          startedAt: s.clock.now() - 1,
          surface: 't',
          caller: 'dev',
          model: input.model,
          stream: false,
          outcome: 'success',
          plan: [],
          latencyMs: 1,
          attempts: [{ route: 'byok', provider: key.provider, keyId: key.id, nativeModel: 'x', ok: true, startedAt: s.clock.now() - 1, latencyMs: 1 }],
        },
        s.config,
      );
    }
    const request = { model: input.model, messages: [{ role: 'user' as const, content: 'hi' }] };
    const plans: { before: Plan; after: Plan }[] = [];
    for (let i = 0; i < input.requests; i++) {
      const before = await s.plan(input.model, 'dev');
      if (input.stickTo !== undefined && before.routes.length) {
        const target = before.routes[input.stickTo % before.routes.length]!;
        policy.served(target, before, s.config, s.clock.now(), { request, advance: true });
      }
      plans.push({ before, after: await policy.apply(before, s.config, s.clock.now(), { request, advance: true }) });
      policy.finished(plans[plans.length - 1]!.after);
    }
    return plans;
  }
  const id = (r: Plan['routes'][number]) => (r.route === 'pooled' ? 'pooled' : r.key.id);

  it('never plans a pooled route for a byokOnly caller or under Always use, whatever the policy', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        for (const { after } of await run(input)) {
          if (input.byokOnly || after.alwaysUse.length) assert.ok(after.routes.every((r) => r.route !== 'pooled'));
          if (after.alwaysUse.length) assert.ok(after.routes.every((r) => r.route === 'byok' && r.tier === 'prioritized'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('only reorders, skips or drops routes: never adds one', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        for (const { before, after } of await run(input)) {
          const was = new Set(before.routes.map(id));
          for (const r of after.routes) assert.ok(was.has(id(r)), `${id(r)} was not in the plan`);
          assert.equal(new Set(after.routes.map(id)).size, after.routes.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps tiers in order (prioritized, pooled, fallback) after the one sticky route', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        for (const { after } of await run(input)) {
          const rest = after.routes.filter((r, i) => !(i === 0 && r.sticky));
          assert.ok(after.routes.slice(1).every((r) => !r.sticky));
          const rank = rest.map((r) => (r.route === 'pooled' ? 1 : r.tier === 'prioritized' ? 0 : 2));
          assert.deepEqual(
            rank,
            [...rank].sort((a, b) => a - b),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('skips every key whose budget is used up, with the reason budget', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        for (const { after } of await run(input)) {
          for (const r of after.routes) if (r.route === 'byok' && r.key.budget) assert.match(r.skip?.reason ?? '', /^budget:/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
