/**
 * Many requests through one Router in one process, against loopback simulators in another (so the
 * figures are the router's process alone), to show that memory stays flat and every map the router
 * keeps stays within its bound. The requests spread over
 * distinct conversations, callers and models (most served, some unknown so no key serves them), and
 * one in ten is refused with a 429 so cooldowns start and end.
 */
import { bundledCatalog } from '../src/core/catalog/catalog';
import type { ChatRequest } from '../src/core/chat';
import { parseConfig } from '../src/core/config/parse';
import { MapSecretSource } from '../src/core/ports';
import type { MemoryCooldownStore } from '../src/core/routing/cooldowns';
import { indexedModels } from '../src/core/routing/plan-index';
import { Router } from '../src/core/routing/router';
import { gc } from './gc';
import { REFUSE_MARKER, startMemorySims } from './memory-sims';

export interface MapSizes {
  cooldowns: number;
  sticky: number;
  plans: number;
  routeStats: number;
  indexedModels: number;
}

export interface MemoryRun {
  requests: number;
  outcomes: Record<string, number>;
  /** RSS and heap after a warm-up and GC, and at the end after GC, in MiB. */
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssGrowthMiB: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  /** Memory outside the JS heap (Buffers, sockets' native state): where RSS grows when the heap does not. */
  externalBeforeMiB: number;
  externalAfterMiB: number;
  arrayBuffersBeforeMiB: number;
  arrayBuffersAfterMiB: number;
  sizes: MapSizes;
  /** The largest each map was at any check along the way. */
  maxSizes: MapSizes;
  bounds: MapSizes;
  /** RSS after GC every tenth of the run, MiB: flat means the growth was warm-up, a slope means a leak. */
  rssSeriesMiB: number[];
  /** The JS heap in use after GC at the same points, MiB. */
  heapSeriesMiB: number[];
  durationMs: number;
}

const MiB = 1024 * 1024;
const mib = (n: number) => Math.round((n / MiB) * 10) / 10;

export function mapSizes(router: Router): MapSizes {
  return {
    cooldowns: (router.cooldowns.store as MemoryCooldownStore).size ?? [...router.cooldowns.store.entries()].length,
    sticky: router.policy.sticky.size,
    plans: router.plans.size,
    routeStats: router.policy.stats.size,
    indexedModels: indexedModels(router.config),
  };
}

export async function runMemory(opts: { requests: number; concurrency?: number; warmup?: number; stickyMax?: number }): Promise<MemoryRun> {
  const started = performance.now();
  const sims = await startMemorySims();
  const callers = Array.from({ length: 50 }, (_, i) => ({ name: `caller-${i}` }));
  const { config } = parseConfig({
    callers,
    defaultCaller: 'caller-0',
    pooled: { baseUrl: sims.pooled },
    stickiness: { maxEntries: opts.stickyMax ?? 1_000 },
    keys: [
      { id: 'p1', provider: 'openai', name: 'first', tier: 'prioritized', options: { baseUrl: sims.primary } },
      { id: 'p2', provider: 'openai', name: 'second', tier: 'prioritized', options: { baseUrl: sims.primary } },
      { id: 'fb', provider: 'openai', name: 'backup', tier: 'fallback', options: { baseUrl: sims.backup } },
    ],
  });
  const secrets = new MapSecretSource(
    new Map([
      ['p1', 'sk-mem-first-000001'],
      ['p2', 'sk-mem-second-00002'],
      ['fb', 'sk-mem-backup-00003'],
    ]),
    new Map(callers.map((c, i) => [c.name, `sk-or-mem-${String(i).padStart(8, '0')}`])),
  );
  const router = new Router({ config, catalog: bundledCatalog(), secrets, sink: { append: () => {} } });
  const outcomes: Record<string, number> = {};
  const zero = (): MapSizes => ({ cooldowns: 0, sticky: 0, plans: 0, routeStats: 0, indexedModels: 0 });
  const maxSizes = zero();
  const one = async (i: number) => {
    // Most requests ask for served models; one in twenty for a model nobody serves (a plan with no route).
    const model = i % 20 === 7 ? `vendor-${i % 3000}/model-${i}` : i % 2 ? 'openai/gpt-4o-mini' : 'openai/gpt-4.1';
    const request: ChatRequest = {
      model,
      stream: i % 2 === 0,
      messages: [{ role: 'user', content: `request ${i}${i % 10 === 3 ? ` ${REFUSE_MARKER}` : ''}` }],
    };
    const o = await router.generate(request, { caller: `caller-${i % 60}`, sessionId: `conversation-${i}` });
    const k = o.ok ? 'success' : o.error.kind;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  };
  const run = async (from: number, to: number) => {
    let next = from;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        await one(i);
        if (i % 1000 === 0) {
          const s = mapSizes(router);
          for (const f of Object.keys(s) as (keyof MapSizes)[]) maxSizes[f] = Math.max(maxSizes[f], s[f]);
        }
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 20 }, worker));
  };
  // The warm-up runs until every bounded map is full (one request in twenty names a new model, so
  // the index of 1,000 models fills at 20,000): growth after it is what the target is about; the
  // maps reaching their bounds is by design, and the series shows where that happens.
  const warm = opts.warmup ?? 20_000;
  await run(0, warm);
  gc();
  const before = process.memoryUsage();
  const rssSeriesMiB: number[] = [];
  const heapSeriesMiB: number[] = [];
  for (let part = 0; part < 10; part++) {
    await run(warm + Math.floor((opts.requests * part) / 10), warm + Math.floor((opts.requests * (part + 1)) / 10));
    gc();
    const m = process.memoryUsage();
    rssSeriesMiB.push(mib(m.rss));
    heapSeriesMiB.push(mib(m.heapUsed));
  }
  gc();
  const after = process.memoryUsage();
  const sizes = mapSizes(router);
  await router.close();
  await sims.close();
  return {
    requests: opts.requests,
    outcomes,
    rssBeforeMiB: mib(before.rss),
    rssAfterMiB: mib(after.rss),
    rssGrowthMiB: mib(after.rss - before.rss),
    heapBeforeMiB: mib(before.heapUsed),
    heapAfterMiB: mib(after.heapUsed),
    externalBeforeMiB: mib(before.external),
    externalAfterMiB: mib(after.external),
    arrayBuffersBeforeMiB: mib(before.arrayBuffers),
    arrayBuffersAfterMiB: mib(after.arrayBuffers),
    sizes,
    maxSizes,
    rssSeriesMiB,
    heapSeriesMiB,
    bounds: { cooldowns: 10_000, sticky: opts.stickyMax ?? 1_000, plans: 2_000, routeStats: 10_000, indexedModels: 1_000 },
    durationMs: Math.round(performance.now() - started),
  };
}
