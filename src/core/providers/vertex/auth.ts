/**
 * Google service-account JSON → OAuth2 access token, with node:crypto only:
 * an RS256-signed JWT assertion exchanged at the token endpoint, the token cached per service
 * account until five minutes before it expires, and concurrent refreshes sharing one exchange.
 * The cache is keyed by a hash of the account's identity; no key material is kept besides the
 * secret the caller already holds.
 */
import { createHash, createSign } from 'node:crypto';
import { z } from 'zod';
import type { Timeouts } from '../../config/schema';
import { routeError, RouteFailure, type RouteError } from '../../errors';
import { abortError, Cancel } from '../../http/cancel';
import { readBody, transportError, UndiciHttpClient, type HttpClient } from '../../http/client';
import { systemClock, type Clock } from '../../ports';
import { kindForStatus } from '../classify';
import type { AdapterCall } from '../types';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** google-auth-library's eager refresh threshold. */
export const EAGER_REFRESH_MS = 5 * 60_000;
const ASSERTION_LIFETIME_S = 3600;

/** The token endpoint is small and fast; a stalled one must not hold a request for the full route timeout. */
export const TOKEN_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 30_000, idleMs: 30_000, totalMs: 45_000 };

const serviceAccountSchema = z.object({
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
  token_uri: z.string().optional(),
});

export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

/** True when a secret is JSON at all (a service account) rather than an API key. */
export function looksLikeJson(secret: string): boolean {
  return secret.trimStart().startsWith('{');
}

/** Parses the key's secret. Errors name the missing fields, never a value. */
export function parseServiceAccount(secret: string, provider = 'google-vertex'): ServiceAccount {
  let j: unknown;
  try {
    j = JSON.parse(secret);
  } catch {
    throw new RouteFailure(routeError('auth', `${provider}: the key's secret is not valid JSON; paste the whole service-account key file`));
  }
  const r = serviceAccountSchema.safeParse(j);
  if (!r.success) {
    const missing = r.error.issues.map((i) => i.path.join('.')).filter(Boolean);
    throw new RouteFailure(
      routeError('auth', `${provider}: the key's secret is not a service-account key (missing or invalid: ${[...new Set(missing)].join(', ') || 'fields'})`),
    );
  }
  return r.data;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** The signed assertion: `{alg:RS256, kid}` header, claims for `aud` = the token endpoint. */
export function signAssertion(sa: ServiceAccount, audience: string, nowMs: number, scope = CLOUD_PLATFORM_SCOPE): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) };
  const claims = { iss: sa.client_email, scope, aud: audience, iat, exp: iat + ASSERTION_LIFETIME_S };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(input).sign(sa.private_key);
  } catch {
    throw new RouteFailure(routeError('auth', `google-vertex: the service account's private_key is not a usable PEM private key`));
  }
  return `${input}.${b64url(signature)}`;
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
});

const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** A token endpoint refusal → RouteError: a refused grant means the account or its key is broken. */
export function classifyTokenError(status: number, text: string): RouteError {
  let body: z.infer<typeof tokenErrorSchema> | undefined;
  try {
    const r = tokenErrorSchema.safeParse(JSON.parse(text));
    if (r.success) body = r.data;
  } catch {
    // an HTML or empty error page: the status decides
  }
  let kind = kindForStatus(status);
  if (status === 400 || status === 401 || status === 403) kind = 'auth';
  const what = body ? `${body.error}${body.error_description ? ` (${body.error_description.slice(0, 200)})` : ''}` : 'no details';
  return routeError(kind, `google-vertex: the Google token endpoint answered HTTP ${status}: ${what}`, { status, ...(body ? { code: body.error } : {}) });
}

interface CachedToken {
  token: string;
  /** Epoch ms after which the token is refreshed (five minutes before Google's expiry). */
  refreshAt: number;
}

/** Waits for `p`, but lets one caller walk away on its own signal without cancelling the others. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export interface ServiceAccountTokensOptions {
  clock?: Clock;
  /** Used when a call brings no HttpClient (the router always passes its own). */
  http?: HttpClient;
  timeouts?: Timeouts;
}

