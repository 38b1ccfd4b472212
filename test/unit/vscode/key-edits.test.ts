import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KeyRow } from '../../../src/protocol/providers';
import { addCaller, addKeyEntry, appendKey, moveKey, patchKey, removeCaller, setEndpoint, uniqueKeyId, withoutKey } from '../../../src/vscode/key-edits';
import { applyMove, dropMove, step } from '../../../src/webview/providers/moves';

const k = (id: string, provider = 'openai', tier = 'prioritized', extra: Record<string, unknown> = {}) => ({ id, provider, name: id, tier, ...extra });
const ids = (list: unknown[]) => list.map((e) => (e as { id?: string }).id ?? '?');

describe("editing a scope's key list as written", () => {
  it("moves a key within its provider's tier and leaves every other key at its position", () => {
    const list = [k('a'), k('x', 'anthropic'), k('b'), k('c')];
    assert.deepEqual(ids(moveKey(list, 'c', 'prioritized', 0)), ['c', 'x', 'a', 'b']);
    assert.deepEqual(ids(moveKey(list, 'a', 'prioritized', 1)), ['b', 'x', 'a', 'c']);
    assert.deepEqual(ids(moveKey(list, 'a', 'prioritized', 9)), ['b', 'x', 'c', 'a']);
  });

  it('moves a key into Fallback and drops Always use on the way, which only prioritized keys may have', () => {
    const list = [k('a', 'openai', 'prioritized', { alwaysUse: true }), k('f', 'openai', 'fallback')];
    const out = moveKey(list, 'a', 'fallback', 1) as Record<string, unknown>[];
    assert.deepEqual(ids(out), ['f', 'a']);
    assert.equal(out[1]!.tier, 'fallback');
    assert.equal('alwaysUse' in out[1]!, false);
  });

  it('carries entries it cannot parse along untouched', () => {
    const broken = { id: 'zz', tier: 'sideways', provider: 'openai' };
    const list = [k('a'), 'not even an object', broken, k('b')];
    const out = moveKey(list, 'b', 'prioritized', 0);
    assert.deepEqual(out, [k('b'), 'not even an object', broken, k('a')]);
    assert.deepEqual(patchKey(out, 'a', { name: 'Alpha' })[1], 'not even an object');
    assert.deepEqual(moveKey(list, 'a', 'fallback', 0)[1], 'not even an object');
  });

  it('writes only what the user set: false flags and empty filters leave the entry', () => {
    let list: unknown[] = [k('a', 'openai', 'prioritized', { alwaysUse: true, filters: { models: ['openai/*'] } })];
    list = patchKey(list, 'a', { alwaysUse: false, models: null, disabled: true, expiresAt: '2027-01-31' });
    assert.deepEqual(list[0], { id: 'a', provider: 'openai', name: 'a', tier: 'prioritized', disabled: true, expiresAt: '2027-01-31' });
    list = patchKey(list, 'a', { disabled: false, expiresAt: null, callers: ['dev', 'dev', 'prod'] });
    assert.deepEqual(list[0], { id: 'a', provider: 'openai', name: 'a', tier: 'prioritized', filters: { callers: ['dev', 'prod'] } });
  });

  it('refuses Always use on a fallback key and edits of an id that is not there', () => {
    assert.throws(() => patchKey([k('f', 'openai', 'fallback')], 'f', { alwaysUse: true }), /prioritized keys only/);
    assert.throws(() => patchKey([k('a')], 'nope', { name: 'x' }), /no key with id "nope"/);
    assert.throws(() => withoutKey([k('a')], 'nope'), /no key with id "nope"/);
  });

  it('adds a new key after the last key of its provider and tier', () => {
    const list = [k('a'), k('x', 'anthropic'), k('f', 'openai', 'fallback')];
    assert.deepEqual(ids(appendKey(list, k('b'))), ['a', 'b', 'x', 'f']);
    assert.deepEqual(ids(appendKey(list, k('g', 'groq'))), ['a', 'x', 'f', 'g']);
    assert.throws(() => appendKey(list, k('a')), /already exists/);
  });

  it('places a key added from the Providers view and one added by the Add Key command by the same rule', () => {
    const list = [k('a'), k('x', 'anthropic'), k('f', 'openai', 'fallback'), k('y', 'anthropic', 'fallback')];
    const taken = new Set(['a', 'x', 'f', 'y', 'openai-work']);
    // The view sends provider, name and tier; the id must be free in every scope.
    const fromView = addKeyEntry(list, { provider: 'openai', name: ' Work ', tier: 'prioritized' }, taken);
    assert.equal(fromView.id, 'openai-work-2');
    assert.deepEqual(ids(fromView.list), ['a', 'openai-work-2', 'x', 'f', 'y']);
    assert.deepEqual(fromView.list[1], { id: 'openai-work-2', provider: 'openai', name: 'Work', tier: 'prioritized' });
    // The command may bring its own id, filters, options and Always use.
    const fromCommand = addKeyEntry(
      list,
      { id: 'ci', provider: 'openai', name: 'CI', tier: 'fallback', filters: { models: ['openai/*'] }, options: {}, alwaysUse: false },
      taken,
    );
    assert.deepEqual(ids(fromCommand.list), ['a', 'x', 'f', 'ci', 'y']);
    assert.deepEqual(fromCommand.list[3], { id: 'ci', provider: 'openai', name: 'CI', tier: 'fallback', filters: { models: ['openai/*'] } });
    // A provider with no key yet goes at the end.
    assert.deepEqual(ids(addKeyEntry(list, { provider: 'groq', name: 'g', tier: 'fallback' }, taken).list), ['a', 'x', 'f', 'y', 'groq-g']);
  });

  it('refuses a new key whose id is taken in any scope or whose entry the settings schema rejects', () => {
    assert.throws(() => addKeyEntry([], { id: 'shared', provider: 'openai', name: 'n', tier: 'prioritized' }, new Set(['shared'])), /already exists/);
    assert.throws(() => addKeyEntry([], { provider: 'openai', name: 'n', tier: 'fallback', alwaysUse: true }, new Set()), /invalid key/);
  });

  it('sets and clears an endpoint without touching other options', () => {
    const list = [k('a', 'openai', 'prioritized', { options: { organization: 'org-1' } })];
    const set = setEndpoint(list, 'a', 'http://127.0.0.1:1/v1');
    assert.deepEqual((set[0] as { options: unknown }).options, { organization: 'org-1', baseUrl: 'http://127.0.0.1:1/v1' });
    assert.deepEqual((setEndpoint(set, 'a', null)[0] as { options: unknown }).options, { organization: 'org-1' });
    assert.equal('options' in (setEndpoint([k('b', 'openai', 'prioritized', { options: { baseUrl: 'http://h' } })], 'b', null)[0] as object), false);
  });

  it('picks a fresh id from the name and adds and removes callers', () => {
    assert.equal(uniqueKeyId('openai-Work Key!', new Set()), 'openai-work-key');
    assert.equal(uniqueKeyId('openai-work', new Set(['openai-work', 'openai-work-2'])), 'openai-work-3');
    assert.deepEqual(addCaller([{ name: 'dev' }], 'prod'), [{ name: 'dev' }, { name: 'prod' }]);
    assert.throws(() => addCaller([{ name: 'dev' }], 'dev'), /already exists/);
    assert.deepEqual(removeCaller([{ name: 'dev' }, { name: 'prod' }], 'dev'), [{ name: 'prod' }]);
  });
});

