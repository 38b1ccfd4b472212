import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { checkModelFallbacks, modelFallbackProblems } from '../../../src/core/config/fallback-lint';
import { parseConfig } from '../../../src/core/config/parse';
import { providersRequestBodySchema, providersStateSchema, type ProvidersState } from '../../../src/protocol/providers';
import { patchKey } from '../../../src/vscode/key-edits';
import { patchCaller, withBalance, withModelFallbacks, withPreferences, withStickiness } from '../../../src/vscode/panels/policy-edits';
import { balanceRows, buildPolicyState } from '../../../src/vscode/panels/policy-model';

const catalog = bundledCatalog();
const inCatalog = (s: string) => !!catalog.get(s);
const key = (id: string, tier = 'prioritized', extra: Record<string, unknown> = {}) => ({ id, provider: 'openai', name: id, tier, ...extra });

describe('the Routing policy section of the Providers view', () => {
  describe('its protocol', () => {
    const refused = (body: unknown) => !providersRequestBodySchema.safeParse(body).success;

    it('refuses a sort, a strategy or a stickiness the settings would refuse', () => {
      assert.ok(refused({ op: 'setProviderSort', scope: 'user', sort: 'cheapest' }));
      assert.ok(refused({ op: 'setBalance', scope: 'user', provider: 'openai', strategy: 'random' }));
      assert.ok(refused({ op: 'setBalance', scope: 'user', provider: 'Open AI', strategy: 'order' }));
      assert.ok(refused({ op: 'setStickiness', scope: 'user', ttlMs: -1 }));
      assert.ok(refused({ op: 'setStickiness', scope: 'user', ttlMs: 1.5 }));
      assert.ok(refused({ op: 'setStickiness', scope: 'user', ttlMs: 24 * 60 * 60_000 + 1 }));
      assert.ok(!refused({ op: 'setStickiness', scope: 'user', ttlMs: 0 }));
    });

    it('refuses more than 8 fallbacks with the words settings parsing uses, and an empty slug', () => {
      const nine = Array.from({ length: 9 }, (_, i) => `openai/m${i}`);
      const r = providersRequestBodySchema.safeParse({ op: 'setModelFallbacks', scope: 'user', model: 'a/b', fallbacks: nine });
      assert.ok(!r.success);
      assert.match(r.error.issues[0]!.message, /at most 8 fallback models/);
      assert.match(parseConfig({ modelFallbacks: { 'a/b': nine } }).diagnostics[0]!.message, /at most 8 fallback models/);
      assert.ok(refused({ op: 'setModelFallbacks', scope: 'user', model: ' ', fallbacks: null }));
    });

    it('refuses a preference OpenRouter does not know, a negative price and a weight of zero', () => {
      assert.ok(refused({ op: 'setCallerPolicy', scope: 'user', caller: 'dev', preferences: { data_collection: 'maybe' } }));
      assert.ok(refused({ op: 'setCallerPolicy', scope: 'user', caller: 'dev', preferences: { quantizations: ['fp8'] } }));
      assert.ok(refused({ op: 'setCallerPolicy', scope: 'user', preferences: { max_price: { prompt: -1 } } }));
      assert.ok(refused({ op: 'setCallerPolicy', scope: 'user', unset: ['allow_fallbacks'] }));
      assert.ok(refused({ op: 'setCallerPolicy', scope: 'user', preferences: null }));
      assert.ok(refused({ op: 'updateKey', scope: 'user', keyId: 'k', patch: { weight: 0 } }));
      assert.ok(!refused({ op: 'updateKey', scope: 'user', keyId: 'k', patch: { weight: null } }));
    });

    it('carries the policy in the state, and a state with a broken policy is refused', () => {
      const { config } = parseConfig({
        keys: [key('a'), key('b', 'prioritized', { weight: 3 })],
        callers: [
          { name: 'dev', byokOnly: true },
          { name: 'prod', preferences: { zdr: true, allow_fallbacks: false } },
        ],
        balance: { openai: 'weighted' },
        providerSort: 'latency',
        stickiness: { ttlMs: 0 },
        modelFallbacks: { 'openai/gpt-5': ['openai/gpt-5-mini', 'nobody/nothing-9'] },
        pooled: { preferences: { data_collection: 'deny' } },
      });
      const policy = buildPolicyState({ config, inCatalog, label: (p) => p.toUpperCase() });
      const state = {
        scopes: [{ id: 'user', kind: 'user', label: 'User', overrides: [] }],
        scope: 'user',
        ownKeys: true,
        ownCallers: true,
        trusted: true,
        providers: [],
        keys: [],
        invalid: [],
        callers: [],
        caller: 'dev',
        folders: [],
        pooled: { enabled: true, baseUrl: 'https://openrouter.ai/api/v1' },
        problems: [],
        models: [],
        policy,
        now: 0,
      } satisfies ProvidersState;
      assert.ok(providersStateSchema.safeParse(state).success);
      assert.equal(policy.providerSort, 'latency');
      assert.equal(policy.stickinessTtlMs, 0);
      assert.deepEqual(policy.balance, [
        {
          provider: 'openai',
          label: 'OPENAI',
          strategy: 'weighted',
          keys: [
            { id: 'a', name: 'a', tier: 'prioritized' },
            { id: 'b', name: 'b', tier: 'prioritized', weight: 3 },
          ],
        },
      ]);
      assert.deepEqual(policy.modelFallbacks[0]!.problems, [`model "nobody/nothing-9" is not in the catalog or any key's model map; no route can serve it`]);
      assert.deepEqual(policy.preferences, { data_collection: 'deny' });
      // Fields the panel does not edit are left out of the view (and kept in settings by the edits below).
      assert.deepEqual(policy.callers, [
        { name: 'dev', byokOnly: true },
        { name: 'prod', byokOnly: false, preferences: { zdr: true } },
      ]);
      assert.ok(!providersStateSchema.safeParse({ ...state, policy: { ...policy, providerSort: 'cheapest' } }).success);
    });
  });

  it('shows preferences the protocol accepts even when settings hold blank or overlong provider names', () => {
    const { config } = parseConfig({ callers: [{ name: 'dev', preferences: { only: [' ', 'x'.repeat(300), 'openai'], ignore: ['  '] } }] });
    const policy = buildPolicyState({ config, inCatalog, label: (p) => p });
    assert.deepEqual(policy.callers[0]!.preferences, { only: ['x'.repeat(100), 'openai'] });
  });

  it('offers balance only for a provider with two or more keys in one tier, and only those keys', () => {
    const one = parseConfig({ keys: [key('a'), key('f', 'fallback')] }).config;
    assert.deepEqual(
      balanceRows(one, (p) => p),
      [],
    );
    const two = parseConfig({ keys: [key('a'), key('f', 'fallback'), key('b')] }).config;
    assert.deepEqual(
      balanceRows(two, (p) => p)[0]!.keys.map((k) => k.id),
      ['a', 'b'],
    );
  });

  describe('its edits of settings as written', () => {
    it('sets one provider strategy, removing the default unless a folder must override the user value', () => {
      assert.deepEqual(withBalance({ anthropic: 'least-busy' }, 'openai', 'round-robin'), { anthropic: 'least-busy', openai: 'round-robin' });
      assert.equal(withBalance({ openai: 'round-robin' }, 'openai', 'order'), undefined);
      assert.deepEqual(withBalance(undefined, 'openai', 'order', { openai: 'weighted' }), { openai: 'order' });
    });

    it('sets the stickiness time and keeps maxEntries', () => {
      assert.deepEqual(withStickiness({ maxEntries: 50, ttlMs: 1 }, 0), { maxEntries: 50, ttlMs: 0 });
      assert.deepEqual(withStickiness(undefined, 60_000), { ttlMs: 60_000 });
    });

    it("sets one model's fallbacks, dropping duplicates and the model itself, and removes an emptied entry", () => {
      const base = { 'x/a': ['x/b'], 'x/c': ['x/d'] };
      assert.deepEqual(withModelFallbacks(base, 'x/a', ['x/e', 'x/a', 'x/e', ' x/f ']), { 'x/a': ['x/e', 'x/f'], 'x/c': ['x/d'] });
      assert.deepEqual(withModelFallbacks(base, 'x/a', null), { 'x/c': ['x/d'] });
      assert.equal(withModelFallbacks({ 'x/a': ['x/b'] }, 'x/a', []), undefined);
    });

    it('checks fallbacks as settings parsing does, then against the catalog and the keys’ model maps', () => {
      const { config } = parseConfig({ keys: [key('a', 'prioritized', { options: { modelMap: { 'acme/house-model': 'house-v1' } } })] });
      assert.equal(checkModelFallbacks({ 'openai/gpt-5': ['openai/gpt-5-mini'] }, config, inCatalog), undefined);
      assert.equal(checkModelFallbacks({ 'openai/gpt-5': ['acme/house-model'] }, config, inCatalog), undefined);
      assert.equal(
        checkModelFallbacks({ 'openai/gpt-5': ['openai/gpt-5-mini', 'nobody/nothing-9'] }, config, inCatalog),
        `modelFallbacks["openai/gpt-5"][1]: model "nobody/nothing-9" is not in the catalog or any key's model map; no route can serve it`,
      );
      const shape = checkModelFallbacks({ 'openai/gpt-5': [''] }, config, inCatalog);
      assert.equal(shape, `modelFallbacks.openai/gpt-5[0]: ${parseConfig({ modelFallbacks: { 'openai/gpt-5': [''] } }).diagnostics[0]!.message}`);
      assert.equal(
        modelFallbackProblems({ 'nobody/primary': ['openai/gpt-5-mini'] }, config, inCatalog).length,
        0,
        'the primary model may have no route of its own',
      );
    });

    it('patches the preferences field by field, keeping what the panel does not edit and what another edit just set', () => {
      const own = { allow_fallbacks: false, zdr: true, only: ['azure'], max_price: { prompt: 2, request: 0.1 } };
      assert.deepEqual(withPreferences(own, { data_collection: 'deny', max_price: { completion: 4 } }, ['zdr', 'only', 'max_price.prompt']), {
        allow_fallbacks: false,
        data_collection: 'deny',
        max_price: { completion: 4, request: 0.1 },
      });
      // Two edits sent from one drawing of the view: the second must not undo the first.
      const first = withPreferences(undefined, { ignore: ['deepinfra'] });
      assert.deepEqual(withPreferences(first, { max_price: { prompt: 5 } }), { ignore: ['deepinfra'], max_price: { prompt: 5 } });
      assert.equal(withPreferences({ zdr: true }, undefined, ['zdr']), undefined);
      assert.deepEqual(withPreferences({ only: ['x'] }, { only: [], order: ['openai'] }), { order: ['openai'] });
    });

    it("patches one caller's BYOK only and preferences, leaving a false flag out", () => {
      const list = [{ name: 'dev', description: 'me' }, { name: 'prod' }, 'junk'];
      const on = patchCaller(list, 'dev', { byokOnly: true, preferences: { zdr: true } });
      assert.deepEqual(on, [{ name: 'dev', description: 'me', byokOnly: true, preferences: { zdr: true } }, { name: 'prod' }, 'junk']);
      assert.deepEqual(patchCaller(on, 'dev', { byokOnly: false, unset: ['zdr'] })[0], { name: 'dev', description: 'me' });
      assert.throws(() => patchCaller(list, 'ghost', { byokOnly: true }), /caller "ghost" is not listed/);
    });

    it("sets and removes a key's weight", () => {
      const list = patchKey([key('a')], 'a', { weight: 2.5 });
      assert.equal((list[0] as { weight?: number }).weight, 2.5);
      assert.equal('weight' in (patchKey(list, 'a', { weight: null })[0] as object), false);
    });
  });
});
