import assert from 'node:assert/strict';
import { expiryReminders, spikeAlert } from '../../../src/core/activity/alerts';
import { generationSchema, type GenerationRecord } from '../../../src/core/activity/record';
import { keySchema } from '../../../src/core/config/schema';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 15, 0);

function spend(daysAgo: number, cost: number | null, i = 0): GenerationRecord {
  return generationSchema.parse({
    v: 1,
    id: `g${daysAgo}-${i}`,
    startedAt: NOW - daysAgo * DAY,
    surface: 't',
    caller: 'dev',
    model: 'm',
    stream: false,
    outcome: 'success',
    plan: [],
    attempts: [],
    latencyMs: 1,
    cost,
  });
}

describe('spend and expiry alerts', () => {
  it('raises a spike when today passes the factor times the 14-day median of days with spend', () => {
    const usual = [1, 2, 3, 4, 5].map((d) => spend(d, 1));
    assert.equal(spikeAlert([...usual, spend(0, 2.9)], NOW, 3), undefined);
    const alert = spikeAlert([...usual, spend(0, 2), spend(0, 1.5, 1)], NOW, 3);
    assert.deepEqual(alert, { day: '2026-11-23', today: 3.5, median: 1, factor: 3 });
  });

  it('stays quiet without three earlier days of spend, with factor 0, and ignores days older than 14', () => {
    assert.equal(spikeAlert([spend(1, 1), spend(2, 1), spend(0, 100)], NOW, 3), undefined);
    assert.equal(spikeAlert([1, 2, 3].map((d) => spend(d, 1)).concat(spend(0, 100)), NOW, 0), undefined);
    const old = [20, 21, 22].map((d) => spend(d, 1));
    assert.equal(spikeAlert([...old, spend(0, 100)], NOW, 3), undefined);
    // Unknown cost is not counted as $0 spend either way.
    assert.equal(spikeAlert([1, 2, 3].map((d) => spend(d, 1)).concat(spend(0, null)), NOW, 3), undefined);
  });

  it('reminds at 14, 3 and 1 days before a key expires', () => {
    const key = (id: string, inDays: number) =>
      keySchema.parse({ id, provider: 'openai', name: id, tier: 'prioritized', expiresAt: new Date(NOW + inDays * DAY).toISOString() });
    const got = expiryReminders([key('far', 20), key('two-weeks', 13.5), key('soon', 2.5), key('tomorrow', 0.5), key('gone', -1)], NOW);
    assert.deepEqual(
      got.map((r) => [r.keyId, r.threshold, r.daysLeft]),
      [
        ['two-weeks', 14, 13],
        ['soon', 3, 2],
        ['tomorrow', 1, 0],
      ],
    );
  });
});
