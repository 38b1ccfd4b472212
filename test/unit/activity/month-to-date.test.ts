import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MonthlyUsage } from '../../../src/core/accounting/cost';
import { ActivityStore } from '../../../src/core/activity/store';
import { errorRecord, pooledRecord, record } from '../../fixtures/activity/records';

describe('activity store month to date', () => {
  let dir: string;
  let store: ActivityStore;
  const now = Date.UTC(2026, 2, 15, 9, 30);
  const marchStart = Date.UTC(2026, 2, 1);
  const aprilStart = Date.UTC(2026, 3, 1);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-activity-mtd-'));
    store = new ActivityStore({ dir, maxFileBytes: 3000, maxFiles: 20 });
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sums only generations started in the current UTC calendar month, across rotated files', async () => {
    // The last millisecond of February in UTC is still February, whatever the local zone says.
    await store.append(record('feb-byok', { startedAt: marchStart - 1, cost: 5, byokFee: 1, pooledListCost: 7, saving: 1 }));
    await store.append(record('mar-byok-1', { startedAt: marchStart, cost: 0.008, byokFee: 0, feeWaived: true, pooledListCost: 0.01, saving: 0.002 }));
    await store.append(pooledRecord('mar-pooled', { startedAt: marchStart + 86_400_000, cost: 0.02, pooledListCost: 0.02 }));
    await store.append(errorRecord('mar-error', { startedAt: now - 60_000 }));
    await store.append(record('mar-byok-2', { startedAt: now - 1000, cost: 0.1, byokFee: 0.006, feeWaived: false, pooledListCost: 0.12, saving: 0.014 }));
    // A generation that ended after one that started later: appended out of start order.
    await store.append(record('feb-late', { startedAt: marchStart - 5_000, cost: 3, pooledListCost: 3 }));
    await store.append(record('apr-byok', { startedAt: aprilStart, cost: 9, byokFee: 9, pooledListCost: 9, saving: 9 }));
    assert.ok((await store.read()).length === 7);

    const mtd = await store.monthToDate(now);
    assert.deepEqual(mtd, {
      byokRequests: 2,
      byokListUsd: 0.13,
      requests: 4,
      cost: 0.128,
      fee: 0.006,
      saving: 0.016,
      unpriced: 0,
      providerCost: 0.108,
      pooledCost: 0.02,
    });

    // What the router's fee allowance is seeded with at startup.
    const monthly = new MonthlyUsage();
    monthly.seed(now, mtd);
    assert.equal(monthly.current(now).byokRequests, 2);
    assert.equal(monthly.current(aprilStart).byokRequests, 0);
  });

  it('gives zeros for a month with no activity', async () => {
    await store.append(record('mar', { startedAt: now }));
    assert.deepEqual(await store.monthToDate(Date.UTC(2026, 4, 2)), {
      byokRequests: 0,
      byokListUsd: 0,
      requests: 0,
      cost: 0,
      fee: 0,
      saving: 0,
      unpriced: 0,
      providerCost: 0,
      pooledCost: 0,
    });
  });

  it('counts served requests without a known price as unpriced, not as free', async () => {
    await store.append(record('priced', { startedAt: now - 2000, cost: 0.5 }));
    await store.append(record('unknown', { startedAt: now - 1000, cost: null }));
    const mtd = await store.monthToDate(now);
    assert.equal(mtd.requests, 2);
    assert.equal(mtd.unpriced, 1);
    assert.equal(mtd.cost, 0.5);
  });
});
