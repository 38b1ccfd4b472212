import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import type { CooldownEntry } from '../../../src/core/routing/cooldowns';
import { BudgetLedger, describeBudget } from '../../../src/core/routing/budgets';
import { providersStateSchema, type ScopeInfo } from '../../../src/protocol/providers';
import { unreachableFallbacks } from '../../../src/vscode/panels/lint';
import { buildProvidersState, EXPIRY_WARNING_MS, type ProvidersModelInput } from '../../../src/vscode/panels/providers-model';

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = 86_400_000;
const catalog = bundledCatalog();
const USER: ScopeInfo = { id: 'user', kind: 'user', label: 'User', overrides: [] };
const FOLDER: ScopeInfo = { id: 'file:///ws/api', kind: 'folder', label: 'api', overrides: ['keys'] };
const key = (id: string, extra: Record<string, unknown> = {}) => ({ id, provider: 'openai', name: id, tier: 'prioritized', ...extra });

function input(raw: unknown[], over: Partial<ProvidersModelInput> = {}): ProvidersModelInput {
  const { config } = parseConfig({ keys: raw.filter((e) => typeof e === 'object'), callers: [{ name: 'dev' }, { name: 'prod' }], defaultCaller: 'dev' });
  return {
    scopes: [USER, FOLDER],
    scope: USER,
    ownKeys: true,
    ownCallers: true,
    trusted: true,
    rawKeys: raw,
    userKeys: raw,
    config,
    problems: [],
    tails: new Map(raw.flatMap((e) => (typeof e === 'object' && e && 'id' in e ? [[String((e as { id: unknown }).id), '…beef']] : []))),
    callerTails: new Map([['dev', '…c0de']]),
    cooldown: () => undefined,
    catalog,
    folders: [{ id: FOLDER.id, name: 'api', caller: 'prod' }],
    providers: [{ id: 'openai', label: 'OpenAI' }],
    now: NOW,
    ...over,
  };
}

describe('the Providers view state', () => {
  it('shows every entry of the list: valid ones as rows, refused ones with their error instead of vanishing', () => {
    const raw = [
      key('a'),
      key('b', { tier: 'sideways' }),
      key('a', { name: 'again' }),
      { provider: 'openai' },
      key('c', { filters: { models: ['openai/[gpt'] } }),
    ];
    const st = buildProvidersState(input(raw));
    assert.deepEqual(
      st.keys.map((k) => k.id),
      ['a'],
    );
    assert.deepEqual(
      st.invalid.map((e) => [e.index, e.id ?? null, e.errors.map((x) => `${x.path}: ${x.message}`).join(' | ')]),
      [
        [1, 'b', 'byokRouter.keys[1].tier: expected "prioritized" or "fallback"'],
        [2, 'a', 'byokRouter.keys[2].id: duplicate key id "a"; this entry is ignored'],
        [3, null, st.invalid[2]!.errors.map((x) => `${x.path}: ${x.message}`).join(' | ')],
        [4, 'c', 'byokRouter.keys[4].filters.models[0]: invalid model pattern "openai/[gpt"; this key is ignored'],
      ],
    );
    assert.match(st.invalid[2]!.errors[0]!.path, /^byokRouter\.keys\[3\]/);
    assert.ok(providersStateSchema.safeParse(st).success);
  });

  it('gives each key the status a user needs: healthy, cooldown until, failing auth, expired, no secret, disabled', () => {
    const raw = [
      key('ok'),
      key('cool'),
      key('broken'),
      key('old', { expiresAt: '2026-01-01' }),
      key('empty'),
      key('off', { disabled: true }),
      key('soon', { expiresAt: new Date(NOW + 3 * DAY).toISOString().slice(0, 10) }),
    ];
    const cooldowns: Record<string, CooldownEntry> = {
      'key:cool': { kind: 'rate_limited', until: NOW + 30_000, reason: '429 from openai', failures: 1 },
      'key:broken': { kind: 'auth', until: Infinity, reason: '401 invalid api key', failures: 1 },
    };
    const tails = new Map(raw.map((e) => [e.id, e.id === 'empty' ? undefined : '…beef']));
    const st = buildProvidersState(input(raw, { tails, cooldown: (id) => cooldowns[id] }));
    const by = Object.fromEntries(st.keys.map((k) => [k.id, k]));
    assert.deepEqual(Object.fromEntries(st.keys.map((k) => [k.id, k.status.kind])), {
      ok: 'healthy',
      cool: 'cooldown',
      broken: 'auth',
      old: 'expired',
      empty: 'no_secret',
      off: 'disabled',
      soon: 'healthy',
    });
    assert.equal(by.cool!.status.until, NOW + 30_000);
    assert.equal(by.broken!.status.detail, '401 invalid api key');
    assert.equal(by.soon!.expiry, 'soon');
    assert.equal(by.old!.expiry, 'passed');
    assert.equal(by.empty!.masked, undefined);
    assert.equal(by.ok!.masked, '…beef');
    assert.ok(3 * DAY < EXPIRY_WARNING_MS);
    assert.ok(providersStateSchema.safeParse(st).success);
  });

  it('marks what a folder overrides against the User entry of the same id', () => {
    const user = [key('a'), key('b')];
    const folder = [key('a'), key('b', { alwaysUse: true }), key('c')];
    const own = buildProvidersState(input(folder, { scope: FOLDER, userKeys: user }));
    assert.deepEqual(
      own.keys.map((k) => [k.id, k.mark]),
      [
        ['a', 'same'],
        ['b', 'changed'],
        ['c', 'added'],
      ],
    );
    const inherited = buildProvidersState(input(user, { scope: FOLDER, ownKeys: false, userKeys: user }));
    assert.deepEqual(
      inherited.keys.map((k) => k.mark),
      ['inherited', 'inherited'],
    );
    assert.deepEqual(
      buildProvidersState(input(user)).keys.map((k) => k.mark),
      [undefined, undefined],
    );
  });

  it("lists the defined callers, the folder callers and their OpenRouter keys' tails", () => {
    const st = buildProvidersState(input([key('a')]));
    assert.deepEqual(
      st.callers.map((c) => [c.name, c.masked ?? null, c.status.kind, c.defined]),
      [
        ['dev', '…c0de', 'healthy', true],
        ['prod', null, 'no_secret', true],
      ],
    );
    assert.equal(st.caller, 'dev');
    assert.deepEqual(st.folders, [{ id: FOLDER.id, name: 'api', caller: 'prod' }]);
  });

  it('names a caller in a key filter that is not defined', () => {
    const st = buildProvidersState(input([key('a', { filters: { callers: ['ghost'] } })]));
    assert.deepEqual(st.keys[0]!.warnings, ['caller "ghost" is not defined in callers; no request can match it']);
  });
});

