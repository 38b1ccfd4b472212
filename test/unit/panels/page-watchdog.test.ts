import assert from 'node:assert/strict';
import { PageWatchdog } from '../../../src/vscode/panels/page-watchdog';

const GRACE = 15;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A view whose page says `ready` on the given load (1 = the first HTML), or never. */
function view(readyOnLoad: number | undefined, visible = true) {
  const v = { loads: 1, ready: false, visible, attempts: [] as number[] };
  const dog = new PageWatchdog({
    isReady: () => v.ready,
    isVisible: () => v.visible,
    reload: (attempt) => {
      v.attempts.push(attempt);
      v.loads++;
      if (v.loads === readyOnLoad) v.ready = true;
    },
    graceMs: GRACE,
  });
  if (readyOnLoad === 1) v.ready = true;
  return { v, dog };
}

describe('PageWatchdog', () => {
  it('leaves a page that greets the host in time alone', async () => {
    const { v, dog } = view(1);
    dog.arm();
    await wait(GRACE * 4);
    assert.deepEqual(v.attempts, []);
    assert.equal(dog.reloaded, 0);
    dog.stop();
  });

  it('reloads a visible page that never said ready, and stops once the reload loads', async () => {
    const { v, dog } = view(2);
    dog.arm();
    await wait(GRACE * 6);
    assert.deepEqual(v.attempts, [1]);
    assert.equal(v.ready, true);
    dog.stop();
  });

  it('gives up after two reloads, so a page that cannot load stays blank for tests to see', async () => {
    const { v, dog } = view(undefined);
    dog.arm();
    await wait(GRACE * 10);
    assert.deepEqual(v.attempts, [1, 2]);
    assert.equal(v.ready, false);
    dog.stop();
  });

  it('does not reload a hidden view, and waits again when it shows', async () => {
    const { v, dog } = view(2, false);
    dog.arm();
    await wait(GRACE * 4);
    assert.deepEqual(v.attempts, [], 'a hidden page is not expected to load');
    v.visible = true;
    dog.arm();
    await wait(GRACE * 4);
    assert.deepEqual(v.attempts, [1]);
    dog.stop();
  });

  it('does nothing after it is stopped', async () => {
    const { v, dog } = view(undefined);
    dog.arm();
    dog.stop();
    dog.arm();
    await wait(GRACE * 4);
    assert.deepEqual(v.attempts, []);
  });
});
