/** The narrow ports between the core and its hosts (extension, CLI, tests). */

/**
 * Where secret values live. The core only ever asks by id, and never stores what it gets. A source
 * that resolves secret-manager references may reject with a reason (see core/secrets/resolver.ts);
 * `fresh` asks it to skip its cache.
 */
export interface SecretSource {
  keySecret(keyId: string, opts?: { fresh?: boolean }): Promise<string | undefined>;
  callerSecret(caller: string, opts?: { fresh?: boolean }): Promise<string | undefined>;
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
  constructor(
    readonly keys = new Map<string, string>(),
    readonly callers = new Map<string, string>(),
  ) {}
  async keySecret(id: string) {
    return this.keys.get(id);
  }
  async callerSecret(name: string) {
    return this.callers.get(name);
  }
}
