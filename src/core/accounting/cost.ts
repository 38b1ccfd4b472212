/**
 * Money: cost of an attempt from usage × the route's price, and what OpenRouter's BYOK would have
 * charged: a fee on the standard price above a monthly free allowance, and the saving against
 * paying the pooled price.
 */
import type { Price } from '../catalog/types';
import type { Usage } from '../chat';
import type { FeeModel } from '../config/schema';

/** One price type for the catalog and the bill: USD per million tokens. */
export type { Price };

/**
 * `prompt_tokens` counts every input token, cached or not (each adapter adds Claude's and Bedrock's
 * separate counts in); cached reads and cache writes are priced apart from the fresh rest.
 */
export function usageCost(
  usage: Pick<Usage, 'prompt_tokens' | 'completion_tokens' | 'prompt_tokens_details'> | undefined,
  price: Price | undefined,
): number | undefined {
  if (!usage || !price) return undefined;
  const read = clamp(usage.prompt_tokens_details?.cached_tokens, usage.prompt_tokens);
  const written = clamp(usage.prompt_tokens_details?.cache_write_tokens, usage.prompt_tokens - read);
  const fresh = usage.prompt_tokens - read - written;
  const input = fresh * price.input + read * (price.cacheRead ?? price.input) + written * (price.cacheWrite ?? price.input);
  return round((input + usage.completion_tokens * price.output) / 1e6);
}

function clamp(n: number | undefined, max: number): number {
  return Math.max(0, Math.min(n ?? 0, max));
}

/** OpenRouter's own accounting: `cost` is what it charged; for BYOK the upstream cost comes on top. */
export function openRouterCost(usage: Usage | undefined): number | undefined {
  if (!usage || typeof usage.cost !== 'number') return undefined;
  return round(usage.cost + (usage.is_byok ? (usage.cost_details?.upstream_inference_cost ?? 0) : 0));
}

/** Usage of the allowance so far this calendar month (UTC). */
export interface MonthToDate {
  byokRequests: number;
  byokListUsd: number;
}

export interface FeeOutcome {
  /** What OpenRouter's BYOK would charge for this request. */
  fee: number;
  /** The request fell inside the monthly free allowance. */
  waived: boolean;
  /** Pooled list price minus (provider cost + fee). */
  saving: number | undefined;
}

export function byokFee(fees: FeeModel, listCost: number | undefined, providerCost: number | undefined, mtd: MonthToDate): FeeOutcome {
  const allowance = fees.freeAllowance;
  const waived = allowance.unit === 'requests' ? mtd.byokRequests < allowance.amount : mtd.byokListUsd + (listCost ?? 0) <= allowance.amount;
  const fee = waived || listCost === undefined ? 0 : round(listCost * fees.rate);
  const saving = listCost === undefined || providerCost === undefined ? undefined : round(listCost - providerCost - fee);
  return { fee, waived, saving };
}

export function monthKey(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Counts BYOK use per calendar month; the host may seed it from the activity log. */
export class MonthlyUsage {
  /** The UTC month counted, as [start, end) in ms: every request asks, and nearly all fall in it. */
  private from = 0;
  private until = 0;
  private mtd: MonthToDate = { byokRequests: 0, byokListUsd: 0 };

  current(now: number): MonthToDate {
    this.roll(now);
    return { ...this.mtd };
  }

  add(now: number, listUsd: number | undefined) {
    this.roll(now);
    this.mtd.byokRequests++;
    this.mtd.byokListUsd += listUsd ?? 0;
  }

  seed(now: number, mtd: MonthToDate) {
    this.enter(now);
    this.mtd = { ...mtd };
  }

  /** Outside the month counted is another month (later, or earlier on a clock set back): it starts from zero. */
  private roll(now: number) {
    if (now >= this.from && now < this.until) return;
    this.enter(now);
    this.mtd = { byokRequests: 0, byokListUsd: 0 };
  }

  private enter(now: number) {
    const d = new Date(now);
    this.from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    this.until = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
}

function round(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}