describe('the unreachable-fallback lint', () => {
  const cfg = (raw: unknown[]) => parseConfig({ keys: raw, callers: [{ name: 'dev' }, { name: 'prod' }] }).config.keys;

  it('flags a fallback key when an Always use key matches every request it could serve', () => {
    const keys = cfg([key('p', { alwaysUse: true }), key('f', { tier: 'fallback' })]);
    const out = unreachableFallbacks(keys, catalog, ['dev', 'prod'], NOW);
    assert.match(out.get('f') ?? '', /Always use on "p"/);
  });

  it('leaves a fallback key alone when some model or caller still reaches it', () => {
    const byModel = cfg([key('p', { alwaysUse: true, filters: { models: ['openai/gpt-5*'] } }), key('f', { tier: 'fallback' })]);
    assert.equal(unreachableFallbacks(byModel, catalog, ['dev'], NOW).size, 0);
    const byCaller = cfg([key('p', { alwaysUse: true, filters: { callers: ['dev'] } }), key('f', { tier: 'fallback' })]);
    assert.equal(unreachableFallbacks(byCaller, catalog, ['dev', 'prod'], NOW).size, 0);
    // A fallback for prod only is covered by an Always use key for prod.
    const covered = cfg([key('p', { alwaysUse: true, filters: { callers: ['prod'] } }), key('f', { tier: 'fallback', filters: { callers: ['prod'] } })]);
    assert.equal(unreachableFallbacks(covered, catalog, ['dev', 'prod'], NOW).size, 1);
    const disabled = cfg([key('p', { alwaysUse: true, disabled: true }), key('f', { tier: 'fallback' })]);
    assert.equal(unreachableFallbacks(disabled, catalog, ['dev'], NOW).size, 0);
  });

  it('counts Always use keys of another provider, which end the plan all the same', () => {
    const keys = cfg([
      { id: 'az', provider: 'azure', name: 'az', tier: 'prioritized', alwaysUse: true, options: { deployments: { 'openai/gpt-5-mini': 'mini' } } },
      key('f', { tier: 'fallback', filters: { models: ['openai/gpt-5-mini'] } }),
    ]);
    assert.equal(unreachableFallbacks(keys, catalog, ['dev'], NOW).size, 1);
  });

  it("carries a key's budget use for its badge, only for keys that have a budget", () => {
    const ledger = new BudgetLedger();
    ledger.note({
      v: 1,
      id: 'g1',
      startedAt: NOW - 1000,
      surface: 't',
      caller: 'dev',
      model: 'm',
      stream: false,
      outcome: 'success',
      plan: [],
      latencyMs: 1,
      attempts: [{ route: 'byok', provider: 'openai', keyId: 'capped', nativeModel: 'x', ok: true, startedAt: NOW - 1000, latencyMs: 1, cost: 4.5 }],
    });
    const raw = [key('capped', { budget: { usd: 5, period: 'month' } }), key('free')];
    const st = buildProvidersState(
      input(raw, {
        budget: (k) => {
          const s = ledger.status('key', k.id, k.budget!, NOW, k.name);
          return { ratio: s.ratio, text: describeBudget(s) };
        },
      }),
    );
    assert.deepEqual(st.keys.find((k) => k.id === 'capped')!.budget, { ratio: 0.9, text: '$4.50 of $5.00 spent this month (UTC)' });
    assert.equal(st.keys.find((k) => k.id === 'free')!.budget, undefined);
    assert.ok(providersStateSchema.safeParse(st).success);
  });
});
