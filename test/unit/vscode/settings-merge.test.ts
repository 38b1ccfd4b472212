import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfig } from '../../../src/core/config/parse';
import { effectiveRouting, type Inspected, type RoutingSetting } from '../../../src/vscode/settings-merge';

const USER_URL = 'https://gateway.example.com/v1';
const EVIL_URL = 'https://evil.example.net/v1';

type Scopes = Partial<Record<RoutingSetting, Inspected>>;

function route(scopes: Scopes, ctx: { trusted?: boolean; bound?: Record<string, string> } = {}) {
  const out = effectiveRouting(scopes as Record<RoutingSetting, Inspected>, { trusted: ctx.trusted ?? true, boundProviders: ctx.bound ?? {} });
  return { ...out, config: parseConfig(out.raw).config, paths: out.ignored.map((d) => d.path) };
}

const userKey = { id: 'k1', provider: 'openai', name: 'Main', tier: 'prioritized', options: { baseUrl: USER_URL, headers: { 'X-Team': 'a' } } };

describe('which routing settings a folder may set', () => {
  it('uses the user settings when the folder sets nothing', () => {
    const r = route({ keys: { globalValue: [userKey] }, caller: { globalValue: 'dev' } });
    assert.equal(r.config.defaultCaller, 'dev');
    assert.deepEqual(
      r.config.keys.map((k) => k.options.baseUrl),
      [USER_URL],
    );
    assert.deepEqual(r.ignored, []);
  });

  it('lets a folder choose its caller and order, and override single timeout fields', () => {
    const r = route({
      caller: { globalValue: 'dev', workspaceFolderValue: 'prod' },
      providerOrder: { globalValue: ['openai'], workspaceValue: ['groq', 'openai'] },
      timeouts: { globalValue: { connectMs: 2000, totalMs: 90_000 }, workspaceFolderValue: { totalMs: 30_000 } },
    });
    assert.equal(r.config.defaultCaller, 'prod');
    assert.deepEqual(r.config.providerOrder, ['groq', 'openai']);
    assert.equal(r.config.timeouts.connectMs, 2000);
    assert.equal(r.config.timeouts.totalMs, 30_000);
    assert.deepEqual(r.ignored, []);
  });

  it('prefers the folder value over the workspace-file value', () => {
    const r = route({ caller: { globalValue: 'dev', workspaceValue: 'staging', workspaceFolderValue: 'prod' } });
    assert.equal(r.config.defaultCaller, 'prod');
  });

  it("replaces a folder key's endpoint and headers with the user key's, and says so", () => {
    const hostile = {
      ...userKey,
      name: 'Main (folder copy)',
      options: { baseUrl: EVIL_URL, headers: { 'X-Leak': '1' }, modelMap: { 'openai/gpt-5': 'gpt-5' } },
    };
    const r = route({ keys: { globalValue: [userKey], workspaceFolderValue: [hostile] } });
    const [k] = r.config.keys;
    assert.equal(k!.name, 'Main (folder copy)', "non-destination fields are the folder's");
    assert.equal(k!.options.baseUrl, USER_URL);
    assert.deepEqual(k!.options.headers, { 'X-Team': 'a' });
    assert.deepEqual(k!.options.modelMap, { 'openai/gpt-5': 'gpt-5' });
    assert.deepEqual(r.paths.sort(), ['byokRouter.keys[0].options.baseUrl', 'byokRouter.keys[0].options.headers']);
  });

  it('keeps the user endpoint when a folder copy leaves it out, without a warning', () => {
    const r = route({ keys: { globalValue: [userKey], workspaceFolderValue: [{ id: 'k1', provider: 'openai', name: 'Main', tier: 'fallback' }] } });
    assert.equal(r.config.keys[0]!.options.baseUrl, USER_URL);
    assert.equal(r.config.keys[0]!.tier, 'fallback');
    assert.deepEqual(r.ignored, []);
  });

  it('drops a folder key that claims another provider for a stored key id', () => {
    const r = route({ keys: { globalValue: [userKey], workspaceFolderValue: [{ ...userKey, provider: 'openrouter' }] } });
    assert.deepEqual(r.config.keys, []);
    assert.deepEqual(r.paths, ['byokRouter.keys[0].provider']);
  });

  it('drops a folder-only key whose stored secret belongs to another provider', () => {
    const r = route(
      { keys: { workspaceFolderValue: [{ id: 'orphan', provider: 'groq', name: 'x', tier: 'prioritized' }] } },
      { bound: { orphan: 'anthropic' } },
    );
    assert.deepEqual(r.config.keys, []);
    assert.match(r.ignored[0]!.message, /anthropic key/);
  });

  it('strips the endpoint from a folder-only key', () => {
    const r = route({
      keys: { workspaceFolderValue: [{ id: 'team', provider: 'openai', name: 'Team', tier: 'prioritized', options: { baseUrl: EVIL_URL } }] },
    });
    assert.equal(r.config.keys[0]!.options.baseUrl, undefined);
    assert.deepEqual(r.paths, ['byokRouter.keys[0].options.baseUrl']);
  });

  it('ignores an invalid folder pooled value with a warning and keeps the user pooled section', () => {
    for (const bad of [{ enabled: 'yes' }, { enabeld: false }, 'off']) {
      const r = route({ pooled: { globalValue: { baseUrl: USER_URL, headers: { 'X-Team': 'a' } }, workspaceFolderValue: bad } });
      assert.equal(r.config.pooled.baseUrl, USER_URL, JSON.stringify(bad));
      assert.deepEqual(r.config.pooled.headers, { 'X-Team': 'a' });
      assert.equal(r.config.pooled.enabled, true);
      assert.ok(
        r.ignored.some((d) => d.path === 'byokRouter.pooled' && /folder's value is invalid .*ignored; your user setting applies/.test(d.message)),
        JSON.stringify(r.ignored),
      );
      assert.deepEqual(
        parseConfig(r.raw).diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
    }
  });

  it('ignores an invalid folder timeout with a warning and keeps the user timeouts', () => {
    const r = route({ timeouts: { globalValue: { totalMs: 90_000 }, workspaceFolderValue: { totalMs: -5 } } });
    assert.equal(r.config.timeouts.totalMs, 90_000);
    assert.ok(r.paths.includes('byokRouter.timeouts'));
  });

  it("ignores a folder's pooled endpoint and headers but honours its on/off switch", () => {
    const r = route({
      pooled: { globalValue: { baseUrl: USER_URL }, workspaceFolderValue: { enabled: false, baseUrl: EVIL_URL, headers: { 'X-Leak': '1' } } },
    });
    assert.equal(r.config.pooled.baseUrl, USER_URL);
    assert.equal(r.config.pooled.enabled, false);
    assert.equal(r.config.pooled.headers['X-Leak'], undefined);
    assert.deepEqual(r.paths.sort(), ['byokRouter.pooled.baseUrl', 'byokRouter.pooled.headers']);
  });

  it('ignores every folder routing setting in an untrusted workspace', () => {
    const r = route(
      {
        keys: { globalValue: [userKey], workspaceFolderValue: [] },
        caller: { globalValue: 'dev', workspaceFolderValue: 'prod' },
        fees: { workspaceValue: { rate: 0 } },
      },
      { trusted: false },
    );
    assert.equal(r.config.defaultCaller, 'dev');
    assert.equal(r.config.keys.length, 1);
    assert.equal(r.config.fees.rate, 0.05);
    assert.deepEqual(r.paths.sort(), ['byokRouter.caller', 'byokRouter.fees', 'byokRouter.keys']);
    assert.ok(r.ignored.every((d) => /not trusted/.test(d.message)));
  });

  it('never lets any folder key list move a stored key off its user endpoint or provider', () => {
    type UserKey = { id: string; provider: string; name: string; tier: string; options: { baseUrl: string; headers?: Record<string, string> } };
    const userKeys: UserKey[] = [userKey, { id: 'k2', provider: 'groq', name: 'G', tier: 'fallback', options: { baseUrl: 'https://groq.example.com/v1' } }];
    const byId = new Map(userKeys.map((k) => [k.id, k]));
    const folderKey = fc.record({
      id: fc.constantFrom('k1', 'k2', 'k3'),
      provider: fc.constantFrom('openai', 'groq', 'openrouter', 'anthropic'),
      name: fc.constant('n'),
      tier: fc.constantFrom('prioritized', 'fallback'),
      options: fc.record(
        { baseUrl: fc.constantFrom(EVIL_URL, USER_URL, 'http://127.0.0.1:9/v1'), headers: fc.constant({ 'X-Leak': '1' }) },
        { requiredKeys: [] },
      ),
    });
    fc.assert(
      fc.property(fc.array(folderKey, { maxLength: 5 }), (folderKeys) => {
        const { config } = route({ keys: { globalValue: userKeys, workspaceFolderValue: folderKeys } }, { bound: { k3: 'openai' } });
        for (const k of config.keys) {
          const user = byId.get(k.id);
          if (user) {
            assert.equal(k.provider, user.provider);
            assert.equal(k.options.baseUrl, user.options.baseUrl);
            assert.deepEqual(k.options.headers, user.options.headers);
          } else {
            assert.equal(k.provider, 'openai', 'a bound id keeps its provider');
            assert.equal(k.options.baseUrl, undefined);
            assert.equal(k.options.headers, undefined);
          }
        }
      }),
    );
  });
});
