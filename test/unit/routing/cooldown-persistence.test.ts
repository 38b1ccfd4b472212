import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/ports';
import { ObservedCooldownStore, restoreCooldowns, snapshotCooldowns } from '../../../src/core/routing/cooldown-persistence';
import { Cooldowns, MemoryCooldownStore } from '../../../src/core/routing/cooldowns';

const policy = { maxMs: 300_000, backoffMs: 1000 };

describe('persisted cooldowns', () => {
  it('round-trips rate-limit cooldowns and auth marks through JSON, holding no secret', () => {
    const clock = new ManualClock();
    const before = new Cooldowns(new MemoryCooldownStore(), clock, policy);
    before.recordFailure('key:a', 'rate_limited', '429 rate_limited', 30_000);
    before.recordFailure('key:b', 'auth', '401 auth', undefined, 'sk-persist-secret-0001');
    const json = JSON.stringify(snapshotCooldowns(before.store, clock.now()));
    assert.ok(!json.includes('sk-persist-secret'), json);

    const after = new Cooldowns(new MemoryCooldownStore(), clock, policy);
    assert.equal(restoreCooldowns(after.store, JSON.parse(json), clock.now()), 2);
    assert.equal(after.active('key:a')?.until, clock.now() + 30_000);
    assert.equal(after.active('key:b', 'sk-persist-secret-0001')?.until, Infinity, 'the same secret stays marked');
    assert.equal(after.active('key:b', 'sk-persist-secret-0002'), undefined, 'a new secret value clears the mark');
  });

  it('drops expired cooldowns and anything malformed instead of trusting it', () => {
    const clock = new ManualClock();
    const c = new Cooldowns(new MemoryCooldownStore(), clock, policy);
    c.recordFailure('key:a', 'rate_limited', '429', 1000);
    const snap = snapshotCooldowns(c.store, clock.now());
    clock.advance(2000);
    const fresh = new MemoryCooldownStore();
    assert.equal(restoreCooldowns(fresh, snap, clock.now()), 0);
    for (const bad of [
      null,
      'x',
      { v: 2, entries: [] },
      { v: 1, entries: [{ route: 'key:a', kind: 'auth', until: null, reason: 'r', failures: 1, secretFingerprint: 'not-hex' }] },
    ]) {
      assert.equal(restoreCooldowns(fresh, bad, clock.now()), 0);
    }
    assert.equal([...fresh.entries()].length, 0);
  });

  it('reports each change so the host can save', () => {
    let changes = 0;
    const store = new ObservedCooldownStore(() => changes++);
    const c = new Cooldowns(store, new ManualClock(), policy);
    c.recordFailure('key:a', 'rate_limited', '429', 1000);
    c.recordSuccess('key:a');
    c.recordSuccess('key:a');
    assert.equal(changes, 2);
  });
});
