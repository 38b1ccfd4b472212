/**
 * Resolves secret-manager references, shared by the extension and the CLI. Resolved values live
 * only in this process's memory, for a TTL, and go to the redactor the moment they are read.
 */
import { homedir } from 'node:os';
import type { SecretSource } from '../ports';
import { systemClock, type Clock } from '../ports';
import { Redactor, redactThenClip } from '../redact';
import { isReference, parseReference, type SecretReference } from './reference';
import { readReference, type ResolveResult, type SecretFailure } from './tools';

/** A tool's error text, bounded after redaction. */
const MAX_ERROR_CHARS = 600;

export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;
export const DEFAULT_TOOL_TIMEOUT_MS = 15_000;

export interface ResolverOptions {
  redactor?: Redactor;
  clock?: Clock;
  /** Read on every resolve, so a settings change applies at once. */
  ttlMs?: () => number;
  timeoutMs?: number;
  /** The environment the tools run in (PATH, VAULT_ADDR, VAULT_TOKEN, …); the process's own by default. Read on every resolve. */
  env?: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  home?: string;
  /** Why this reference may not be resolved here, or undefined when it may. */
  policy?: (ref: SecretReference) => string | undefined;
}

export interface ResolveOptions {
  /** Skip the cache: a test must see a rotation in the manager at once. */
  fresh?: boolean;
}

export class SecretResolver {
  private readonly cache = new Map<string, { value: string; at: number }>();
  private readonly inflight = new Map<string, Promise<ResolveResult>>();

  constructor(private readonly opts: ResolverOptions = {}) {}

  async resolve(reference: string, o: ResolveOptions = {}): Promise<ResolveResult> {
    const parsed = parseReference(reference);
    if (!parsed.ok) return { ok: false, error: { scheme: parsed.scheme, kind: 'malformed', message: parsed.error } };
    const { ref } = parsed;
    const refusal = this.opts.policy?.(ref);
    if (refusal) return { ok: false, error: { scheme: ref.scheme, kind: 'refused', message: refusal } };
    const now = (this.opts.clock ?? systemClock).now();
    const ttl = Math.max(0, this.opts.ttlMs?.() ?? DEFAULT_SECRET_TTL_MS);
    const hit = this.cache.get(ref.raw);
    if (!o.fresh && hit && now - hit.at < ttl) return { ok: true, value: hit.value };
    // Concurrent plans for the same key share one child process.
    let p = o.fresh ? undefined : this.inflight.get(ref.raw);
    if (!p) {
      p = readReference(ref, {
        env: (typeof this.opts.env === 'function' ? this.opts.env() : this.opts.env) ?? process.env,
        home: this.opts.home ?? homedir(),
        timeoutMs: this.opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
      }).then((r) => {
        if (r.ok) {
          this.opts.redactor?.add(r.value);
          this.cache.set(ref.raw, { value: r.value, at: (this.opts.clock ?? systemClock).now() });
        } else {
          this.cache.delete(ref.raw);
          // A tool's or Vault's own words, redacted whole and only then bounded, so no value is cut in two.
          r.error.message = redactThenClip(this.opts.redactor ?? new Redactor(), r.error.message, MAX_ERROR_CHARS);
        }
        return r;
      });
      const mine = p;
      this.inflight.set(ref.raw, mine);
      void mine.finally(() => this.inflight.get(ref.raw) === mine && this.inflight.delete(ref.raw));
    }
    return p;
  }

  /** Forget every resolved value (sign-out, settings change). */
  clear(): void {
    this.cache.clear();
  }
}

/** A reference that could not be resolved: the key is unusable for this request, for this reason. */
export class SecretUnavailable extends Error {
  constructor(readonly failure: SecretFailure) {
    super(failure.message);
    this.name = 'SecretUnavailable';
  }
}

export function isSecretUnavailable(e: unknown): e is SecretUnavailable {
  return e instanceof Error && e.name === 'SecretUnavailable' && 'failure' in e;
}

/**
 * A SecretSource whose stored values may be references: plain values pass through, references
 * are resolved, and a failed reference rejects with SecretUnavailable naming the scheme.
 */
export class ResolvingSecretSource implements SecretSource {
  constructor(
    private readonly inner: SecretSource,
    readonly resolver: SecretResolver,
  ) {}

  keySecret(id: string, o?: ResolveOptions): Promise<string | undefined> {
    return this.inner.keySecret(id).then((v) => this.resolveValue(v, o));
  }

  callerSecret(name: string, o?: ResolveOptions): Promise<string | undefined> {
    return this.inner.callerSecret(name).then((v) => this.resolveValue(v, o));
  }

  /**
   * The stored values' epoch while none is a reference: a manager can rotate a referenced value
   * without telling us, so once one is in use plans are made afresh every time.
   */
  epoch(): number | undefined {
    return this.references ? undefined : this.inner.epoch?.();
  }

  private references = false;

  private async resolveValue(v: string | undefined, o?: ResolveOptions): Promise<string | undefined> {
    if (!isReference(v)) return v;
    this.references = true;
    const r = await this.resolver.resolve(v, o);
    if (!r.ok) throw new SecretUnavailable(r.error);
    return r.value;
  }
}

/**
 * A Test: read the secret fresh (a rotation in the manager shows at once) and say why a reference
 * failed, as a verdict the Test button and test-keys show like any other.
 */
export async function readForTest(
  read: (opts: ResolveOptions) => Promise<string | undefined>,
): Promise<{ ok: true; secret: string | undefined } | { ok: false; result: { verdict: 'auth'; message: string; latencyMs: number } }> {
  const t0 = performance.now();
  try {
    return { ok: true, secret: await read({ fresh: true }) };
  } catch (e) {
    return {
      ok: false,
      result: {
        verdict: 'auth',
        message: `the secret reference failed: ${e instanceof Error ? e.message : String(e)}`,
        latencyMs: Math.round(performance.now() - t0),
      },
    };
  }
}
