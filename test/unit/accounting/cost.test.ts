import assert from 'node:assert/strict';
import { byokFee, MonthlyUsage, monthKey, openRouterCost, usageCost } from '../../../src/core/accounting/cost';

const fees = (allowance: { unit: 'requests' | 'usd'; amount: number }) => ({ rate: 0.05, freeAllowance: allowance });

describe('accounting', () => {
  it('prices usage per million tokens', () => {
    assert.equal(usageCost({ prompt_tokens: 1_000_000, completion_tokens: 500_000 }, { input: 3, output: 15 }), 10.5);
    assert.equal(usageCost(undefined, { input: 1, output: 1 }), undefined);
  });

  it('adds the upstream cost to OpenRouter’s charge only for BYOK generations', () => {
    assert.equal(
      openRouterCost({
        prompt_tokens: 1,
        completion_tokens: 1,
        total_tokens: 2,
        cost: 0.002,
        is_byok: false,
        cost_details: { upstream_inference_cost: 0.002 },
      }),
      0.002,
    );
    assert.equal(
      openRouterCost({
        prompt_tokens: 1,
        completion_tokens: 1,
        total_tokens: 2,
        cost: 0.0001,
        is_byok: true,
        cost_details: { upstream_inference_cost: 0.002 },
      }),
      0.0021,
    );
  });

  it('waives the fee inside the monthly request allowance and charges 5 % of list price above it', () => {
    assert.deepEqual(byokFee(fees({ unit: 'requests', amount: 10 }), 1, 0.9, { byokRequests: 9, byokListUsd: 0 }), { fee: 0, waived: true, saving: 0.1 });
    assert.deepEqual(byokFee(fees({ unit: 'requests', amount: 10 }), 1, 0.9, { byokRequests: 10, byokListUsd: 0 }), { fee: 0.05, waived: false, saving: 0.05 });
  });

  it('measures a dollar allowance in list-price spend including this request', () => {
    assert.equal(byokFee(fees({ unit: 'usd', amount: 5 }), 1, 1, { byokRequests: 0, byokListUsd: 4 }).waived, true);
    assert.equal(byokFee(fees({ unit: 'usd', amount: 5 }), 1, 1, { byokRequests: 0, byokListUsd: 4.5 }).waived, false);
  });

  it('resets the month-to-date count at the start of each UTC calendar month', () => {
    const m = new MonthlyUsage();
    const nov30 = Date.UTC(2026, 10, 30, 23, 59, 59);
    m.add(nov30, 2);
    m.add(nov30, 3);
    assert.deepEqual(m.current(nov30), { byokRequests: 2, byokListUsd: 5 });
    assert.deepEqual(m.current(nov30 + 2000), { byokRequests: 0, byokListUsd: 0 });
    assert.equal(monthKey(nov30 + 2000), '2026-12');
  });

  it('keeps a month to its last millisecond, and starts over when the clock goes back a month', () => {
    const m = new MonthlyUsage();
    const dec1 = Date.UTC(2026, 11, 1);
    m.add(dec1, 1);
    m.add(Date.UTC(2027, 0, 1) - 1, 1);
    assert.deepEqual(m.current(Date.UTC(2027, 0, 1) - 1), { byokRequests: 2, byokListUsd: 2 });
    assert.deepEqual(m.current(dec1 - 1), { byokRequests: 0, byokListUsd: 0 }, 'November is a month of its own');
    m.seed(dec1 + 5, { byokRequests: 7, byokListUsd: 1.5 });
    assert.deepEqual(m.current(dec1 + 10), { byokRequests: 7, byokListUsd: 1.5 });
    assert.deepEqual(m.current(Date.UTC(2027, 0, 1)), { byokRequests: 0, byokListUsd: 0 });
  });
});
