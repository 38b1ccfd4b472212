/**
 * Always use never lapses: an enabled Always-use key that matches the request keeps the plan on
 * prioritized keys even when it cannot be tried itself (no secret, expired, failing auth), and
 * the failure names the key and what fixes it. A disabled key enforces nothing.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { keyRouteId } from '../../../src/core/routing/cooldowns';
import { formatPlan } from '../../../src/core/routing/plan';
import { Router } from '../../../src/core/routing/router';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const MODEL = 'openai/gpt-4o-mini';
const req: ChatRequest = { model: MODEL, messages: [{ role: 'user', content: 'hi' }] };

describe('Always use never lapses', () => {
  let prio: OpenAISim;
  let fallback: OpenAISim;
  let pooled: OpenAISim;
  before(async () => {
    [prio, fallback, pooled] = await Promise.all([
      startOpenAISim({ flavor: 'openai' }),
      startOpenAISim({ flavor: 'openai' }),
      startOpenAISim({ flavor: 'openrouter' }),
    ]);
  });
  after(() => Promise.all([prio.close(), fallback.close(), pooled.close()]));
  beforeEach(() => {
    for (const s of [prio, fallback, pooled]) {
      s.requests.length = 0;
      s.setDefault({});
    }
  });

  type StrictState = 'no_secret' | 'unreadable' | 'expired' | 'disabled' | 'cooling' | 'auth' | 'ok' | 'other_caller';

  async function run(state: StrictState, others: number, fallbacks: number, prioStatus: number) {
    const clock = new ManualClock();
    const keys: Record<string, unknown>[] = [
      {
        id: 'strict',
        provider: 'openai',
        name: 'strict',
        tier: 'prioritized',
        alwaysUse: true,
        options: { baseUrl: prio.baseUrl },
        ...(state === 'disabled' ? { disabled: true } : {}),
        ...(state === 'expired' ? { expiresAt: '2020-01-01' } : {}),
        ...(state === 'other_caller' ? { filters: { callers: ['prod'] } } : {}),
      },
    ];
    for (let i = 0; i < others; i++) keys.push({ id: `c${i}`, provider: 'openai', name: `c${i}`, tier: 'prioritized', options: { baseUrl: prio.baseUrl } });
    for (let i = 0; i < fallbacks; i++) keys.push({ id: `f${i}`, provider: 'openai', name: `f${i}`, tier: 'fallback', options: { baseUrl: fallback.baseUrl } });
    const { config } = parseConfig({ callers: [{ name: 'dev' }, { name: 'prod' }], defaultCaller: 'dev', pooled: { baseUrl: pooled.baseUrl }, keys });
    const secrets = new MapSecretSource(new Map(), new Map([['dev', 'sk-or-always-use-dev-0001']]));
    for (const k of config.keys) if (!(k.id === 'strict' && state === 'no_secret')) secrets.keys.set(k.id, `sk-always-use-${k.id}-0001`);
    // A secret-manager reference that cannot be read right now: the source rejects for that key.
    if (state === 'unreadable') {
      const read = secrets.keySecret.bind(secrets);
      secrets.keySecret = (id: string) => (id === 'strict' ? Promise.reject(new Error('1Password CLI not signed in')) : read(id));
    }
    const router = new Router({ config, catalog: bundledCatalog(), secrets, clock });
    if (state === 'cooling') router.cooldowns.recordFailure(keyRouteId('strict'), 'rate_limited', '429 rate_limited', 60_000);
    if (state === 'auth') router.cooldowns.recordFailure(keyRouteId('strict'), 'auth', '401 auth', undefined, 'sk-always-use-strict-0001');
    prio.setDefault(prioStatus === 200 ? {} : { status: prioStatus, errorBody: { error: { message: 'nope', type: 'server_error' } } });
    try {
      const plan = await router.explain(MODEL);
      const outcome = await router.generate(req);
      return { plan, outcome };
    } finally {
      await router.close();
    }
  }

  it('fails the repro instead of serving through pooled: strict has no secret, c answers 500', async () => {
    const { outcome, plan } = await run('no_secret', 1, 1, 500);
    assert.equal(outcome.ok, false);
    assert.equal(pooled.requests.length, 0, 'pooled was asked');
    assert.equal(fallback.requests.length, 0, 'a fallback key was asked');
    assert.equal(prio.requests.length, 1, 'the other prioritized key was tried');
    assert.ok(!outcome.ok);
    assert.match(outcome.error.message, /Always use on openai\/key "strict" keeps this request on your own keys, but it has no stored value: add its value/);
    assert.deepEqual(plan.alwaysUse, ['strict']);
    assert.match(formatPlan(plan), /Always use key "strict" cannot be tried: it has no stored value: add its value/);
  });

  it('fails with a policy error naming the expired key and "rotate it" when it is the only key', async () => {
    const { outcome } = await run('expired', 0, 1, 200);
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.kind, 'policy');
    assert.match(outcome.error.message, /key "strict".*expired on 2020-01-01: rotate it/);
    assert.equal(pooled.requests.length + fallback.requests.length, 0);
  });

  it('names a key failing auth and says to rotate it', async () => {
    const { outcome } = await run('auth', 0, 1, 200);
    assert.ok(!outcome.ok);
    assert.match(outcome.error.message, /key "strict".*failed authentication: rotate it/);
    assert.equal(pooled.requests.length + fallback.requests.length, 0);
  });

  it('holds the plan when the key is a secret-manager reference that cannot be read, naming the manager', async () => {
    const { outcome, plan } = await run('unreadable', 1, 1, 500);
    assert.ok(!outcome.ok);
    assert.equal(pooled.requests.length + fallback.requests.length, 0);
    assert.match(outcome.error.message, /key "strict".*its secret reference could not be read \(1Password CLI not signed in\)/);
    assert.deepEqual(plan.alwaysUse, ['strict']);
  });

  it('lets a disabled Always-use key enforce nothing', async () => {
    const { outcome } = await run('disabled', 0, 0, 200);
    assert.ok(outcome.ok, 'pooled serves');
    assert.equal(outcome.record.servedBy?.route, 'pooled');
  });

  it('keeps pooled and fallback simulators at zero requests over generated configs', async function () {
    this.timeout(60_000);
    const enforcing = new Set<StrictState>(['no_secret', 'unreadable', 'expired', 'cooling', 'auth', 'ok']);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<StrictState>('no_secret', 'unreadable', 'expired', 'disabled', 'cooling', 'auth', 'ok', 'other_caller'),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(500, 429, 401, 200),
        async (state, others, fallbacks, prioStatus) => {
          for (const s of [prio, fallback, pooled]) s.requests.length = 0;
          const { outcome } = await run(state, others, fallbacks, prioStatus);
          if (enforcing.has(state)) {
            assert.equal(pooled.requests.length, 0, `pooled asked with strict ${state}`);
            assert.equal(fallback.requests.length, 0, `fallback asked with strict ${state}`);
            if (!outcome.ok && state !== 'ok' && state !== 'cooling') assert.match(outcome.error.message, /key "strict"/);
          } else if (prioStatus !== 200 || others === 0) {
            // Nothing holds the plan: the pooled simulator really is reachable, so the check above can fail.
            assert.ok(pooled.requests.length > 0, `pooled not asked with strict ${state}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
