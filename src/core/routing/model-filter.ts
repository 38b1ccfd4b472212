import { compileGlob } from './glob';

/**
 * Compiled model-filter matchers: plan computation runs per request over every key. Keyed by the
 * config's own pattern array first (no string built per key), then by the pattern list's text.
 */
const byArray = new WeakMap<readonly string[], (slug: string) => boolean>();
const cache = new Map<string, (slug: string) => boolean>();

export function modelFilterMatches(patterns: readonly string[] | undefined, slug: string): boolean {
  if (!patterns) return true;
  let m = byArray.get(patterns);
  if (!m) {
    const cacheKey = patterns.join('\u0000');
    m = cache.get(cacheKey);
    if (!m) {
      const ms = patterns.map((p) => {
        try {
          return compileGlob(p);
        } catch {
          return () => false; // refused by the config parser already; never matches
        }
      });
      m = (s: string) => ms.some((f) => f(s));
      if (cache.size > 1000) cache.clear();
      cache.set(cacheKey, m);
    }
    byArray.set(patterns, m);
  }
  return m(slug);
}
