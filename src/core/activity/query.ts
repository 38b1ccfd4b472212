/** Which records a reader asked for, and the month-to-date sums the fee allowance is seeded from. */
import type { MonthToDate } from '../accounting/cost';
import type { GenerationRecord } from './record';

export interface ActivityQuery {
  /** At most this many records (the newest). */
  limit?: number;
  /** Started at or after this time (epoch ms). */
  since?: number;
  /** Started before this time (epoch ms). */
  until?: number;
  caller?: string;
  /** Served by, or attempted at, this provider. */
  provider?: string;
  /** Served by, or attempted with, this BYOK key. */
  keyId?: string;
  outcome?: GenerationRecord['outcome'];
  model?: string;
}

export function matches(r: GenerationRecord, q: ActivityQuery): boolean {
  if (q.since !== undefined && r.startedAt < q.since) return false;
  if (q.until !== undefined && r.startedAt >= q.until) return false;
  if (q.caller !== undefined && r.caller !== q.caller) return false;
  if (q.outcome !== undefined && r.outcome !== q.outcome) return false;
  if (q.model !== undefined && r.model !== q.model) return false;
  if (q.provider !== undefined && r.servedBy?.provider !== q.provider && !r.attempts.some((a) => a.provider === q.provider)) return false;
  if (q.keyId !== undefined && r.servedBy?.keyId !== q.keyId && !r.attempts.some((a) => a.keyId === q.keyId)) return false;
  return true;
}

/**
 * Records are appended when a generation ends, in the order they end, so `startedAt` runs backwards
 * through a file only by a generation's length (or clock skew between windows). A reader walking
 * newest first may stop once it is this far before the window it wants.
 */
export const ORDER_SLACK_MS = 24 * 60 * 60 * 1000;

/** This calendar month (UTC) so far: what seeds `MonthlyUsage`, plus the totals the panel shows. */
export interface ActivityMonthToDate extends MonthToDate {
  /** Generations of any outcome. */
  requests: number;
  /** What the serving routes charged. */
  cost: number;
  /** BYOK fees OpenRouter would have charged. */
  fee: number;
  /** Saving against the pooled price. */
  saving: number;
  /** Served requests whose model had no known price: their cost is unknown, not $0. */
  unpriced: number;
  /** What your own provider keys charged, and what pooled access (OpenRouter credit) charged. */
  providerCost: number;
  pooledCost: number;
}

export function monthBounds(now: number): { start: number; end: number } {
  const d = new Date(now);
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export class MonthTotals {
  private totals: ActivityMonthToDate = {
    byokRequests: 0,
    byokListUsd: 0,
    requests: 0,
    cost: 0,
    fee: 0,
    saving: 0,
    unpriced: 0,
    providerCost: 0,
    pooledCost: 0,
  };

  /** Counts as the router's `MonthlyUsage.add` does: a BYOK request is one a BYOK route served. */
  add(r: GenerationRecord): void {
    this.totals.requests++;
    this.totals.cost += r.cost ?? 0;
    if (r.outcome === 'success' && typeof r.cost !== 'number') this.totals.unpriced++;
    if (r.servedBy?.route === 'pooled') this.totals.pooledCost += r.cost ?? 0;
    else if (r.servedBy) this.totals.providerCost += r.cost ?? 0;
    this.totals.fee += r.byokFee ?? 0;
    this.totals.saving += r.saving ?? 0;
    if (r.servedBy?.route === 'byok') {
      this.totals.byokRequests++;
      this.totals.byokListUsd += r.pooledListCost ?? 0;
    }
  }

  result(): ActivityMonthToDate {
    const t = this.totals;
    return {
      ...t,
      byokListUsd: round(t.byokListUsd),
      cost: round(t.cost),
      fee: round(t.fee),
      saving: round(t.saving),
      providerCost: round(t.providerCost),
      pooledCost: round(t.pooledCost),
    };
  }
}

function round(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}
