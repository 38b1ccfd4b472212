/**
 * Gemini's wire shapes (generateContent answers) and its errors (google.rpc.Status).
 */
import { z } from 'zod';
import type { RouteError } from '../../errors';
import { parseDuration, type HeaderBag } from '../../http/retry-after';
import { classifyHttpError, httpError, readErrorBody } from '../classify';

// --- responses ------------------------------------------------------------------------------

const partSchema = z
  .object({
    text: z.string().optional(),
    thought: z.boolean().optional(),
    thoughtSignature: z.string().optional(),
    functionCall: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).nullish(), id: z.string().nullish() }).optional(),
  })
  .passthrough();

export const usageSchema = z
  .object({
    promptTokenCount: z.number().optional(),
    candidatesTokenCount: z.number().optional(),
    thoughtsTokenCount: z.number().optional(),
    toolUsePromptTokenCount: z.number().optional(),
    cachedContentTokenCount: z.number().optional(),
    totalTokenCount: z.number().optional(),
  })
  .passthrough();

export const responseSchema = z
  .object({
    candidates: z
      .array(
        z
          .object({
            content: z
              .object({ parts: z.array(partSchema).nullish() })
              .passthrough()
              .nullish(),
            finishReason: z.string().nullish(),
          })
          .passthrough(),
      )
      .nullish(),
    promptFeedback: z.object({ blockReason: z.string().nullish() }).passthrough().nullish(),
    usageMetadata: usageSchema.nullish(),
    responseId: z.string().nullish(),
    modelVersion: z.string().nullish(),
  })
  .passthrough();

export type GeminiResponse = z.infer<typeof responseSchema>;
// --- errors ---------------------------------------------------------------------------------

const detailSchema = z
  .object({
    '@type': z.string().optional(),
    reason: z.string().optional(),
    retryDelay: z.string().optional(),
    violations: z.array(z.object({ quotaId: z.string().optional(), quotaMetric: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

const googleErrorSchema = z.object({
  error: z
    .object({
      code: z.number().optional(),
      message: z.string().optional(),
      status: z.string().optional(),
      details: z.array(z.unknown()).optional(),
    })
    .passthrough(),
});

/** Google errors come as `{error:{…}}`, and sometimes wrapped in an array. */
export function readGoogleError(text: string): z.infer<typeof googleErrorSchema>['error'] | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (Array.isArray(j)) j = j[0];
  const parsed = googleErrorSchema.safeParse(j);
  return parsed.success ? parsed.data.error : undefined;
}

/** Gemini's free and paid daily quotas reset at midnight Pacific time. */
export function untilPacificMidnight(now: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const elapsed = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + (now % 1000);
  return 24 * 3_600_000 - elapsed;
}

const BAD_KEY = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'API_KEY_SERVICE_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED', 'API_KEY_IP_ADDRESS_BLOCKED']);

/**
 * A non-2xx Gemini/Vertex answer → RouteError. Beyond the status: a bad key is a 400 (not 401),
 * the retry delay of a 429 is only in the body (`RetryInfo.retryDelay`), and a per-day quota means
 * waiting until Google's midnight rather than a short backoff.
 */
export function classifyGeminiError(provider: string, status: number, headers: HeaderBag, text: string, now: number): RouteError {
  const e = readGoogleError(text);
  const fallback = e ? undefined : readErrorBody(text);
  const details = (e?.details ?? []).map((d) => detailSchema.safeParse(d)).flatMap((p) => (p.success ? [p.data] : []));
  const reason = details.find((d) => d.reason)?.reason;
  // Not cut here: the router redacts at full length first, then bounds it.
  const message = e?.message ?? fallback?.message;
  const base = classifyHttpError(provider, status, headers, text, now);
  let kind = base.kind;
  if ((reason && BAD_KEY.has(reason)) || /API key not valid|API key expired/i.test(message ?? '')) kind = 'auth';
  // "User location is not supported" / billing not enabled: this key cannot serve, another route may.
  if (status === 400 && e?.status === 'FAILED_PRECONDITION') kind = 'auth';
  if (e?.status === 'RESOURCE_EXHAUSTED') kind = 'rate_limited';
  let retryAfterMs = base.retryAfterMs;
  if (kind === 'rate_limited') {
    const delay = details.find((d) => d.retryDelay)?.retryDelay;
    const parsed = delay ? parseDuration(delay) : undefined;
    if (parsed !== undefined) retryAfterMs = parsed;
    const perDay = details.some((d) => d.violations?.some((v) => /PerDay/i.test(v.quotaId ?? '') || /per_day/i.test(v.quotaMetric ?? '')));
    if (perDay) retryAfterMs = Math.max(retryAfterMs ?? 0, untilPacificMidnight(now));
  }
  return httpError(provider, status, { kind, code: reason ?? e?.status ?? fallback?.code, message, retryAfterMs });
}
