/**
 * Anthropic Messages: the wire shapes read from answers and streams, and its errors.
 */
import { z } from 'zod';
import { routeError, RouteFailure, type RouteError } from '../../errors';
import { header, type HeaderBag } from '../../http/retry-after';
import { classifyHttpError, readErrorBody } from '../classify';

// ---------------------------------------------------------------- wire shapes (fields we read)

const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
export type RawUsage = z.infer<typeof usageSchema>;

const blockSchema = z.object({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  thinking: z.string().optional(),
  signature: z.string().optional(),
  data: z.string().optional(),
});
export type RawBlock = z.infer<typeof blockSchema>;

export const messageSchema = z.object({
  id: z.string(),
  model: z.string().optional(),
  content: z.array(blockSchema),
  stop_reason: z.string().nullish(),
  usage: usageSchema.optional(),
});

export const errorEventSchema = z.object({ error: z.object({ type: z.string(), message: z.string().optional() }) });

export const EVENTS = {
  message_start: z.object({ message: z.object({ id: z.string(), model: z.string().optional(), usage: usageSchema.optional() }) }),
  content_block_start: z.object({ index: z.number(), content_block: blockSchema }),
  content_block_delta: z.object({
    index: z.number(),
    delta: z.object({
      type: z.string(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
      thinking: z.string().optional(),
      signature: z.string().optional(),
    }),
  }),
  message_delta: z.object({ delta: z.object({ stop_reason: z.string().nullish() }), usage: usageSchema.nullish() }),
  error: errorEventSchema,
};

export function read<T extends z.ZodType>(schema: T, value: unknown, label: string, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new RouteFailure(routeError('server', `${label} sent an unexpected ${what}`));
  return r.data;
}
// ---------------------------------------------------------------- errors

const RATE_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/**
 * When no Retry-After came: the wait until the exhausted limits reset (all of them must), else
 * until the soonest reset announced. Resets are RFC 3339 timestamps.
 */
export function rateLimitResetMs(headers: HeaderBag, now: number): number | undefined {
  const exhausted: number[] = [];
  const all: number[] = [];
  for (const limit of RATE_LIMITS) {
    const at = Date.parse(header(headers, `anthropic-ratelimit-${limit}-reset`) ?? '');
    if (Number.isNaN(at)) continue;
    const wait = Math.max(0, at - now);
    all.push(wait);
    if (header(headers, `anthropic-ratelimit-${limit}-remaining`)?.trim() === '0') exhausted.push(wait);
  }
  if (exhausted.length) return Math.max(...exhausted);
  return all.length ? Math.min(...all) : undefined;
}

/** Anthropic's `{type:"error", error:{type, details}}`, or Google's front end `{error:{code, status}}` on Vertex. */
const errorBodySchema = z.object({
  error: z.object({
    type: z.string().optional(),
    status: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

function errorCodes(text: string): { code?: string; spendLimit: boolean } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return { spendLimit: false };
  }
  const r = errorBodySchema.safeParse(Array.isArray(j) ? j[0] : j);
  if (!r.success) return { spendLimit: false };
  const details = r.data.error.details as { error_code?: unknown } | undefined;
  return { code: r.data.error.type ?? r.data.error.status, spendLimit: details?.error_code === 'enforced_spend_limit_reached' };
}

export function classifyAnthropicError(label: string, status: number, headers: HeaderBag, text: string, now: number): RouteError {
  const base = classifyHttpError(label, status, headers, text, now);
  const { code, spendLimit } = errorCodes(text);
  const words = readErrorBody(text).message ?? 'no details';
  let kind = base.kind;
  let retryAfterMs = base.retryAfterMs;
  if (code === 'overloaded_error' || code === 'rate_limit_error') kind = 'rate_limited';
  if (kind === 'rate_limited' && retryAfterMs === undefined) retryAfterMs = rateLimitResetMs(headers, now);
  // An empty account answers 400 invalid_request_error, which would stop the whole plan; like a
  // spend limit it lifts when someone pays, not after a backoff, so other routes should be tried.
  const noCredit = status === 400 && /credit balance is too low/i.test(words);
  if (spendLimit || noCredit) {
    kind = 'rate_limited';
    retryAfterMs = Number.POSITIVE_INFINITY;
  }
  const shown = spendLimit ? 'enforced_spend_limit_reached' : noCredit ? 'credit_balance_too_low' : code;
  return routeError(kind, `${label}: HTTP ${status}${shown ? ` ${shown}` : ''}: ${words}`, {
    status,
    ...(shown ? { code: shown } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
