import assert from 'node:assert/strict';
import { DailySpend, expiryReminders, spikeAlert } from '../../../src/core/activity/alerts';
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

  it('keeps daily spend from one read of the log and the records made since, counting a record found in both once', () => {
    const daily = new DailySpend();
    daily.seed(
      [1, 2, 3].map((d) => spend(d, 1)),
      NOW,
    );
    assert.equal(daily.alert(NOW, 3), undefined, 'no spend today yet');
    const today = [spend(0, 2, 1), spend(0, 1.5, 2)];
    for (const r of today) daily.add(r);
    assert.deepEqual(daily.alert(NOW, 3), { day: '2026-11-23', today: 3.5, median: 1, factor: 3 });
    // The next read finds this window's records in the log, and another process's: each counts once.
    daily.seed([...[1, 2, 3].map((d) => spend(d, 1)), ...today, spend(0, 0.5, 3)], NOW + 1);
    assert.deepEqual(daily.alert(NOW + 1, 3), { day: '2026-11-23', today: 4, median: 1, factor: 3 });
    daily.add(spend(0, 1, 4));
    assert.equal(daily.alert(NOW + 1, 3)?.today, 5);
  });

  it('moves its window with the clock: yesterday joins the median, days past 14 leave it', () => {
    const daily = new DailySpend();
    daily.seed([...[1, 2, 3].map((d) => spend(d, 1)), spend(0, 10)], NOW);
    assert.equal(daily.alert(NOW, 3)?.today, 10);
    // A day later, the 10 is yesterday's: the median of 1, 1, 1 and 10 is 1, and today has nothing yet.
    assert.equal(daily.alert(NOW + DAY, 3), undefined);
    daily.add({ ...spend(0, 4, 9), startedAt: NOW + DAY });
    assert.equal(daily.alert(NOW + DAY, 3)?.today, 4);
    assert.equal(daily.alert(NOW + 14 * DAY, 3), undefined, 'the seeded days have left the window');
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
