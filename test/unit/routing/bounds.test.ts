import assert from 'node:assert/strict';
import { runMemory } from '../../../bench/memory-run';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MemoryCooldownStore } from '../../../src/core/routing/cooldowns';
import { candidatesFor, indexedModels, MAX_INDEXED_MODELS } from '../../../src/core/routing/plan-index';
import { RouteStats } from '../../../src/core/routing/route-stats';

describe('bounded routing state', () => {
  it('keeps at most its bound of cooldown entries, dropping the one set longest ago', () => {
    const store = new MemoryCooldownStore(100);
    for (let i = 0; i < 1_000; i++) store.set(`pooled:caller-${i}`, { kind: 'rate_limited', until: 1, reason: '429', failures: 1 });
    assert.equal(store.size, 100);
    assert.ok(store.get('pooled:caller-999'));
    assert.equal(store.get('pooled:caller-0'), undefined);
  });

  it('keeps samples for at most its bound of routes', () => {
    const stats = new RouteStats(20, 50);
    for (let i = 0; i < 500; i++)
      stats.add({ route: 'pooled', provider: 'openrouter', caller: `c${i}`, nativeModel: 'm', ok: true, startedAt: i, latencyMs: 5 });
    assert.equal(stats.size, 50);
    assert.equal(stats.latency('pooled:c499'), 5);
    assert.equal(stats.latency('pooled:c0'), undefined);
  });

  it('indexes at most its bound of distinct models per configuration', () => {
    const { config } = parseConfig({ keys: [{ id: 'a', provider: 'openai', name: 'A', tier: 'prioritized' }] });
    const catalog = bundledCatalog();
    for (let i = 0; i < MAX_INDEXED_MODELS + 200; i++) candidatesFor(config, catalog, `vendor/model-${i}`);
    assert.equal(indexedModels(config), MAX_INDEXED_MODELS);
    assert.equal(candidatesFor(config, catalog, 'openai/gpt-4o-mini').length, 1);
  });

  it('stays within every bound after many requests over distinct conversations, callers and models', async function () {
    this.timeout(120_000);
    const r = await runMemory({ requests: 400, warmup: 100, concurrency: 10, stickyMax: 50 });
    assert.equal(
      Object.values(r.outcomes).reduce((a, b) => a + b, 0),
      500,
    );
    assert.ok((r.outcomes.success ?? 0) > 300, JSON.stringify(r.outcomes));
    for (const k of Object.keys(r.bounds) as (keyof typeof r.bounds)[]) assert.ok(r.maxSizes[k] <= r.bounds[k], `${k}: ${r.maxSizes[k]} > ${r.bounds[k]}`);
    assert.equal(r.sizes.sticky, 50, 'distinct conversations fill the sticky map to its bound and no further');
    assert.ok(r.sizes.plans > 0 && r.sizes.indexedModels > 0);
  });
});
