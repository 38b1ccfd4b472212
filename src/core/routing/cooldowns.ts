/**
 * Cooldown state per route. Rate-limited routes wait until Retry-After (capped) or a doubling
 * backoff; a route that failed auth stays off until its secret changes — retrying a broken key
 * only burns latency on every request.
 */
import { createHash } from 'node:crypto';
import type { ErrorKind } from '../errors';
import type { CooldownPolicy } from '../config/schema';
import type { Clock } from '../ports';

export interface CooldownEntry {
  kind: ErrorKind;
  /** Epoch ms; Infinity while an auth failure waits for a new secret. */
  until: number;
  reason: string;
  /** Consecutive rate-limit failures, for the backoff. */
  failures: number;
  /** Fingerprint of the secret that failed auth; a different secret lifts the block. */
  secretFingerprint?: string;
}

export interface CooldownStore {
  get(routeId: string): CooldownEntry | undefined;
  set(routeId: string, entry: CooldownEntry): void;
  delete(routeId: string): void;
  entries(): Iterable<[string, CooldownEntry]>;
  /** Changes on every set and delete; plans are cached only for a store that has it. */
  epoch?(): number;
}

/** Routes held at most: ids come from configured keys and callers, so this is never reached in use. */
export const MAX_COOLDOWN_ENTRIES = 10_000;

/**
 * Cooldown entries in memory, bounded: past the cap the entry set longest ago goes first, which
 * only lets a route be tried again early.
 */
export class MemoryCooldownStore implements CooldownStore {
  private readonly map = new Map<string, CooldownEntry>();
  private changes = 0;
  constructor(private readonly maxEntries = MAX_COOLDOWN_ENTRIES) {}
  get(id: string) {
    return this.map.get(id);
  }
  set(id: string, e: CooldownEntry) {
    this.changes++;
    this.map.delete(id); // re-inserted last: the Map's order is the eviction order
    this.map.set(id, e);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
  delete(id: string) {
    if (this.map.delete(id)) this.changes++;
  }
  entries() {
    return this.map.entries();
  }
  get size() {
    return this.map.size;
  }
  epoch() {
    return this.changes;
  }
}

/** Not reversible and not the secret: only compares old and new values. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update('byok-router:').update(secret).digest('hex').slice(0, 16);
}

export class Cooldowns {
  constructor(
    readonly store: CooldownStore,
    private readonly clock: Clock,
    private policy: CooldownPolicy,
  ) {}

  setPolicy(p: CooldownPolicy) {
    this.policy = p;
  }

  /** The active block on a route, if any. Expired entries are kept for the failure count. */
  active(routeId: string, secret?: string): CooldownEntry | undefined {
    const e = this.store.get(routeId);
    if (!e) return undefined;
    if (e.kind === 'auth') {
      if (secret !== undefined && e.secretFingerprint !== secretFingerprint(secret)) {
        this.store.delete(routeId);
        return undefined;
      }
      return e;
    }
    return e.until > this.clock.now() ? e : undefined;
  }

  /** Returns the block placed, or undefined when the kind does not cool a route down. */
  recordFailure(routeId: string, kind: ErrorKind, reason: string, retryAfterMs: number | undefined, secret?: string): CooldownEntry | undefined {
    const now = this.clock.now();
    if (kind === 'auth') {
      const e: CooldownEntry = { kind, until: Infinity, reason, failures: 1, secretFingerprint: secret ? secretFingerprint(secret) : undefined };
      this.store.set(routeId, e);
      return e;
    }
    if (kind !== 'rate_limited') return undefined;
    const prev = this.store.get(routeId);
    const failures = (prev?.kind === 'rate_limited' ? prev.failures : 0) + 1;
    const wait =
      retryAfterMs !== undefined
        ? Math.min(Math.max(0, retryAfterMs), this.policy.maxMs)
        : Math.min(this.policy.backoffMs * 2 ** Math.min(failures - 1, 30), this.policy.maxMs);
    const e: CooldownEntry = { kind, until: now + wait, reason, failures };
    this.store.set(routeId, e);
    return e;
  }

  recordSuccess(routeId: string) {
    if (this.store.get(routeId)) this.store.delete(routeId);
  }

  /** Counts for the status bar. */
  summary(): { cooling: number; authFailing: number } {
    const now = this.clock.now();
    let cooling = 0;
    let authFailing = 0;
    for (const [, e] of this.store.entries()) {
      if (e.kind === 'auth') authFailing++;
      else if (e.until > now) cooling++;
    }
    return { cooling, authFailing };
  }
}

export function keyRouteId(keyId: string) {
  return `key:${keyId}`;
}
export function pooledRouteId(caller: string) {
  return `pooled:${caller}`;
}
