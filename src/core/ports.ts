/** The narrow ports between the core and its hosts (extension, CLI, tests). */

/**
 * Where secret values live. The core only ever asks by id, and never stores what it gets. A source
 * that resolves secret-manager references may reject with a reason (see core/secrets/resolver.ts);
 * `fresh` asks it to skip its cache.
 */
export interface SecretSource {
  keySecret(keyId: string, opts?: { fresh?: boolean }): Promise<string | undefined>;
  callerSecret(caller: string, opts?: { fresh?: boolean }): Promise<string | undefined>;
  /**
   * A number that changes whenever a value this source returns may have changed. Plans are cached
   * only while it stays the same; a source without it, or answering undefined, is asked on every plan.
   */
  epoch?(): number | undefined;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 10, 23, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
}

export class MapSecretSource implements SecretSource {
  private changes = 0;
  constructor(
    readonly keys = new Map<string, string>(),
    readonly callers = new Map<string, string>(),
  ) {
    // Tests and the demo edit the maps in place: every edit moves the epoch on.
    for (const map of [keys, callers]) {
      const { set, delete: remove, clear } = map;
      map.set = (k, v) => (this.changes++, set.call(map, k, v));
      map.delete = (k) => (this.changes++, remove.call(map, k));
      map.clear = () => (this.changes++, clear.call(map));
    }
  }
  epoch() {
    return this.changes;
  }
  async keySecret(id: string) {
    return this.keys.get(id);
  }
  async callerSecret(name: string) {
    return this.callers.get(name);
  }
}
