/**
 * HTTP error → RouteError, shared by every family: the status decides the kind, the body supplies
 * the provider's words. Families add their own codes on top (Anthropic's 529, Gemini's 400 bad key).
 */
import { routeError, type ErrorKind, type RouteError } from '../errors';
import { parseRetryAfter, type HeaderBag } from '../http/retry-after';

export interface ErrorBodyInfo {
  message?: string;
  code?: string;
}

const MAX_MESSAGE = 300;

/** The fields read from an error body: some providers nest them under `error`, others send them at the top. */
interface ErrorFields {
  error?: unknown;
  message?: unknown;
  detail?: unknown;
  code?: unknown;
  type?: unknown;
  status?: unknown;
  metadata?: { error_type?: unknown };
}

/** Pull a message and code out of the error bodies providers really send. */
export function readErrorBody(text: string): ErrorBodyInfo {
  const t = text.trim();
  if (!t) return {};
  if (t.startsWith('<')) return { message: 'an HTML error page instead of an API response' };
  let j: unknown;
  try {
    j = JSON.parse(t);
  } catch {
    return { message: t.slice(0, MAX_MESSAGE) };
  }
  if (Array.isArray(j)) j = j[0]; // Gemini sometimes wraps errors in an array
  const o = (j ?? {}) as ErrorFields;
  const e = (typeof o.error === 'object' && o.error !== null ? o.error : o) as ErrorFields;
  let message: unknown = e.message ?? o.message ?? (typeof o.error === 'string' ? o.error : undefined) ?? o.detail;
  if (typeof message === 'object' && message !== null) message = JSON.stringify(message);
  const code = e.metadata?.error_type ?? e.code ?? e.type ?? e.status ?? o.type;
  return {
    message: typeof message === 'string' ? message.slice(0, MAX_MESSAGE) : undefined,
    code: code === undefined || code === null ? undefined : String(code),
  };
}

export function kindForStatus(status: number): ErrorKind {
  if (status === 429 || status === 402 || status === 529) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 504) return status === 408 ? 'timeout' : 'server';
  if (status >= 500) return 'server';
  if (status >= 400) return 'bad_request';
  return 'server';
}

const HINT: Partial<Record<ErrorKind, string>> = {
  auth: 'check or rotate the key',
  rate_limited: 'the key is rate-limited or out of quota',
  server: 'the provider had a server error',
  bad_request: 'the provider refused the request; another route would fail the same way',
};

/** `quotaCodes`: the provider's own codes for an empty balance (Z.ai's 1113, Moonshot's exceeded_current_quota_error). */
export function classifyHttpError(
  provider: string,
  status: number,
  headers: HeaderBag,
  text: string,
  now: number,
  quotaCodes: readonly string[] = [],
): RouteError {
  const { message, code } = readErrorBody(text);
  let kind = kindForStatus(status);
  // A quota exhausted for the day or billing is a long wait, not a short backoff.
  let retryAfterMs = parseRetryAfter(headers, now);
  const outOfQuota = code === 'insufficient_quota' || status === 402 || (code !== undefined && quotaCodes.includes(code));
  if (kind === 'rate_limited' && outOfQuota && retryAfterMs === undefined) {
    retryAfterMs = Number.POSITIVE_INFINITY;
  }
  // xAI and Google answer a bad key with 400; it is still the key's fault, not the request's.
  if (
    status === 400 &&
    /(invalid|incorrect|wrong|no|missing)[ _-]?(an )?api[ _-]?key|api_key_invalid|api key not valid/i.test(`${message ?? ''} ${code ?? ''}`)
  ) {
    kind = 'auth';
  }
  return httpError(provider, status, { kind, code, message, retryAfterMs });
}

/** What a family read from an error answer, over what the status alone says. */
export interface ErrorReading {
  kind: ErrorKind;
  code?: string;
  /** The provider's words; a hint for the kind when it sent none. */
  message?: string;
  retryAfterMs?: number;
  /** Appended advice (Bedrock's "check the system clock"). */
  advice?: string;
}

/** Every family's HTTP error reads the same: `provider: HTTP status code: words`. */
export function httpError(provider: string, status: number, r: ErrorReading): RouteError {
  const words = r.message ?? HINT[r.kind] ?? 'no details';
  return routeError(r.kind, `${provider}: HTTP ${status}${r.code ? ` ${r.code}` : ''}: ${words}${r.advice ?? ''}`, {
    status,
    ...(r.code !== undefined ? { code: r.code } : {}),
    ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}),
  });
}
