import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { link, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityStore, ActivityStoreError, type ActivityStoreOptions } from '../../../src/core/activity/store';
import { errorRecord, pooledRecord, record, T0 } from '../../fixtures/activity/records';

describe('activity store', () => {
  let dir: string;
  let warnings: string[];
  const stores: ActivityStore[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-activity-'));
    warnings = [];
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  function open(opts: Partial<ActivityStoreOptions> = {}): ActivityStore {
    const s = new ActivityStore({ dir, onWarning: (m) => warnings.push(m), ...opts });
    stores.push(s);
    return s;
  }

  async function logFiles(): Promise<string[]> {
    return (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  }

  it('gives back an appended record exactly as it was, stored as one line', async () => {
    const store = open();
    const r = record('gen-1');
    await store.append(r);
    assert.deepEqual(await store.read(), [r]);
    const text = await readFile(join(dir, 'activity.jsonl'), 'utf8');
    assert.equal(text.split('\n').length, 2);
    assert.ok(text.startsWith('{"v":1,') && text.endsWith('\n'));
    assert.deepEqual(warnings, []);
  });

  it('creates its directory on the first append', async () => {
    const nested = join(dir, 'a', 'b');
    const store = new ActivityStore({ dir: nested });
    await store.append(record('gen-1'));
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      ['gen-1'],
    );
    await store.close();
  });

  it('reads nothing, without complaint, from a directory that does not exist yet', async () => {
    const store = open({ dir: join(dir, 'missing') });
    assert.deepEqual(await store.scan(), { records: [], skipped: 0 });
    assert.deepEqual(await store.monthToDate(T0), {
      byokRequests: 0,
      byokListUsd: 0,
      requests: 0,
      cost: 0,
      fee: 0,
      saving: 0,
      unpriced: 0,
      providerCost: 0,
      pooledCost: 0,
    });
  });

  it('returns the newest record first across the live and rotated files', async () => {
    const store = open({ maxFileBytes: 4000, maxFiles: 50 });
    for (let i = 0; i < 40; i++) await store.append(record(`gen-${i}`, { startedAt: T0 + i }));
    assert.ok((await logFiles()).length >= 5, 'the records span several files');
    const ids = (await store.read()).map((r) => r.id);
    assert.deepEqual(
      ids,
      Array.from({ length: 40 }, (_, i) => `gen-${39 - i}`),
    );
    assert.deepEqual(
      (await store.read({ limit: 3 })).map((r) => r.id),
      ['gen-39', 'gen-38', 'gen-37'],
    );
  });

  it('keeps the order of appends made without waiting for each other', async () => {
    const store = open({ maxFileBytes: 8000, maxFiles: 100 });
    const pending = Array.from({ length: 200 }, (_, i) => store.append(record(`gen-${i}`)));
    await store.flush();
    await Promise.all(pending);
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      Array.from({ length: 200 }, (_, i) => `gen-${199 - i}`),
    );
  });

  it('filters by caller, provider, key, outcome, model and time, newest first', async () => {
    const store = open();
    await store.append(record('a', { startedAt: T0 }));
    await store.append(pooledRecord('b', { startedAt: T0 + 1000 }));
    await store.append(errorRecord('c', { startedAt: T0 + 2000 }));
    await store.append(record('d', { startedAt: T0 + 3000, caller: 'evals', model: 'anthropic/claude-haiku-4.5' }));
    const ids = async (q: Parameters<ActivityStore['read']>[0]) => (await store.read(q)).map((r) => r.id);

    assert.deepEqual(await ids({}), ['d', 'c', 'b', 'a']);
    assert.deepEqual(await ids({ caller: 'prod' }), ['b']);
    assert.deepEqual(await ids({ caller: 'evals' }), ['d']);
    // b was served by openrouter but tried openai first: both providers find it.
    assert.deepEqual(await ids({ provider: 'openai' }), ['b']);
    assert.deepEqual(await ids({ provider: 'openrouter' }), ['b']);
    assert.deepEqual(await ids({ provider: 'anthropic' }), ['d', 'c', 'a']);
    assert.deepEqual(await ids({ keyId: 'k-openai' }), ['b']);
    assert.deepEqual(await ids({ keyId: 'k-main' }), ['d', 'c', 'a']);
    assert.deepEqual(await ids({ outcome: 'error' }), ['c']);
    assert.deepEqual(await ids({ outcome: 'success' }), ['d', 'b', 'a']);
    assert.deepEqual(await ids({ model: 'openai/gpt-5' }), ['b']);
    assert.deepEqual(await ids({ since: T0 + 1000, until: T0 + 3000 }), ['c', 'b']);
    assert.deepEqual(await ids({ provider: 'anthropic', outcome: 'success', limit: 1 }), ['d']);
    assert.deepEqual(await ids({ limit: 0 }), []);
  });

  it('keeps every file within its bound and at most maxFiles files, dropping the oldest', async () => {
    const maxFileBytes = 3000;
    const store = open({ maxFileBytes, maxFiles: 3 });
    for (let i = 0; i < 60; i++) {
      // Lines of varying length, so rotation points do not line up with a record count.
      await store.append(record(`gen-${i}`, { errorMessage: 'e'.repeat((i * 37) % 400) }));
    }
    const files = await logFiles();
    assert.deepEqual(files, ['activity.1.jsonl', 'activity.2.jsonl', 'activity.jsonl']);
    for (const f of files) {
      const { size } = await stat(join(dir, f));
      assert.ok(size <= maxFileBytes, `${f} is ${size} bytes`);
    }
    const ids = (await store.read()).map((r) => r.id);
    assert.ok(ids.length > 5 && ids.length < 60);
    // What survives is the newest run, unbroken.
    assert.deepEqual(
      ids,
      Array.from({ length: ids.length }, (_, i) => `gen-${59 - i}`),
    );
    assert.deepEqual(warnings, []);
  });

  it('keeps only the live file when maxFiles is one', async () => {
    const store = open({ maxFileBytes: 2000, maxFiles: 1 });
    for (let i = 0; i < 20; i++) await store.append(record(`gen-${i}`));
    assert.deepEqual(await logFiles(), ['activity.jsonl']);
    const ids = (await store.read()).map((r) => r.id);
    assert.equal(ids[0], 'gen-19');
    assert.ok(ids.length < 20);
  });

  it('skips corrupt lines and a line cut short by a crash, counting them with one warning per file', async () => {
    const good = (id: string) => JSON.stringify(record(id)) + '\n';
    await writeFile(join(dir, 'activity.1.jsonl'), good('old-1') + 'not json at all\n' + JSON.stringify({ v: 1, id: 'no-fields' }) + '\n' + good('old-2'));
    const future = JSON.stringify({ ...record('v2'), v: 2 });
    await writeFile(join(dir, 'activity.jsonl'), good('new-1') + future + '\n\n' + good('new-2') + good('new-3').slice(0, 150));
    const store = open();

    const { records, skipped } = await store.scan();
    assert.deepEqual(
      records.map((r) => r.id),
      ['new-2', 'new-1', 'old-2', 'old-1'],
    );
    assert.equal(skipped, 4);
    assert.equal(warnings.length, 2);
    assert.match(warnings.join('\n'), /activity\.jsonl: skipped 2 unreadable lines \(including a last line cut short/);
    assert.match(warnings.join('\n'), /activity\.1\.jsonl: skipped 2 unreadable lines$/m);

    // The panel re-reads often; the same damage is reported once.
    assert.equal((await store.scan()).skipped, 4);
    assert.equal(warnings.length, 2);
  });

  it('reads a record appended right after a line cut short by a crash', async () => {
    await writeFile(join(dir, 'activity.jsonl'), JSON.stringify(record('whole')) + '\n' + JSON.stringify(record('cut')).slice(0, 200));
    const store = open();
    await store.append(record('after'));
    const { records, skipped } = await store.scan();
    assert.deepEqual(
      records.map((r) => r.id),
      ['after', 'whole'],
    );
    assert.equal(skipped, 1);
  });

  it('recovers a whole record that a foreign writer glued onto a wreck', async () => {
    const cut = JSON.stringify(record('cut')).slice(0, 300);
    await writeFile(join(dir, 'activity.jsonl'), cut + JSON.stringify(record('glued')) + '\n');
    const store = open();
    const { records, skipped } = await store.scan();
    assert.deepEqual(
      records.map((r) => r.id),
      ['glued'],
    );
    assert.equal(skipped, 1);
  });

  it('reads lines longer than its read chunk, and multi-byte text across chunk edges', async () => {
    const store = open();
    const long = 'é☃'.repeat(40_000);
    await store.append(record('a', { errorMessage: long }));
    await store.append(record('b'));
    await store.append(record('c', { errorMessage: `🙂${long}` }));
    const got = await store.read();
    assert.deepEqual(
      got.map((r) => r.id),
      ['c', 'b', 'a'],
    );
    assert.equal(got[0]?.errorMessage, `🙂${long}`);
    assert.equal(got[2]?.errorMessage, long);
  });

  it('writes a burst of appends together, refusing only the malformed one and keeping each file within its bound', async () => {
    const store = open({ maxFileBytes: 4000, maxFiles: 100 });
    const bad = { ...record('bad'), startedAt: 'yesterday' } as unknown as Parameters<ActivityStore['append']>[0];
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 30 }, (_, i) => store.append(record(`gen-${i}`))),
      store.append(bad),
      ...Array.from({ length: 30 }, (_, i) => store.append(record(`gen-${30 + i}`))),
    ]);
    assert.deepEqual(
      outcomes.map((o, i) => (o.status === 'rejected' ? i : -1)).filter((i) => i >= 0),
      [30],
    );
    assert.equal(warnings.length, 1);
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      Array.from({ length: 60 }, (_, i) => `gen-${59 - i}`),
    );
    const sizes = await Promise.all((await logFiles()).map(async (f) => (await stat(join(dir, f))).size));
    assert.ok(sizes.length > 1, 'the burst spans several files');
    assert.ok(
      sizes.every((s) => s <= 4000),
      `file sizes ${sizes.join(', ')}`,
    );
  });

  it('refuses a malformed record with a warning and writes nothing', async () => {
    const store = open();
    const bad = { ...record('bad'), startedAt: 'yesterday' } as unknown as Parameters<ActivityStore['append']>[0];
    await assert.rejects(store.append(bad), (e: unknown) => e instanceof ActivityStoreError && /malformed record not written \(startedAt:/.test(e.message));
    assert.equal(warnings.length, 1);
    assert.deepEqual(await logFiles(), []);
    await store.append(record('good'));
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      ['good'],
    );
  });

  it('reports a disk error with the path and errno, both to the caller and as a warning', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const store = open({ dir: join(blocker, 'activity') });
    await assert.rejects(store.append(record('gen-1')), (e: unknown) => {
      assert.ok(e instanceof ActivityStoreError);
      assert.equal(e.code, 'ENOTDIR');
      assert.ok(e.message.includes(blocker), e.message);
      assert.ok(e.message.includes('ENOTDIR'), e.message);
      return true;
    });
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]?.includes('ENOTDIR') && warnings[0].includes(blocker));
    // A failed append does not jam the queue behind it.
    await assert.rejects(store.append(record('gen-2')), ActivityStoreError);
    await store.flush();
  });

  it('refuses appends after close, having written everything queued before it', async () => {
    const store = open();
    const first = store.append(record('gen-1'));
    await store.close();
    await first;
    await assert.rejects(store.append(record('gen-2')), /store is closed/);
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      ['gen-1'],
    );
  });

  it('loses nothing when two stores in one process append and rotate at once', async () => {
    const a = open({ maxFileBytes: 5000, maxFiles: 200 });
    const b = open({ maxFileBytes: 5000, maxFiles: 200 });
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 150; i++) pending.push(a.append(record(`a-${i}`)), b.append(record(`b-${i}`)));
    await Promise.all(pending);
    const ids = (await a.read()).map((r) => r.id);
    assert.equal(ids.length, 300);
    assert.equal(new Set(ids).size, 300);
    for (const tag of ['a', 'b']) {
      const mine = ids.filter((id) => id.startsWith(`${tag}-`));
      assert.deepEqual(
        mine,
        Array.from({ length: 150 }, (_, i) => `${tag}-${149 - i}`),
      );
    }
  });

  it('breaks a rotation lock left stale by a crash and rotates', async () => {
    const store = open({ maxFileBytes: 2000, maxFiles: 10, staleLockMs: 5_000 });
    const lock = join(dir, 'activity.lock');
    await writeFile(lock, JSON.stringify({ host: 'elsewhere', pid: 1, token: 'old' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    for (let i = 0; i < 12; i++) await store.append(record(`gen-${i}`));
    assert.ok((await logFiles()).includes('activity.1.jsonl'));
    assert.deepEqual(warnings, []);
    await assert.rejects(stat(lock), { code: 'ENOENT' });
  });

  it('breaks at once a fresh rotation lock whose owner on this machine has exited', async () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', timeout: 10_000 });
    const deadPid = Number(child.stdout);
    assert.ok(deadPid > 0);
    await writeFile(join(dir, 'activity.lock'), JSON.stringify({ host: hostname(), pid: deadPid, token: 'gone' }));
    const store = open({ maxFileBytes: 2000, maxFiles: 10, staleLockMs: 60_000, lockWaitMs: 50 });
    const t = Date.now();
    for (let i = 0; i < 12; i++) await store.append(record(`gen-${i}`));
    assert.ok((await logFiles()).includes('activity.1.jsonl'));
    assert.ok(Date.now() - t < 2_000);
  });

  it('writes past the bound rather than lose a record while another process holds the rotation lock', async () => {
    const lock = join(dir, 'activity.lock');
    // Held by a live process (this one, under another token), as a rotating window would.
    await writeFile(lock, JSON.stringify({ host: hostname(), pid: process.pid, token: 'someone-else' }));
    const store = open({ maxFileBytes: 2000, maxFiles: 10, lockWaitMs: 20 });
    for (let i = 0; i < 8; i++) await store.append(record(`gen-${i}`));
    assert.deepEqual(await logFiles(), ['activity.jsonl']);
    assert.ok((await stat(join(dir, 'activity.jsonl'))).size > 2000);
    await rm(lock);
    await store.append(record('gen-8'));
    assert.deepEqual(await logFiles(), ['activity.1.jsonl', 'activity.jsonl']);
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      Array.from({ length: 9 }, (_, i) => `gen-${8 - i}`),
    );
  });

  it('reads a file that a crash mid-rotation left under two names once', async () => {
    const store = open({ maxFileBytes: 100_000, maxFiles: 5 });
    await store.append(record('gen-0'));
    await store.append(record('gen-1'));
    // Crash between link(activity.jsonl, activity.1.jsonl) and the unlink of the live name.
    await link(join(dir, 'activity.jsonl'), join(dir, 'activity.1.jsonl'));
    assert.deepEqual(
      (await store.read()).map((r) => r.id),
      ['gen-1', 'gen-0'],
    );
  });
});
