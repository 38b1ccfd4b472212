/**
 * The Activity view's state from activity records: rows with every attempt, a per-day series by
 * provider, the month-to-date totals, and the CSV/JSON exports. Pure; no `vscode` import.
 */
import { type ActivityMonthToDate, type ActivityQuery, type FeeModel, type GenerationRecord, type PlannedRecord, routeLabel } from '../../core';
import type { ActivityFilter, AttemptRow, Breakdown, DayBucket, GenerationRow, MonthView, Range } from '../../protocol/activity';

const DAY = 24 * 60 * 60 * 1000;

/** The window a range stands for; `month` is the calendar month (UTC) so far. */
export function rangeBounds(range: Range, now: number): { since?: number } {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (range) {
    case 'today':
      return { since: midnight };
    case '7d':
      return { since: midnight - 6 * DAY };
    case '30d':
      return { since: midnight - 29 * DAY };
    case 'month':
      return { since: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
    case 'all':
      return {};
  }
}

export function toQuery(filter: ActivityFilter, now: number): ActivityQuery {
  return {
    ...rangeBounds(filter.range, now),
    ...(filter.caller ? { caller: filter.caller } : {}),
    ...(filter.provider ? { provider: filter.provider } : {}),
    ...(filter.keyId ? { keyId: filter.keyId } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
  };
}

export function servedLabel(p: PlannedRecord | undefined): string | undefined {
  if (!p) return undefined;
  return routeLabel(p, { caller: false });
}

type TokenCounts = Pick<AttemptRow, 'promptTokens' | 'completionTokens' | 'cacheReadTokens' | 'cacheWriteTokens'>;

/** The token counts a record has, leaving out the ones it does not (a row has no `undefined` fields). */
function tokenCounts(r: TokenCounts): TokenCounts {
  return {
    ...(r.promptTokens !== undefined ? { promptTokens: r.promptTokens } : {}),
    ...(r.completionTokens !== undefined ? { completionTokens: r.completionTokens } : {}),
    ...(r.cacheReadTokens !== undefined ? { cacheReadTokens: r.cacheReadTokens } : {}),
    ...(r.cacheWriteTokens !== undefined ? { cacheWriteTokens: r.cacheWriteTokens } : {}),
  };
}

export function toRow(r: GenerationRecord): GenerationRow {
  const attempts: AttemptRow[] = r.attempts.slice(0, 100).map((a) => ({
    route: a.route,
    ...(a.tier ? { tier: a.tier } : {}),
    provider: a.provider.slice(0, 100),
    ...(a.keyName ? { keyName: a.keyName.slice(0, 200) } : {}),
    ...(a.caller ? { caller: a.caller.slice(0, 64) } : {}),
    nativeModel: a.nativeModel.slice(0, 300),
    ...(a.status !== undefined ? { status: a.status } : {}),
    ok: a.ok,
    ...(a.errorKind ? { errorKind: a.errorKind } : {}),
    ...(a.message ? { message: a.message.slice(0, 4000) } : {}),
    latencyMs: a.latencyMs,
    ...(a.ttfbMs !== undefined ? { ttfbMs: a.ttfbMs } : {}),
    ...(a.retryAfterMs !== undefined ? { retryAfterMs: a.retryAfterMs } : {}),
    ...tokenCounts(a),
    ...(a.cost !== undefined ? { cost: a.cost } : {}),
  }));
  const served = servedLabel(r.servedBy);
  return {
    id: r.id.slice(0, 100),
    startedAt: r.startedAt,
    // Endpoint requests name the client program too: `endpoint (claude-cli)`.
    surface: (r.client ? `${r.surface} (${r.client})` : r.surface).slice(0, 100),
    caller: r.caller.slice(0, 64),
    ...(r.folder ? { folder: r.folder.slice(0, 300) } : {}),
    model: r.model.slice(0, 200),
    outcome: r.outcome,
    ...(r.errorKind ? { errorKind: r.errorKind } : {}),
    ...(r.errorMessage ? { errorMessage: r.errorMessage.slice(0, 4000) } : {}),
    ...(served ? { servedBy: served.slice(0, 500), servedProvider: r.servedBy!.route === 'pooled' ? 'pooled' : r.servedBy!.provider } : {}),
    latencyMs: r.latencyMs,
    ...(r.ttfbMs !== undefined ? { ttfbMs: r.ttfbMs } : {}),
    ...tokenCounts(r),
    ...(typeof r.cost === 'number' ? { cost: r.cost } : {}),
    ...(r.byokFee !== undefined ? { byokFee: r.byokFee } : {}),
    ...(r.feeWaived !== undefined ? { feeWaived: r.feeWaived } : {}),
    ...(r.saving !== undefined ? { saving: r.saving } : {}),
    attempts,
    ...(r.servedBy?.model && r.servedBy.model !== r.model ? { servedModel: r.servedBy.model.slice(0, 200) } : {}),
    ...(r.modelFallbacks?.length
      ? {
          modelsGivenUp: r.modelFallbacks.slice(0, 8).map((m) => ({
            model: m.model.slice(0, 200),
            ...(m.errorKind ? { errorKind: m.errorKind } : {}),
            reason: m.reason.slice(0, 1000),
          })),
        }
      : {}),
  };
}

export function dayOf(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * Requests and spend per UTC day by the provider that served them (`pooled` for OpenRouter's
 * pooled route, `failed` when nothing did), oldest day first, with empty days filled in.
 */
export function dailyBuckets(records: readonly GenerationRecord[], since: number | undefined, now: number, by: Breakdown = 'provider'): DayBucket[] {
  const byDay = new Map<string, DayBucket['byProvider']>();
  let first = since;
  for (const r of records) {
    const day = dayOf(r.startedAt);
    let b = byDay.get(day);
    if (!b) byDay.set(day, (b = {}));
    const who = seriesOf(r, by);
    const slot = (b[who] ??= { requests: 0, cost: 0 });
    slot.requests++;
    slot.cost = round(slot.cost + (r.cost ?? 0));
    if (first === undefined || r.startedAt < first) first = r.startedAt;
  }
  if (first === undefined) return [];
  const out: DayBucket[] = [];
  const start = Date.parse(`${dayOf(first)}T00:00:00Z`);
  // Long ranges are capped at the most recent 366 days.
  const from = Math.max(start, Date.parse(`${dayOf(now)}T00:00:00Z`) - 365 * DAY);
  for (let t = from; t <= now; t += DAY) {
    const day = dayOf(t);
    out.push({ day, byProvider: byDay.get(day) ?? {} });
  }
  return out;
}

/** Which series a generation counts in: `failed` when nothing served it, whatever the breakdown. */
export function seriesOf(r: GenerationRecord, by: Breakdown): string {
  const s = r.servedBy;
  if (!s) return by === 'caller' ? r.caller : 'failed';
  if (by === 'caller') return r.caller;
  if (by === 'model') return s.model ?? r.model;
  if (s.route === 'pooled') return 'pooled';
  return by === 'key' ? (s.keyName ?? s.keyId ?? s.provider) : s.provider;
}

export function monthView(mtd: ActivityMonthToDate, fees: FeeModel, now: number): MonthView {
  const label = new Date(now).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return {
    label,
    requests: mtd.requests,
    byokRequests: mtd.byokRequests,
    allowance: { unit: fees.freeAllowance.unit, amount: fees.freeAllowance.amount },
    byokListUsd: mtd.byokListUsd,
    cost: mtd.cost,
    fee: mtd.fee,
    saving: mtd.saving,
    providerCost: mtd.providerCost,
    pooledCost: mtd.pooledCost,
    unpriced: mtd.unpriced,
  };
}

// ---------------------------------------------------------------- export

const CSV_COLUMNS = [
  'id',
  'startedAt',
  'surface',
  'caller',
  'folder',
  'model',
  'outcome',
  'errorKind',
  'servedBy',
  'attempts',
  'latencyMs',
  'ttfbMs',
  'promptTokens',
  'completionTokens',
  'cost',
  'byokFee',
  'feeWaived',
  'saving',
  'attemptTrail',
] as const;

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  // Quote what would break the row, and defuse cells a spreadsheet would run as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function trail(r: GenerationRecord): string {
  return r.attempts
    .map((a) => {
      const who = a.route === 'pooled' ? 'pooled' : `${a.provider}/${a.keyName ?? a.keyId ?? '?'}`;
      return `${who}:${a.ok ? 'ok' : (a.errorKind ?? 'error')}${a.status !== undefined ? `(${a.status})` : ''}`;
    })
    .join(' > ');
}

/** One line per generation; the attempts are summarised in `attemptTrail` (the JSON export has them whole). */
export function toCsv(records: readonly GenerationRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      id: r.id,
      startedAt: new Date(r.startedAt).toISOString(),
      surface: r.surface,
      caller: r.caller,
      folder: r.folder,
      model: r.model,
      outcome: r.outcome,
      errorKind: r.errorKind,
      servedBy: servedLabel(r.servedBy),
      attempts: r.attempts.length,
      latencyMs: r.latencyMs,
      ttfbMs: r.ttfbMs,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      cost: r.cost,
      byokFee: r.byokFee,
      feeWaived: r.feeWaived,
      saving: r.saving,
      attemptTrail: trail(r),
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(records: readonly GenerationRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

function round(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}
