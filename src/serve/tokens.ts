/**
 * Local caller tokens (`brt_…`): 256 random bits each. The token a request presents decides which
 * caller it runs as, so that caller's key filters and pooled key apply.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'brt_';

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isTokenShaped(s: string): boolean {
  return /^brt_[A-Za-z0-9_-]{43}$/.test(s);
}

/** `brt_…x1y2`: enough to tell tokens apart, never enough to use one. */
export function maskToken(token: string): string {
  return `${TOKEN_PREFIX}…${token.slice(-4)}`;
}

// One-shot hash: a Hash object per request costs more than the digest itself.
const digest = (s: string) => hash('sha256', s, 'buffer');

/**
 * Tokens are kept as SHA-256 digests and compared with timingSafeEqual against every entry (no early
 * exit), so neither a token's content nor which caller matched leaks through timing.
 */
export class TokenTable {
  private entries: { caller: string; digest: Buffer }[] = [];

  constructor(tokens: Record<string, string> = {}) {
    for (const [caller, token] of Object.entries(tokens)) this.set(caller, token);
  }

  set(caller: string, token: string): void {
    this.entries = this.entries.filter((e) => e.caller !== caller);
    this.entries.push({ caller, digest: digest(token) });
  }

  delete(caller: string): void {
    this.entries = this.entries.filter((e) => e.caller !== caller);
  }

  get size(): number {
    return this.entries.length;
  }

  callers(): string[] {
    return this.entries.map((e) => e.caller);
  }

  /** The caller a presented token belongs to, or undefined. */
  callerFor(presented: string | undefined): string | undefined {
    if (!presented) return undefined;
    const d = digest(presented);
    let found: string | undefined;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && found === undefined) found = e.caller;
    return found;
  }
}

/** The token from `Authorization: Bearer …` (OpenAI clients, ANTHROPIC_AUTH_TOKEN) or `x-api-key` (Anthropic clients). */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const key = headers['x-api-key'];
  return typeof key === 'string' && key ? key.trim() : undefined;
}
