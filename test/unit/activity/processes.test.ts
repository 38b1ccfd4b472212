/**
 * Other windows are other processes: these tests run real child Node processes against one log
 * directory, and kill one mid-write.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generationSchema } from '../../../src/core/activity/record';
import { ActivityStore } from '../../../src/core/activity/store';
import { record } from '../../fixtures/activity/records';

const SCRIPT = resolve(__dirname, '../../fixtures/activity/append-loop.ts');
const ROOT = resolve(__dirname, '../../..');

interface Writer {
  child: ChildProcess;
  tag: string;
  lastAck: number;
  stderr: string;
  ready: Promise<void>;
  exited: Promise<number | null>;
  acked(n: number, timeoutMs: number): Promise<void>;
}

function startWriter(opts: Record<string, unknown> & { tag: string }): Writer {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', SCRIPT, JSON.stringify(opts)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const w: Writer = {
    child,
    tag: opts.tag,
    lastAck: -1,
    stderr: '',
    ready: undefined as unknown as Promise<void>,
    exited: new Promise((res) => child.once('exit', (code) => res(code))),
    acked: () => Promise.resolve(),
  };
  const waiters: Array<{ n: number; done: () => void }> = [];
  let out = '';
  let readyResolve!: () => void;
  w.ready = new Promise((res) => (readyResolve = res));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') readyResolve();
      const m = /^ack (\d+)$/.exec(line);
      if (m) w.lastAck = Number(m[1]);
    }
    for (const wt of waiters.splice(0)) {
      if (w.lastAck >= wt.n) wt.done();
      else waiters.push(wt);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (w.stderr += c));
  w.acked = (n, timeoutMs) =>
    new Promise<void>((res, rej) => {
      if (w.lastAck >= n) return res();
      const timer = setTimeout(() => rej(new Error(`writer ${w.tag} acked only ${w.lastAck} of ${n} in ${timeoutMs} ms; stderr: ${w.stderr}`)), timeoutMs);
      waiters.push({
        n,
        done: () => {
          clearTimeout(timer);
          res();
        },
      });
      void w.exited.then(() => {
        clearTimeout(timer);
        if (w.lastAck >= n) res();
        else rej(new Error(`writer ${w.tag} exited after ack ${w.lastAck}; stderr: ${w.stderr}`));
      });
    });
  return w;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no result in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

describe('activity store across processes', function () {
  this.timeout(60_000);
  let dir: string;
  let writers: Writer[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-activity-proc-'));
    writers = [];
  });

  afterEach(async () => {
    for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(writers.map((w) => within(w.exited, 10_000, `writer ${w.tag} exit`).catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every record whole and in order when four processes append and rotate at once', async () => {
    const maxFileBytes = 32 * 1024;
    const perWriter = 500;
    const opts = { dir, count: perWriter, maxFileBytes, maxFiles: 400, waitForGo: true, lifetimeMs: 45_000 };
    writers = ['p0', 'p1', 'p2', 'p3'].map((tag) => startWriter({ ...opts, tag }));
    await within(Promise.all(writers.map((w) => w.ready)), 20_000, 'writers ready');
    for (const w of writers) w.child.stdin!.end('go\n');
    const codes = await within(Promise.all(writers.map((w) => w.exited)), 45_000, 'writers done');
    assert.deepEqual(codes, [0, 0, 0, 0], writers.map((w) => w.stderr).join('\n'));
    assert.equal(writers.map((w) => w.stderr).join(''), '', 'no writer warned');

    // Every physical line of every file is one whole record: nothing interleaved, nothing torn.
    const files = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    assert.ok(files.length > 10, `rotation ran (${files.length} files)`);
    let lines = 0;
    let longest = 0;
    const sizes: number[] = [];
    for (const f of files) {
      const text = await readFile(join(dir, f), 'utf8');
      sizes.push(Buffer.byteLength(text));
      assert.ok(text.endsWith('\n'), `${f} ends with a newline`);
      for (const line of text.split('\n').slice(0, -1)) {
        assert.ok(generationSchema.safeParse(JSON.parse(line)).success, `${f}: ${line.slice(0, 80)}`);
        longest = Math.max(longest, Buffer.byteLength(line) + 1);
        lines++;
      }
    }
    assert.equal(lines, 4 * perWriter);
    // Over the bound only by records that were already on their way when the file filled.
    for (const size of sizes) assert.ok(size <= maxFileBytes + 4 * longest, `a file of ${size} bytes`);

    const store = new ActivityStore({ dir, maxFileBytes, maxFiles: 400 });
    const { records, skipped } = await store.scan();
    assert.equal(skipped, 0);
    assert.equal(records.length, 4 * perWriter);
    assert.equal(new Set(records.map((r) => r.id)).size, 4 * perWriter);
    for (const w of writers) {
      const mine = records.filter((r) => r.caller === w.tag).map((r) => r.id);
      assert.deepEqual(
        mine,
        Array.from({ length: perWriter }, (_, i) => `${w.tag}-${perWriter - 1 - i}`),
        `${w.tag} kept its order`,
      );
    }
    // The writers really overlapped, or this proved nothing about concurrency.
    const order = records.map((r) => r.caller);
    let switches = 0;
    for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) switches++;
    assert.ok(switches > 20, `writers interleaved at the record level ${switches} times`);
    await store.close();
  });

  it('loses at most the record in flight when a writer is killed with SIGKILL, and returns no corrupt one', async () => {
    // Lines of several pages, so a kill can land inside one write; small files, so also inside a rotation.
    const opts = { dir, count: 1_000_000, maxFileBytes: 256 * 1024, maxFiles: 1000, pad: 12_000, ack: true, lifetimeMs: 30_000 };
    // Killed at different moments relative to the acknowledgements, to land in a write or a rotation.
    for (const [round, minAcks, delayMs] of [
      ['k0', 40, 0],
      ['k1', 150, 3],
      ['k2', 300, 11],
    ] as const) {
      const w = startWriter({ ...opts, tag: round });
      writers.push(w);
      await within(w.ready, 20_000, 'writer ready');
      await w.acked(minAcks, 20_000);
      await new Promise((r) => setTimeout(r, delayMs));
      w.child.kill('SIGKILL');
      await within(w.exited, 10_000, 'killed writer exit');
      const lastAck = w.lastAck;

      const store = new ActivityStore({ dir, maxFileBytes: opts.maxFileBytes, maxFiles: opts.maxFiles });
      const { records, skipped } = await store.scan();
      // One torn line per kill at most.
      assert.ok(skipped <= writers.length, `skipped ${skipped}`);
      for (const r of records) assert.ok(generationSchema.safeParse(r).success);
      const mine = records.filter((r) => r.caller === round).map((r) => Number(r.id.split('-')[1]));
      // Whatever was acknowledged is there, and nothing before the last survivor is missing.
      assert.ok(mine.length >= lastAck + 1, `${round}: ${mine.length} records, last ack ${lastAck}`);
      assert.deepEqual(
        mine,
        Array.from({ length: mine.length }, (_, i) => mine.length - 1 - i),
      );

      // The next writer carries on cleanly after the wreck.
      await store.append(record(`after-${round}`, { caller: 'after' }));
      const again = await store.scan();
      assert.equal(again.records[0]?.id, `after-${round}`);
      assert.equal(again.records.length, records.length + 1);
      assert.equal(again.skipped, skipped);
      await store.close();
    }
  });
});
