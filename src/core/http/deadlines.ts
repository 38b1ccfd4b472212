/**
 * Long deadlines, checked by one coarse ticker instead of a Node timer each.
 *
 * A call's total timeout (10 minutes unless configured) is set and cleared once per provider call
 * and almost never fires. Node keeps one timer list per duration, made when its first timer is
 * set and torn down when its last is cleared, so a caller with one request in flight at a time
 * (an assistant on the local endpoint, the `vscode.lm` path) paid for both on every call: about
 * 8 µs of CPU per request in the endpoint's process (docs/ARCHITECTURE.md, "Performance"). A
 * deadline at least `COARSE_FROM_MS` away waits in a list that one unref'd interval walks every
 * `TICK_MS`, and fires at most `TICK_MS` late: a twentieth of the shortest such deadline. Shorter
 * deadlines keep a timer of their own, as exact as Node's.
 */

export const TICK_MS = 250;
export const COARSE_FROM_MS = 5_000;

/** Something with a deadline on the monotonic clock (`performance.now()`). */
export interface Expiring {
  readonly expiresAt: number;
  /** Where it waits in the list below; -1 when it is not waiting. Only this module writes it. */
  slot: number;
  expire(): void;
}

// An array with swap-removal rather than a Set: a Set's delete of a fresh object cost 2 µs (it
// has to hash the object first), the array's costs two stores.
const pending: Expiring[] = [];
let ticker: ReturnType<typeof setInterval> | undefined;

/** `e.expire()` runs once `e.expiresAt` has passed, unless `unwatch(e)` came first. */
export function watch(e: Expiring): void {
  if (e.slot >= 0) return;
  e.slot = pending.length;
  pending.push(e);
  if (ticker) return;
  ticker = setInterval(tick, TICK_MS);
  // Whatever waits on the deadline (a socket) keeps the process alive; the ticker must not.
  ticker.unref();
}

export function unwatch(e: Expiring): void {
  const at = e.slot;
  if (at < 0) return;
  e.slot = -1;
  const last = pending.pop()!;
  if (last === e) return;
  pending[at] = last;
  last.slot = at;
}

/** How many deadlines are waiting (for tests). */
export function watching(): number {
  return pending.length;
}

function tick(): void {
  // An idle ticker stops: a caller that pauses between requests restarts it at most once a tick.
  if (pending.length === 0) {
    clearInterval(ticker);
    ticker = undefined;
    return;
  }
  const now = performance.now();
  // Backwards, so the swap-removal of an expired entry only moves one already looked at.
  for (let i = pending.length - 1; i >= 0; i--) {
    const e = pending[i];
    if (!e || e.expiresAt > now) continue;
    unwatch(e);
    try {
      e.expire();
    } catch (err) {
      // As a timer callback's throw would be, but the other deadlines still fire.
      setImmediate(() => {
        throw err;
      });
    }
  }
}
