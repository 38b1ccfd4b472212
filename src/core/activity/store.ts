/**
 * The activity log on disk: one JSON line per generation in `dir/activity.jsonl`, rotated by size
 * into `activity.1.jsonl` … `activity.{maxFiles-1}.jsonl`.
 *
 * Several editor windows and CLI runs append to the same directory at once. Each record goes out as
 * one write() of its whole line on a descriptor opened O_APPEND; on a local regular file the kernel
 * places each such write at the end as a unit, so records from different processes never interleave
 * (whatever their size: the PIPE_BUF limit is about pipes). Within a process appends queue on one
 * promise chain, so they land in the order they were made.
 */
import type { Stats } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRecordJson, decodeLine, encodeRecord, linesFromEnd } from './lines';
import { matches, monthBounds, MonthTotals, ORDER_SLACK_MS, type ActivityMonthToDate, type ActivityQuery } from './query';
import type { ActivitySink, GenerationRecord } from './record';
import { CURRENT_FILE, errno, logFileName, rotatedIndexes, rotateFiles, withRotationLock } from './rotation';

export type { ActivityMonthToDate, ActivityQuery } from './query';

/** The most one write appends: a burst of records goes out in a few writes, not one per record. */
const BATCH_BYTES = 64 * 1024;

interface PendingAppend {
  text: string;
  resolve: () => void;
  reject: (e: ActivityStoreError) => void;
}

export interface ActivityStoreOptions {
  dir: string;
  /** A file is rotated before an append would take it past this size. Default 5 MiB. */
  maxFileBytes?: number;
  /** The live file plus rotated ones; the oldest beyond this is dropped. Default 5. */
  maxFiles?: number;
  /** Disk trouble and unreadable lines, already phrased for the log (path and errno, never record content). */
  onWarning?(message: string): void;
  /** A rotation lock older than this is taken to be a crashed process's. Default 10 s. */
  staleLockMs?: number;
  /** How long an append waits for another process's rotation before writing anyway. Default 250 ms. */
  lockWaitMs?: number;
}

export interface ActivityScan {
  /** Newest first. */
  records: GenerationRecord[];
  /** Lines that held no readable record: corrupt, of another version, or cut short by a crash. */
  skipped: number;
}

