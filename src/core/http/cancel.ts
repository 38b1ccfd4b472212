/**
 * A request's cancellation that undici takes as its signal without EventTarget's cost. undici
 * accepts an AbortSignal or an EventEmitter with `aborted` and `reason`; registering and removing
 * its listener on an AbortSignal cost 25–30 µs of CPU per request at concurrency 50, on an
 * emitter almost nothing. A callee that needs a real AbortSignal (Vertex's adapter, to stop
 * waiting on a token exchange other calls share) gets one made on first use.
 */
import { EventEmitter } from 'node:events';
import { COARSE_FROM_MS, watch, unwatch, type Expiring } from './deadlines';

export class Cancel extends EventEmitter implements Expiring {
  aborted = false;
  reason: unknown = undefined;
  /** For a `linked` cancellation: whether the caller's signal or the total timer came first. */
  why: 'cancelled' | 'total_timeout' | undefined = undefined;
  private controller: AbortController | undefined;
  /** When a `linked` cancellation's total time runs out, on `performance.now()`'s clock; 0 when it has no deadline. */
  expiresAt = 0;
  /** Its place among the deadlines waiting on the shared ticker (deadlines.ts); -1 when not waiting. */
  slot = -1;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private unlisten: (() => void) | undefined = undefined;

  /**
   * A call's own cancellation: it follows the caller's `signal` and aborts itself after `totalMs`,
   * keeping in `why` which came first. `release()` it when the call is over.
   */
  static linked(signal: CancelSignal | undefined, totalMs: number): Cancel {
    const c = new Cancel();
    if (signal) c.unlisten = whenAborted(signal, () => c.abortFor('cancelled'));
    // A total timeout of minutes waits on the shared ticker (deadlines.ts): a timer of its own
    // cost more to set and clear than the rest of the cancellation.
    if (totalMs >= COARSE_FROM_MS) {
      c.expiresAt = performance.now() + totalMs;
      watch(c);
    } else c.timer = setTimeout(() => c.expire(), totalMs);
    return c;
  }

  /** Stops the timer and stops following the caller's signal. */
  release(): void {
    if (this.slot >= 0) unwatch(this);
    else clearTimeout(this.timer);
    this.unlisten?.();
  }

  /** The total time ran out. */
  expire(): void {
    this.abortFor('total_timeout');
  }

  private abortFor(why: 'cancelled' | 'total_timeout'): void {
    this.why ??= why;
    this.abort();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = abortError();
    this.controller?.abort(this.reason);
    this.emit('abort');
  }

  /** An AbortSignal that follows this cancellation. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/** What `HttpClient.send` takes: a standard signal, or the lighter `Cancel`. */
export type CancelSignal = AbortSignal | Cancel;

/** Calls `fn` once when `signal` aborts, on either kind of signal; returns what stops listening. */
export function whenAborted(signal: CancelSignal, fn: () => void): () => void {
  if (signal instanceof Cancel) {
    signal.once('abort', fn);
    return () => void signal.removeListener('abort', fn);
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/** The error an aborted operation rejects with, named as the platform names it. */
export function abortError(): Error {
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}
