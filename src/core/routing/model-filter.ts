import picomatch from 'picomatch';

/** Compiled model-filter matchers, cached by pattern list: plan computation runs per request. */
const cache = new Map<string, (slug: string) => boolean>();

export function modelFilterMatches(patterns: readonly string[] | undefined, slug: string): boolean {
  if (!patterns) return true;
  const cacheKey = patterns.join('\u0000');
  let m = cache.get(cacheKey);
  if (!m) {
    const ms = patterns.map((p) => picomatch(p, { nocase: true, dot: true }));
    m = (s: string) => ms.some((f) => f(s));
    if (cache.size > 1000) cache.clear();
    cache.set(cacheKey, m);
  }
  return m(slug);
}
