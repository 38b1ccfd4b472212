/**
 * The Chat Completions wire fields this family reads, and the errors found in bodies and streams.
 */
import type { ChunkDelta, Usage } from '../../chat';
import { routeError, type ErrorKind, type RouteError } from '../../errors';
import { kindForStatus } from '../classify';

/**
 * The fields this module reads from a Chat Completions body or chunk. Typed, not parsed: this
 * runs once per stream chunk, so a chunk is read field by field into a fresh canonical one and
 * the parsed frame is never written to.
 */
export interface WireFrame {
  id?: string;
  created?: number;
  model?: string;
  error?: unknown;
  choices?: WireChoice[];
  usage?: WireUsage;
  /** Groq puts usage, and errors met mid-stream, under `x_groq`. */
  x_groq?: { usage?: WireUsage; error?: unknown };
  /** MiniMax's in-body status; see BASE_RESP. */
  base_resp?: { status_code?: unknown; status_msg?: unknown };
  object?: string;
}

export interface WireChoice {
  index?: number;
  finish_reason?: string | null;
  logprobs?: unknown;
  message?: WireMessage;
  delta?: WireMessage;
}

/** DeepSeek and others name the reasoning `reasoning_content`; the canonical name is `reasoning`. */
export interface WireMessage {
  role?: string;
  content?: string | null;
  reasoning?: string | null;
  reasoning_content?: string | null;
  reasoning_details?: ChunkDelta['reasoning_details'];
  tool_calls?: ChunkDelta['tool_calls'];
  refusal?: string | null;
  /** OpenRouter's web citations (`:online`), passed on to endpoint clients as sent. */
  annotations?: unknown[];
}

/** DeepSeek counts cache hits in `prompt_cache_hit_tokens`. */
type WireUsage = Usage & { prompt_cache_hit_tokens?: number };

/** An error object, in a body or mid-stream: OpenAI's shape, with OpenRouter's `metadata.error_type`. */
interface WireError {
  code?: number | string;
  type?: string;
  message?: unknown;
  metadata?: { error_type?: string };
}

/** Not cut here: the router redacts the message at full length first, then bounds it. */
export function streamError(provider: string, e: unknown): RouteError {
  const w = (typeof e === 'object' && e !== null ? e : undefined) as WireError | undefined;
  const status = typeof w?.code === 'number' ? w.code : undefined;
  const type: string | undefined = w?.metadata?.error_type ?? (typeof w?.code === 'string' ? w.code : undefined) ?? w?.type;
  let kind = status ? kindForStatus(status) : 'server';
  if (type && /rate_limit|overloaded|capacity/.test(type)) kind = 'rate_limited';
  const message = typeof e === 'string' ? e : (w?.message ?? 'stream ended with an error');
  return routeError(kind, `${provider}: error during the stream${type ? ` (${type})` : ''}: ${String(message)}`, { status, code: type });
}

/** The usage wherever the provider put it (Groq's `x_groq.usage`), with DeepSeek's cache hits named as OpenAI names them. */
export function readUsage(o: WireFrame): Usage | undefined {
  const u = o.usage ?? o.x_groq?.usage;
  if (!u) return undefined;
  if (u.prompt_cache_hit_tokens !== undefined && !u.prompt_tokens_details) return { ...u, prompt_tokens_details: { cached_tokens: u.prompt_cache_hit_tokens } };
  return u;
}

/**
 * MiniMax answers a bad key, a rate limit or an empty balance with HTTP 200 and a nonzero
 * `base_resp.status_code`; the code, not the status, says what happened.
 */
const BASE_RESP: Record<number, ErrorKind> = {
  1002: 'rate_limited',
  1004: 'auth',
  1008: 'rate_limited',
  1039: 'rate_limited',
  2013: 'bad_request',
  2049: 'auth',
};

export function baseRespError(provider: string, o: WireFrame | null): RouteError | undefined {
  const resp = o?.base_resp;
  const code = resp?.status_code;
  if (!resp || typeof code !== 'number' || code === 0) return undefined;
  const kind = BASE_RESP[code] ?? 'server';
  // Not cut here: the router redacts the whole message before bounding it, so no secret is split.
  const message = String(resp.status_msg ?? 'no details');
  // 1008 is "insufficient balance": no point retrying until someone pays.
  return routeError(kind, `${provider}: base_resp ${code}: ${message}`, {
    code: String(code),
    ...(code === 1008 ? { retryAfterMs: Number.POSITIVE_INFINITY } : {}),
  });
}

/** A 2xx key check whose body still reports an error (MiniMax's base_resp, an `error` object, `valid: false`). */
export function bodyError(provider: string, text: string, _now: number): RouteError | undefined {
  let o: (WireFrame & { data?: unknown; valid?: unknown }) | null;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (o && typeof o === 'object' && o.error && !Array.isArray(o.data)) return streamError(provider, o.error);
  // Cohere's check-api-key may answer 200 with `valid: false`.
  if (o && typeof o === 'object' && o.valid === false) return routeError('auth', `${provider}: the key check says the key is not valid`);
  return baseRespError(provider, o);
}
