import assert from 'node:assert/strict';
import { Cancel } from '../../../src/core/http/cancel';
import { COARSE_FROM_MS, TICK_MS, unwatch, watch, watching, type Expiring } from '../../../src/core/http/deadlines';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deadline(inMs: number, fired: string[], name: string): Expiring {
  return { expiresAt: performance.now() + inMs, slot: -1, expire: () => void fired.push(name) };
}

describe('long deadlines on the shared ticker', () => {
  afterEach(() => assert.equal(watching(), 0, 'a test left a deadline waiting'));

  it('fires a passed deadline within two ticks, once, and never one that was unwatched', async () => {
    const fired: string[] = [];
    const a = deadline(0, fired, 'a');
    const b = deadline(0, fired, 'b');
    watch(a);
    watch(b);
    watch(a); // a second watch of a waiting deadline does not add it twice
    assert.equal(watching(), 2);
    unwatch(b);
    await sleep(2 * TICK_MS + 50);
    assert.deepEqual(fired, ['a']);
    assert.equal(a.slot, -1);
  });

  it('keeps the others waiting when one in the middle is unwatched, and fires each at its own time', async () => {
    const fired: string[] = [];
    const all = ['a', 'b', 'c', 'd', 'e'].map((n, i) => deadline(i % 2 ? 0 : 60_000, fired, n));
    for (const d of all) watch(d);
    unwatch(all[2]!);
    assert.equal(watching(), 4);
    await sleep(2 * TICK_MS + 50);
    assert.deepEqual(fired.sort(), ['b', 'd']);
    assert.equal(watching(), 2, 'the two far deadlines still wait');
    for (const d of all) unwatch(d);
    assert.equal(watching(), 0);
    await sleep(2 * TICK_MS + 50);
    assert.deepEqual(fired.sort(), ['b', 'd'], 'nothing fired after it was unwatched');
  });

  it('removes exactly the deadline unwatched, in any order, and fires the ones left', async () => {
    const fired: string[] = [];
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const all = new Map(names.map((n) => [n, deadline(0, fired, n)]));
    for (const d of all.values()) watch(d);
    let left = names.length;
    for (const n of ['a', 'e', 'f', 'c']) {
      unwatch(all.get(n)!);
      unwatch(all.get(n)!); // a second unwatch is a no-op
      assert.equal(watching(), --left, `after unwatching ${n}`);
    }
    await sleep(2 * TICK_MS + 50);
    assert.deepEqual(fired.sort(), ['b', 'd']);
  });

  it('fires every passed deadline even when one of them unwatches another it has not reached', async () => {
    const fired: string[] = [];
    const victim = deadline(0, fired, 'victim');
    const killer: Expiring = { expiresAt: performance.now(), slot: -1, expire: () => (fired.push('killer'), unwatch(victim)) };
    const rest = [deadline(0, fired, 'x'), deadline(0, fired, 'y')];
    watch(victim);
    for (const d of rest) watch(d);
    watch(killer);
    await sleep(2 * TICK_MS + 50);
    assert.deepEqual(fired.slice().sort(), ['killer', 'x', 'y'].sort());
  });
});

describe('a linked cancellation with a long total timeout', () => {
  it('waits on the shared ticker rather than a timer of its own, and stops waiting when released', () => {
    const c = Cancel.linked(undefined, COARSE_FROM_MS);
    assert.equal(watching(), 1);
    c.release();
    assert.equal(watching(), 0);
    assert.equal(c.aborted, false);
  });

  it('aborts for its total timeout when its deadline passes', async () => {
    const c = Cancel.linked(undefined, 10 * 60_000);
    let heard = 0;
    c.once('abort', () => heard++);
    // Ten minutes are not waited for: the deadline is moved to now, which is what the clock does.
    (c as { expiresAt: number }).expiresAt = performance.now();
    await sleep(2 * TICK_MS + 50);
    assert.equal(c.aborted, true);
    assert.equal(c.why, 'total_timeout');
    assert.equal(heard, 1);
    c.release();
    assert.equal(watching(), 0);
  });

  it('keeps an exact timer of its own for a short total timeout', async () => {
    const c = Cancel.linked(undefined, 100);
    assert.equal(watching(), 0);
    const t0 = performance.now();
    await new Promise((r) => c.once('abort', r));
    const took = performance.now() - t0;
    assert.ok(took >= 95 && took < 100 + TICK_MS, `aborted after ${took.toFixed(0)} ms`);
    assert.equal(c.why, 'total_timeout');
    c.release();
  });
});
