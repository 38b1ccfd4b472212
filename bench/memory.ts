/**
 * `npm run bench:memory`: 100,000 requests through one Router against loopback simulators, with GC
 * exposed, reporting RSS before and after (each after GC) and the size of every bounded map.
 * Target (issue 16, point 8): RSS flat within 20 MiB, no map beyond its bound.
 */
import { runMemory } from './memory-run';

async function main() {
  if (!(globalThis as { gc?: unknown }).gc) console.error('run with node --expose-gc: without it RSS is read before collection');
  const requests = Number(process.argv[2] ?? 100_000);
  const r = await runMemory({ requests });
  console.log(JSON.stringify(r, null, 2));
  const within = (Object.keys(r.bounds) as (keyof typeof r.bounds)[]).every((k) => r.maxSizes[k] <= r.bounds[k]);
  console.log(
    `${r.requests.toLocaleString('en')} requests in ${(r.durationMs / 1000).toFixed(1)} s: RSS ${r.rssBeforeMiB} → ${r.rssAfterMiB} MiB after GC (${r.rssGrowthMiB >= 0 ? '+' : ''}${r.rssGrowthMiB} MiB, target ≤ 20); maps within bounds: ${within ? 'yes' : 'NO'}`,
  );
}

void main();