describe('reordering in the view', () => {
  const row = (id: string, provider: string, tier: 'prioritized' | 'fallback'): KeyRow => ({
    id,
    provider,
    name: id,
    tier,
    alwaysUse: false,
    disabled: false,
    models: null,
    callers: null,
    expiry: 'none',
    status: { kind: 'healthy' },
    warnings: [],
  });

  it('puts a key exactly where the host will write it, for any list and any move', () => {
    const entry = fc.record({ provider: fc.constantFrom('openai', 'anthropic'), tier: fc.constantFrom('prioritized' as const, 'fallback' as const) });
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('prioritized' as const, 'fallback' as const),
        fc.nat({ max: 9 }),
        (entries, pick, tier, index) => {
          const rows = entries.map((e, i) => row(`k${i}`, e.provider, e.tier));
          const raw = rows.map((r) => k(r.id, r.provider, r.tier));
          const id = rows[pick % rows.length]!.id;
          const viewOrder = applyMove(rows, { keyId: id, tier, index }).map((r) => `${r.id}:${r.tier}`);
          const hostOrder = (moveKey(raw, id, tier, index) as { id: string; tier: string }[]).map((r) => `${r.id}:${r.tier}`);
          assert.deepEqual(viewOrder, hostOrder);
          const moved = rows[pick % rows.length]!;
          if (moved.tier === tier) {
            // Within a tier, every key of another provider or tier keeps its exact position.
            const after = moveKey(raw, id, tier, index) as { id: string }[];
            raw.forEach((e, i) => {
              if (e.provider !== moved.provider || e.tier !== tier) assert.equal(after[i]!.id, e.id);
            });
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('steps a key up and down with the keyboard, across the Prioritized/Fallback boundary at the ends', () => {
    const rows = [row('p1', 'openai', 'prioritized'), row('p2', 'openai', 'prioritized'), row('f1', 'openai', 'fallback'), row('x', 'groq', 'prioritized')];
    assert.deepEqual(step(rows, 'p2', -1), { keyId: 'p2', tier: 'prioritized', index: 0 });
    assert.deepEqual(step(rows, 'p2', 1), { keyId: 'p2', tier: 'fallback', index: 0 });
    assert.deepEqual(step(rows, 'f1', -1), { keyId: 'f1', tier: 'prioritized', index: 2 });
    assert.equal(step(rows, 'p1', -1), undefined);
    assert.equal(step(rows, 'f1', 1), undefined);
    // Applying a move twice gives the same list: replaying a confirmed move is harmless.
    const once = applyMove(rows, step(rows, 'p2', 1)!);
    assert.deepEqual(applyMove(once, step(rows, 'p2', 1)!), once);
  });

  it('turns a drop before or after a row into a place in the target tier', () => {
    const rows = [row('a', 'openai', 'prioritized'), row('b', 'openai', 'prioritized'), row('c', 'openai', 'prioritized')];
    assert.deepEqual(dropMove(rows, 'c', rows[0], 'prioritized', false), { keyId: 'c', tier: 'prioritized', index: 0 });
    assert.deepEqual(dropMove(rows, 'a', rows[2], 'prioritized', true), { keyId: 'a', tier: 'prioritized', index: 2 });
    assert.deepEqual(dropMove(rows, 'a', undefined, 'fallback', false), { keyId: 'a', tier: 'fallback', index: 0 });
  });
});
