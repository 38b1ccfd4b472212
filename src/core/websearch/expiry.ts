/**
 * Free Firecrawl credits expire (three months after sign-up by default), and people forget:
 * reminders fire 14, 3 and 1 days before, each once.
 */

export const REMINDER_DAYS = [14, 3, 1] as const;
const DAY = 86_400_000;

/** The default expiry of a key added at `added`: three calendar months later, as a date. */
export function defaultExpiry(added: number): string {
  const d = new Date(added);
  d.setUTCMonth(d.getUTCMonth() + 3);
  return d.toISOString().slice(0, 10);
}

/** Whole days left until the end of the expiry date (UTC); negative once it has passed. */
export function daysLeft(expiresAt: string, now: number): number {
  const end = Date.parse(`${expiresAt.slice(0, 10)}T23:59:59.999Z`);
  return Math.ceil((end - now) / DAY) - 1;
}

/**
 * The reminder due now, if any: the smallest threshold already reached that was not sent yet.
 * Thresholds passed while the editor was closed collapse into the one that matters now.
 */
export function dueReminder(expiresAt: string, now: number, sent: readonly number[]): number | undefined {
  const left = daysLeft(expiresAt, now);
  if (left < 0) return undefined;
  const reached = REMINDER_DAYS.filter((d) => left <= d);
  if (!reached.length) return undefined;
  const smallest = Math.min(...reached);
  return sent.some((s) => s <= smallest) ? undefined : smallest;
}

export function reminderText(expiresAt: string, now: number): string {
  const left = daysLeft(expiresAt, now);
  const when = left <= 0 ? 'today' : left === 1 ? 'tomorrow' : `in ${left} days`;
  return `Your Firecrawl credits expire ${when} (${expiresAt.slice(0, 10)}).`;
}
