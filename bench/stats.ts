/** Order statistics over timing samples. Nearest-rank percentiles: no interpolation invents a value. */

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Milliseconds rounded to microseconds, so the JSON stays readable. */
export function ms(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}

export function roundSummary(s: Summary): Summary {
  return { n: s.n, mean: ms(s.mean), p50: ms(s.p50), p90: ms(s.p90), p99: ms(s.p99), min: ms(s.min), max: ms(s.max) };
}