/** A failed append, worded for the log: which file, which errno. */
export class ActivityStoreError extends Error {
  override readonly name = 'ActivityStoreError';
  constructor(
    message: string,
    readonly path: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const MiB = 1024 * 1024;
/** A record whose file was dropped by a rotation between open and write is written again, this often at most. */
const MAX_WRITE_PASSES = 3;

export class ActivityStore implements ActivitySink {
  readonly dir: string;
  /** The live file, for "open the log" commands. */
  readonly file: string;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly staleLockMs: number;
  private readonly lockWaitMs: number;
  private readonly warn: (message: string) => void;
  private tail: Promise<void> = Promise.resolve();
  /** Appends waiting for the write in progress to finish; they go out together. */
  private batch: PendingAppend[] | undefined;
  private closed = false;
  private dirReady = false;
  /** Unreadable-line warnings already given, so a panel that re-reads does not repeat them. */
  private readonly warned = new Set<string>();

  constructor(opts: ActivityStoreOptions) {
    this.dir = opts.dir;
    this.file = join(opts.dir, CURRENT_FILE);
    this.maxFileBytes = Math.max(1, opts.maxFileBytes ?? 5 * MiB);
    this.maxFiles = Math.max(1, Math.floor(opts.maxFiles ?? 5));
    this.staleLockMs = opts.staleLockMs ?? 10_000;
    this.lockWaitMs = opts.lockWaitMs ?? 250;
    const onWarning = opts.onWarning;
    this.warn = (message) => {
      try {
        onWarning?.(message);
      } catch {
        // A broken log callback must not break the log.
      }
    };
  }

  /**
   * Queues the record and resolves once it is written. Rejects (after reporting through
   * `onWarning`) when it cannot be: the store is closed, the record is malformed, or the disk said no.
   * Only a snapshot is taken here; the record is checked with the batch it is written in, so a
   * generation hands its record over without waiting for validation or the disk.
   */
  append(record: GenerationRecord): Promise<void> {
    if (this.closed) return this.fail(new ActivityStoreError(`activity log ${this.file}: store is closed, record ${record.id} not written`, this.file));
    let text: string;
    try {
      // A snapshot: the caller may keep mutating its object after handing it over.
      text = JSON.stringify(record);
    } catch (e) {
      return this.fail(new ActivityStoreError(`activity log ${this.file}: malformed record not written (${describe(e)})`, this.file));
    }
    return new Promise<void>((resolve, reject) => {
      let batch = this.batch;
      if (!batch) {
        const started: PendingAppend[] = [];
        batch = this.batch = started;
        const run = this.tail.then(() => {
          // Appends from here on wait for the next batch.
          this.batch = undefined;
          return this.writeBatch(started);
        });
        this.tail = run.catch(() => undefined);
      }
      batch.push({ text, resolve, reject });
    });
  }

  /** Checks each record of a batch and writes the good ones as one append; each caller hears its own outcome. */
  private async writeBatch(batch: readonly PendingAppend[]): Promise<void> {
    const lines: Buffer[] = [];
    const accepted: PendingAppend[] = [];
    for (const item of batch) {
      const checked = checkRecordJson(item.text);
      if ('problem' in checked) {
        this.fail(new ActivityStoreError(`activity log ${this.file}: malformed record not written (${checked.problem})`, this.file)).catch(item.reject);
        continue;
      }
      lines.push(encodeRecord(checked.record));
      accepted.push(item);
    }
    // Written in runs of at most BATCH_BYTES (or the file bound, if smaller), so a file keeps to its bound.
    const limit = Math.min(BATCH_BYTES, this.maxFileBytes);
    for (let i = 0; i < lines.length;) {
      let bytes = lines[i]!.length;
      let j = i + 1;
      while (j < lines.length && bytes + lines[j]!.length <= limit) bytes += lines[j++]!.length;
      const run = accepted.slice(i, j);
      try {
        await this.write(j - i === 1 ? lines[i]! : Buffer.concat(lines.slice(i, j), bytes));
        for (const item of run) item.resolve();
      } catch (e) {
        const error = asStoreError(e, this.file);
        this.warn(error.message);
        for (const item of run) item.reject(error);
      }
      i = j;
    }
  }

  /** Resolves when every append made so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Writes what is queued; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  /** Records newest first across the live and rotated files. */
  async read(query: ActivityQuery = {}): Promise<GenerationRecord[]> {
    return (await this.scan(query)).records;
  }

  /** `read`, plus how many lines were unreadable. */
  async scan(query: ActivityQuery = {}): Promise<ActivityScan> {
    const records: GenerationRecord[] = [];
    const skipped = await this.walk(query, (r) => {
      records.push(r);
      return query.limit === undefined || records.length < query.limit;
    });
    return { records, skipped };
  }

  /** Totals for the calendar month (UTC) containing `now`, by when each generation started. */
  async monthToDate(now: number): Promise<ActivityMonthToDate> {
    const { start, end } = monthBounds(now);
    const totals = new MonthTotals();
    await this.walk({ since: start, until: end }, (r) => {
      totals.add(r);
      return true;
    });
    return totals.result();
  }

  // ---- writing ----

  private async write(line: Buffer): Promise<void> {
    let rotated = false;
    for (let pass = 0; pass < MAX_WRITE_PASSES; pass++) {
      let fh = await this.openForAppend();
      try {
        const stats = await fh.stat();
        if (!rotated && stats.size > 0 && stats.size + line.length > this.maxFileBytes) {
          rotated = true;
          await fh.close();
          await this.rotate(line.length);
          fh = await this.openForAppend();
        }
        // No newline repair for a wreck a killed writer left at the end: racing other appenders it
        // would only add blank lines, and the reader recovers a record glued onto a wreck.
        const { bytesWritten } = await fh.write(line, 0, line.length);
        if (bytesWritten !== line.length) {
          throw new ActivityStoreError(`activity log ${this.file}: short write (${bytesWritten} of ${line.length} bytes)`, this.file, 'EIO');
        }
        const after = await fh.stat();
        // Between our open and our write, rotations may have shifted this file out of the set
        // entirely; the newest record must not vanish with it.
        if (after.nlink > 0) return;
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
    throw new ActivityStoreError(`activity log ${this.file}: file kept being rotated away during the append`, this.file);
  }

  private async openForAppend(): Promise<FileHandle> {
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    try {
      return await open(this.file, 'a', 0o600);
    } catch (e) {
      // The directory may have been removed while we ran: recreate it once.
      if (errno(e) !== 'ENOENT') throw e;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      return await open(this.file, 'a', 0o600);
    }
  }

  /** Never throws: an unrotated file only grows past its bound, which beats losing the record. */
  private async rotate(incoming: number): Promise<void> {
    try {
      await withRotationLock(this.dir, { staleMs: this.staleLockMs, waitMs: this.lockWaitMs }, async () => {
        // Another process may have rotated while we waited for the lock.
        const size = await stat(this.file).then(
          (s) => s.size,
          () => 0,
        );
        if (size > 0 && size + incoming > this.maxFileBytes) await rotateFiles(this.dir, this.maxFiles);
      });
    } catch (e) {
      this.warn(`activity log ${this.dir}: rotation failed, the live file grows past its bound for now: ${describe(e)}`);
    }
  }

  private fail(e: ActivityStoreError): Promise<never> {
    this.warn(e.message);
    return Promise.reject(e);
  }

  // ---- reading ----

  /**
   * Feeds matching records to `take`, newest first, until it returns false; returns the number of
   * unreadable lines met on the way.
   */
  private async walk(query: ActivityQuery, take: (r: GenerationRecord) => boolean): Promise<number> {
    if (query.limit !== undefined && query.limit <= 0) return 0;
    // Our own queued appends first, so a read right after an append sees it.
    await this.tail;
    const files = await this.openSnapshot();
    let skipped = 0;
    try {
      outer: for (const f of files) {
        let bad = 0;
        let cutShort = false;
        for await (const line of linesFromEnd(f.fh, f.stats.size)) {
          const { record, corrupt } = decodeLine(line.text);
          if (corrupt && line.unterminated && !record) cutShort = true;
          bad += corrupt;
          if (!record) continue;
          if (query.since !== undefined && record.startedAt < query.since - ORDER_SLACK_MS) {
            skipped += this.report(f, bad, cutShort);
            break outer;
          }
          if (matches(record, query) && !take(record)) {
            skipped += this.report(f, bad, cutShort);
            break outer;
          }
        }
        skipped += this.report(f, bad, cutShort);
      }
    } finally {
      await Promise.all(files.map((f) => f.fh.close().catch(() => undefined)));
    }
    return skipped;
  }

  private report(f: OpenLog, bad: number, cutShort: boolean): number {
    if (bad === 0) return 0;
    const key = `${f.stats.dev}:${f.stats.ino}:${bad}`;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      const what = cutShort ? ' (including a last line cut short, as by a crash mid-write)' : '';
      this.warn(`activity log ${f.path}: skipped ${bad} unreadable line${bad === 1 ? '' : 's'}${what}`);
    }
    return bad;
  }

  /**
   * Opens the live file and every rotated one up front, newest first, so a rotation during the read
   * cannot hide a file: an open descriptor keeps its contents even once renamed or dropped. A file
   * met twice under two names (a rotation moved it between our opens) is read once.
   */
  private async openSnapshot(): Promise<OpenLog[]> {
    const indexes = await rotatedIndexes(this.dir);
    // One index past the highest, in case a rotation shifts everything up while we open.
    const last = (indexes[indexes.length - 1] ?? 0) + 1;
    const wanted = [0, ...indexes, last];
    const out: OpenLog[] = [];
    const seen = new Set<string>();
    try {
      for (const i of wanted) {
        const path = join(this.dir, logFileName(i));
        let fh: FileHandle;
        try {
          fh = await open(path, 'r');
        } catch (e) {
          if (errno(e) === 'ENOENT') continue;
          throw e;
        }
        const stats = await fh.stat();
        const id = `${stats.dev}:${stats.ino}`;
        if (seen.has(id)) {
          await fh.close();
          continue;
        }
        seen.add(id);
        out.push({ path, fh, stats });
      }
    } catch (e) {
      await Promise.all(out.map((f) => f.fh.close().catch(() => undefined)));
      throw asStoreError(e, this.dir);
    }
    return out;
  }
}

interface OpenLog {
  path: string;
  fh: FileHandle;
  stats: Stats;
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException | undefined;
  // Node's fs messages already start with the code ("ENOSPC: no space left on device, write").
  if (err && typeof err.code === 'string' && !err.message.startsWith(err.code)) return `${err.code}: ${err.message}`;
  return err?.message ?? String(e);
}

function asStoreError(e: unknown, path: string): ActivityStoreError {
  if (e instanceof ActivityStoreError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  const where = typeof err?.path === 'string' ? err.path : path;
  return new ActivityStoreError(`activity log ${where}: ${describe(e)}`, where, errno(e));
}
