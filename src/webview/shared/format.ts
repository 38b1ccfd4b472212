/** How numbers, money and times read in the views. */

export function usd(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n === 0) return '$0';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 2 : abs >= 1 ? 3 : abs >= 0.01 ? 4 : 6;
  return `${n < 0 ? '−' : ''}$${abs.toFixed(digits).replace(/\.?0+$/, '')}`;
}

export function ms(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1000) return `${Math.round(n)} ms`;
  return `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)} s`;
}

export function count(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en-US');
}

export function clockTime(t: number): string {
  return new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTime(t: number): string {
  return new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "in 42 s", "in 3 min", "in 2 h". */
export function until(t: number, now: number): string {
  const s = Math.max(0, Math.round((t - now) / 1000));
  if (s < 90) return `in ${s} s`;
  if (s < 90 * 60) return `in ${Math.round(s / 60)} min`;
  return `in ${Math.round(s / 3600)} h`;
}

export function daysUntil(date: string, now: number): number {
  return Math.ceil((Date.parse(date) - now) / 86_400_000);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
