/**
 * Size-bounded rotation shared by every window and CLI process that writes the same log directory.
 *
 * Appenders never lock: each append is one O_APPEND write to whatever `activity.jsonl` is at that
 * moment. Only rotation locks, through a lock file created exclusively (`wx`), so two processes that
 * both see the file full rotate once between them. Files move with link + unlink rather than
 * rename, because rename silently replaces its target: should two rotations ever overlap (a lock
 * broken as stale while its owner was merely slow), a move onto an existing file fails instead of
 * destroying it, and the rotation is abandoned with the live file left over its bound.
 */
import { randomUUID } from 'node:crypto';
import { link, lstat, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const CURRENT_FILE = 'activity.jsonl';
export const LOCK_FILE = 'activity.lock';
const ROTATED = /^activity\.(\d+)\.jsonl$/;

/** `activity.jsonl` for 0, `activity.N.jsonl` for the Nth older file. */
export function logFileName(index: number): string {
  return index === 0 ? CURRENT_FILE : `activity.${index}.jsonl`;
}

/** Indexes of the rotated files present, ascending (gaps possible after a crash mid-rotation). */
export async function rotatedIndexes(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return [];
    throw e;
  }
  const out: number[] = [];
  for (const name of names) {
    const m = ROTATED.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.filter((n) => n > 0).sort((a, b) => a - b);
}

export interface LockOptions {
  /** A lock older than this is presumed abandoned by a crashed process. */
  staleMs: number;
  /** How long to wait for another process's rotation before giving up on this one. */
  waitMs: number;
}

interface LockBody {
  host?: string;
  pid?: number;
  token?: string;
}

/**
 * Runs `fn` holding the rotation lock; `undefined` when another process kept it for longer than
 * `waitMs` (it is rotating, so this caller need not).
 */
export async function withRotationLock<T>(dir: string, opts: LockOptions, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const lockPath = join(dir, LOCK_FILE);
  const token = await acquire(lockPath, opts);
  if (!token) return undefined;
  try {
    return { value: await fn() };
  } finally {
    await release(lockPath, token);
  }
}

const POLL_MS = 5;

async function acquire(lockPath: string, opts: LockOptions): Promise<string | undefined> {
  const token = randomUUID();
  const body = JSON.stringify({ host: hostname(), pid: process.pid, token, at: Date.now() });
  const deadline = Date.now() + opts.waitMs;
  // Bounded: each pass either takes the lock, breaks a stale one, or sleeps toward the deadline.
  const maxPasses = Math.ceil(opts.waitMs / POLL_MS) + 8;
  for (let pass = 0; pass < maxPasses; pass++) {
    try {
      await writeFile(lockPath, body, { flag: 'wx', mode: 0o600 });
      return token;
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
    }
    if (await breakIfStale(lockPath, opts.staleMs)) continue;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let seen;
  try {
    seen = await stat(lockPath);
  } catch (e) {
    // Released between our attempt and this look: try again at once.
    if (errno(e) === 'ENOENT') return true;
    throw e;
  }
  if (!(Date.now() - seen.mtimeMs > staleMs || (await ownerIsDead(lockPath)))) return false;
  const aside = `${lockPath}.${randomUUID()}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (e) {
    if (errno(e) === 'ENOENT') return true; // someone else broke it first
    throw e;
  }
  const taken = await stat(aside).catch(() => undefined);
  if (taken && (taken.ino !== seen.ino || taken.dev !== seen.dev)) {
    // The stale lock was replaced by a live one between our look and the rename: put it back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

/** A lock left by a process on this machine that no longer exists is stale whatever its age. */
async function ownerIsDead(lockPath: string): Promise<boolean> {
  let owner: LockBody;
  try {
    owner = JSON.parse(await readFile(lockPath, 'utf8')) as LockBody;
  } catch {
    return false; // being written right now, or gone: leave it to the age rule
  }
  if (owner.host !== hostname() || typeof owner.pid !== 'number' || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return errno(e) === 'ESRCH';
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  try {
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as LockBody;
    // Only our own: if it was broken as stale and retaken, the new owner keeps it.
    if (owner.token === token) await unlink(lockPath);
  } catch {
    // Already gone, or replaced by a body still being written: not ours either way.
  }
}

/**
 * Shifts `activity.N` to `activity.N+1` down to the live file, dropping whatever would land at or
 * past `maxFiles`. Call only under the rotation lock.
 */
export async function rotateFiles(dir: string, maxFiles: number): Promise<void> {
  const path = (i: number) => join(dir, logFileName(i));
  for (const i of (await rotatedIndexes(dir)).reverse()) {
    if (i >= maxFiles - 1) await unlinkIfPresent(path(i));
  }
  for (let i = maxFiles - 2; i >= 0; i--) await moveIfPresent(path(i), path(i + 1));
  if (maxFiles <= 1) await unlinkIfPresent(path(0));
}

async function unlinkIfPresent(p: string): Promise<void> {
  try {
    await unlink(p);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
}

/** Filesystems without hard links answer link() with one of these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

async function moveIfPresent(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    const code = errno(e);
    if (code === 'ENOENT') return;
    if (!code || !NO_HARD_LINKS.has(code)) throw e;
    // No hard links here: rename, after making sure it replaces nothing.
    const existing = await lstat(to).catch((err: unknown) => (errno(err) === 'ENOENT' ? undefined : Promise.reject(err)));
    if (existing) throw Object.assign(new Error(`EEXIST: ${to} already exists`), { code: 'EEXIST', path: to });
    try {
      await rename(from, to);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
    }
    return;
  }
  await unlinkIfPresent(from);
}

export function errno(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