/** Access tokens per service account: cached, refreshed early, one exchange at a time. */
export class ServiceAccountTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();
  private readonly clock: Clock;
  private readonly timeouts: Timeouts;
  private fallbackHttp: HttpClient | undefined;
  /** Token exchanges started, for diagnostics and tests. */
  exchanges = 0;

  constructor(private readonly opts: ServiceAccountTokensOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.timeouts = opts.timeouts ?? TOKEN_TIMEOUTS;
    this.fallbackHttp = opts.http;
  }

  /** The token for a Vertex call: its secret is the service account, `options.tokenUrl` may redirect the exchange. */
  async forCall(call: AdapterCall): Promise<string> {
    const sa = parseServiceAccount(call.secret, call.provider);
    const token = await this.token(sa, call.options.tokenUrl ?? sa.token_uri ?? GOOGLE_TOKEN_URL, call.http, call.cancel?.signal);
    call.onCredential?.(token);
    return token;
  }

  async token(sa: ServiceAccount, tokenUrl: string, http: HttpClient | undefined, signal?: AbortSignal): Promise<string> {
    const key = cacheKey(sa, tokenUrl);
    const hit = this.cache.get(key);
    if (hit && this.clock.now() < hit.refreshAt) return hit.token;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.exchange(sa, tokenUrl, http ?? this.defaultHttp())
        .then(
          (t) => {
            this.cache.set(key, t);
            return t;
          },
          (e) => {
            this.cache.delete(key);
            throw e;
          },
        )
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return (await untilAborted(pending, signal)).token;
  }

  /** Forget every token, e.g. after Vertex itself answered 401 to one of them. */
  invalidate(): void {
    this.cache.clear();
  }

  get cached(): number {
    return this.cache.size;
  }

  private defaultHttp(): HttpClient {
    return (this.fallbackHttp ??= new UndiciHttpClient({ connectTimeoutMs: this.timeouts.connectMs }));
  }

  /**
   * One exchange, shared by every caller waiting on it, so no single caller's cancellation may
   * abort it; its own timer bounds it instead.
   */
  private async exchange(sa: ServiceAccount, tokenUrl: string, http: HttpClient): Promise<CachedToken> {
    this.exchanges++;
    const startedAt = this.clock.now();
    const assertion = signAssertion(sa, tokenUrl, startedAt);
    const cancel = Cancel.linked(undefined, this.timeouts.totalMs);
    try {
      const res = await http.send(
        {
          url: tokenUrl,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
        },
        this.timeouts,
        cancel,
      );
      const text = await readBody(res.body, 256 * 1024, res.headers);
      if (res.status < 200 || res.status >= 300) throw new RouteFailure(classifyTokenError(res.status, text));
      let parsed: z.infer<typeof tokenResponseSchema> | undefined;
      try {
        const r = tokenResponseSchema.safeParse(JSON.parse(text));
        if (r.success) parsed = r.data;
      } catch {
        parsed = undefined;
      }
      if (!parsed) throw new RouteFailure(routeError('server', 'google-vertex: the Google token endpoint answered 200 without an access_token'));
      const lifetimeMs = (parsed.expires_in ?? 3600) * 1000;
      return { token: parsed.access_token, refreshAt: startedAt + lifetimeMs - EAGER_REFRESH_MS };
    } catch (e) {
      if (e instanceof RouteFailure) throw e;
      const err = transportError(e, cancel.why, this.timeouts);
      throw new RouteFailure({ ...err, message: `google-vertex: fetching an access token failed: ${err.message}` });
    } finally {
      cancel.release();
    }
  }
}

/** Identity of a service account's key, hashed: the cache never holds key material. */
function cacheKey(sa: ServiceAccount, tokenUrl: string): string {
  const keyId = sa.private_key_id ?? createHash('sha256').update(sa.private_key).digest('hex');
  return createHash('sha256').update(`${sa.client_email}\0${keyId}\0${tokenUrl}`).digest('hex');
}
