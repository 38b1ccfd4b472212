import assert from 'node:assert/strict';
import type { AttemptRecord, GenerationRecord } from '../../../src/core/activity/record';
import { RouteStats } from '../../../src/core/routing/route-stats';

const attempt = (startedAt: number, latencyMs: number, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
  route: 'byok',
  provider: 'openai',
  tier: 'prioritized',
  keyId: 'k1',
  keyName: 'one',
  nativeModel: 'gpt-4o-mini',
  ok: true,
  startedAt,
  latencyMs,
  ...extra,
});

const recordOf = (attempts: AttemptRecord[]): GenerationRecord => ({
  v: 1,
  id: `gen-${attempts[0]!.startedAt}`,
  startedAt: attempts[0]!.startedAt,
  surface: 'cli',
  caller: 'dev',
  model: 'openai/gpt-4o-mini',
  stream: false,
  outcome: 'success',
  plan: [],
  attempts,
  latencyMs: 1,
});

describe('route stats', () => {
  it('counts an attempt once when the activity log seeds it after the router added it', () => {
    const stats = new RouteStats();
    stats.add(attempt(1000, 10));
    stats.add(attempt(2000, 30));
    stats.seed([recordOf([attempt(2000, 30)]), recordOf([attempt(1000, 10)])]);
    // Counted twice, the median of [10, 10, 30, 30] would be 20.
    assert.equal(stats.latency('key:k1'), 30 / 2 + 10 / 2);
    stats.add(attempt(3000, 50));
    assert.equal(stats.latency('key:k1'), 30);
  });

  it('counts two different attempts that started in the same millisecond', () => {
    const stats = new RouteStats();
    stats.add(attempt(1000, 10));
    stats.add(attempt(1000, 40));
    stats.add(attempt(1001, 50));
    assert.equal(stats.latency('key:k1'), 40);
  });

  it('keeps the newest attempts of a window, whatever order they arrive in', () => {
    const stats = new RouteStats(3);
    // Newest first, as the log is read, then an older one that no longer fits the window.
    for (const [at, ms] of [
      [5000, 50],
      [4000, 40],
      [3000, 30],
      [2000, 1],
      [1000, 1],
    ] as const)
      stats.add(attempt(at, ms));
    assert.equal(stats.latency('key:k1'), 40);
    stats.add(attempt(6000, 60));
    stats.add(attempt(7000, 70));
    assert.equal(stats.latency('key:k1'), 60);
  });

  it('reads the time to first byte as latency and the tokens after it as throughput', () => {
    const stats = new RouteStats();
    stats.add(attempt(1000, 1100, { ttfbMs: 100, completionTokens: 500 }));
    stats.add(attempt(2000, 300, { ttfbMs: 300 }));
    assert.equal(stats.latency('key:k1'), 200);
    assert.equal(stats.throughput('key:k1'), 500);
  });

  it('leaves failed attempts out', () => {
    const stats = new RouteStats();
    stats.add(attempt(1000, 5, { ok: false, errorKind: 'server' }));
    assert.equal(stats.latency('key:k1'), undefined);
  });
});
