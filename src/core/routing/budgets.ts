/**
 * Budgets on a key, a caller's pooled access, or the whole user: `{ usd?, requests?, period }`.
 * Spend is counted from the activity log — which every window and the CLI append to — so it
 * survives restarts and is shared; this process's own records count at once, before the log has
 * them. Periods are UTC calendar days and months, read from the injected clock.
 */
import type { AttemptRecord, GenerationRecord } from '../activity/record';
import type { ActivityQuery } from '../activity/query';
import type { Budget } from '../config/policy-schema';

export type BudgetScope = 'key' | 'caller' | 'user';

export interface BudgetStatus {
  scope: BudgetScope;
  /** Key id, caller name, or "user". */
  id: string;
  /** The key's name when the scope is a key. */
  name?: string;
  budget: Budget;
  spentUsd: number;
  requests: number;
  /** The larger of spend/usd and requests/requests. */
  ratio: number;
  periodStart: number;
  periodEnd: number;
}

/** Reads the activity log; `ActivityStore` is one. */
export interface ActivityHistory {
  read(query?: ActivityQuery): Promise<GenerationRecord[]>;
}

export const WARN_RATIO = 0.8;

export function periodBounds(period: Budget['period'], now: number): { start: number; end: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === 'month') return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  const day = d.getUTCDate();
  return { start: Date.UTC(y, m, day), end: Date.UTC(y, m, day + 1) };
}

/** What a budget reads of a record: a record this process made is kept only as this much. */
interface Spend {
  id: string;
  startedAt: number;
  attempts: readonly Pick<AttemptRecord, 'route' | 'keyId' | 'caller' | 'cost' | 'ok'>[];
}

export class BudgetLedger {
  private logged: GenerationRecord[] = [];
  private readonly local = new Map<string, Spend>();
  private loadedAt = -Infinity;
  private loadedFor = -1;
  /** Why the activity log could not be read at the last refresh, if it could not. */
  unreadable: string | undefined;

  constructor(
    private readonly history?: ActivityHistory,
    /** How stale the log snapshot may be; other windows' spend shows up within this. */
    private readonly refreshMs = 2_000,
  ) {}

  /** Reads the log again when the snapshot is older than `refreshMs` (or starts a new month). */
  async refresh(now: number): Promise<void> {
    if (!this.history) return;
    const since = periodBounds('month', now).start;
    const sinceDay = periodBounds('day', now).start;
    const from = Math.min(since, sinceDay);
    if (this.loadedFor === from && now - this.loadedAt < this.refreshMs && now >= this.loadedAt) return;
    try {
      this.logged = await this.history.read({ since: from });
      this.unreadable = undefined;
    } catch (e) {
      // A log that cannot be read must not fail every request: budgets count what this window saw
      // (the last snapshot and its own records) until the log reads again.
      this.unreadable = e instanceof Error ? e.message : String(e);
    }
    this.loadedAt = now;
    this.loadedFor = from;
    const ids = new Set(this.logged.map((r) => r.id));
    for (const id of [...this.local.keys()]) if (ids.has(id)) this.local.delete(id);
  }

  /** A record this process has just produced; counted until the log is read with it. */
  note(record: GenerationRecord) {
    const attempts = record.attempts.map(({ route, keyId, caller, cost, ok }) => ({ route, keyId, caller, cost, ok }));
    this.local.set(record.id, { id: record.id, startedAt: record.startedAt, attempts });
    if (this.local.size > 10_000) this.local.delete(this.local.keys().next().value!);
  }

  status(scope: BudgetScope, id: string, budget: Budget, now: number, name?: string): BudgetStatus {
    const { start, end } = periodBounds(budget.period, now);
    let spentUsd = 0;
    let requests = 0;
    const seen = new Set<string>();
    const count = (r: Spend) => {
      if (seen.has(r.id) || r.startedAt < start || r.startedAt >= end) return;
      seen.add(r.id);
      for (const a of r.attempts) {
        const mine = scope === 'user' || (scope === 'key' ? a.route === 'byok' && a.keyId === id : a.route === 'pooled' && a.caller === id);
        if (!mine) continue;
        spentUsd += a.cost ?? 0;
        if (a.ok) requests++;
      }
    };
    for (const r of this.logged) count(r);
    for (const r of this.local.values()) count(r);
    spentUsd = Math.round(spentUsd * 1e10) / 1e10;
    const ratio = Math.max(budget.usd ? spentUsd / budget.usd : 0, budget.requests ? requests / budget.requests : 0);
    return { scope, id, ...(name ? { name } : {}), budget, spentUsd, requests, ratio, periodStart: start, periodEnd: end };
  }
}

/** `$4.10 of $5.00, 3 of 100 requests this month` */
export function describeBudget(s: BudgetStatus): string {
  const parts: string[] = [];
  if (s.budget.usd !== undefined) parts.push(`$${s.spentUsd.toFixed(2)} of $${s.budget.usd.toFixed(2)}`);
  if (s.budget.requests !== undefined) parts.push(`${s.requests} of ${s.budget.requests} requests`);
  return `${parts.join(', ')} spent this ${s.budget.period === 'day' ? 'day (UTC)' : 'month (UTC)'}`;
}

/** The plan's budgets as `explain` prints them: each with its limit, what is spent, and whether it is used up. */
export function formatBudgets(statuses: readonly BudgetStatus[] | undefined): string {
  if (!statuses?.length) return '';
  const seen = new Set<string>();
  const lines = ['Budgets:'];
  for (const s of statuses) {
    const id = `${s.scope}:${s.id}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const who = s.scope === 'user' ? 'overall' : s.scope === 'caller' ? `caller "${s.id}" (pooled)` : `key "${s.name ?? s.id}"`;
    const state =
      s.ratio >= 1 ? 'used up: left out for budget' : s.ratio >= WARN_RATIO ? `${Math.floor(s.ratio * 100)} %: warning` : `${Math.floor(s.ratio * 100)} %`;
    lines.push(`  - ${who}: ${describeBudget(s)} — ${state}`);
  }
  return lines.join('\n');
}
