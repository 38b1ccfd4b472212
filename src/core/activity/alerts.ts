/**
 * When to speak up about money and keys: a day whose spend is far above the usual, and a key close
 * to its expiry date. Pure functions over records and dates (UTC days); the host shows them once.
 */
import type { GenerationRecord } from './record';
import type { KeyConfig } from '../config/schema';

const DAY = 86_400_000;
/** Days of history the spike alert compares today against. */
export const SPIKE_WINDOW_DAYS = 14;
/** Without this many earlier days of spend there is no "usual" to compare with. */
export const SPIKE_MIN_HISTORY_DAYS = 3;

function dayStart(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

export interface SpikeAlert {
  day: string;
  today: number;
  median: number;
  factor: number;
}

/**
 * Today's spend over `factor` × the median daily spend of the 14 days before it. Days with no spend
 * are left out of the median, so a weekend does not make Monday a spike; with fewer than three
 * earlier days of spend there is no alert.
 */
export function spikeAlert(records: Iterable<GenerationRecord>, now: number, factor: number): SpikeAlert | undefined {
  const spend = new DailySpend();
  spend.seed(records, now);
  return spend.alert(now, factor);
}

/** What the spike alert keeps of a record: its day and its cost. */
interface DaySpend {
  day: number;
  cost: number;
}

/**
 * Spend per UTC day over the spike window, so the alert is checked without reading the log again:
 * seeded from the log (which holds every window's and the CLI's spend), then kept up by each record
 * this process makes. A record added after a seed and found in the next one counts once.
 */
export class DailySpend {
  private base = new Map<number, number>();
  private readonly local = new Map<string, DaySpend>();
  /** When the last seed was read; the host reads the log again after a while for other processes' spend. */
  seededAt = -Infinity;

  constructor(private readonly maxLocal = 10_000) {}

  seed(records: Iterable<GenerationRecord>, now: number): void {
    const from = dayStart(now) - SPIKE_WINDOW_DAYS * DAY;
    const base = new Map<number, number>();
    for (const r of records) {
      this.local.delete(r.id);
      if (typeof r.cost !== 'number' || r.startedAt < from) continue;
      const d = dayStart(r.startedAt);
      base.set(d, (base.get(d) ?? 0) + r.cost);
    }
    this.base = base;
    this.seededAt = now;
  }

  add(record: GenerationRecord): void {
    if (typeof record.cost !== 'number') return;
    this.local.set(record.id, { day: dayStart(record.startedAt), cost: record.cost });
    if (this.local.size > this.maxLocal) this.local.delete(this.local.keys().next().value!);
  }

  /**
   * Today's spend over `factor` × the median daily spend of the 14 days before it. Days with no
   * spend are left out of the median, so a weekend does not make Monday a spike; with fewer than
   * three earlier days of spend there is no alert.
   */
  alert(now: number, factor: number): SpikeAlert | undefined {
    if (!(factor > 0)) return undefined;
    const today = dayStart(now);
    const from = today - SPIKE_WINDOW_DAYS * DAY;
    const byDay = new Map<number, number>();
    const count = (d: number, cost: number) => {
      if (d >= from && d <= today) byDay.set(d, (byDay.get(d) ?? 0) + cost);
    };
    for (const [d, cost] of this.base) count(d, cost);
    for (const { day, cost } of this.local.values()) count(day, cost);
    const spent = byDay.get(today) ?? 0;
    const earlier = [...byDay.entries()].filter(([d, v]) => d < today && v > 0).map(([, v]) => v);
    if (earlier.length < SPIKE_MIN_HISTORY_DAYS) return undefined;
    const sorted = earlier.sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    if (spent <= factor * median) return undefined;
    return { day: new Date(today).toISOString().slice(0, 10), today: round(spent), median: round(median), factor };
  }
}

export const EXPIRY_REMINDER_DAYS = [14, 3, 1] as const;

export interface ExpiryReminder {
  keyId: string;
  keyName: string;
  expiresAt: string;
  /** Whole days left, 0 on the last day. */
  daysLeft: number;
  /** The reminder this is: 14, 3 or 1 day(s) before. */
  threshold: (typeof EXPIRY_REMINDER_DAYS)[number];
}

/** The nearest reminder each unexpired key has reached; a key further than 14 days out has none. */
export function expiryReminders(keys: readonly KeyConfig[], now: number): ExpiryReminder[] {
  const out: ExpiryReminder[] = [];
  for (const k of keys) {
    if (!k.expiresAt || k.disabled) continue;
    const at = Date.parse(k.expiresAt);
    if (!(at > now)) continue;
    const left = (at - now) / DAY;
    const threshold = [...EXPIRY_REMINDER_DAYS].reverse().find((d) => left <= d);
    if (threshold === undefined) continue;
    out.push({ keyId: k.id, keyName: k.name, expiresAt: k.expiresAt, daysLeft: Math.floor(left), threshold });
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
