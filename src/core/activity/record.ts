/**
 * What the activity log keeps: one generation record per request, with every attempt's provider
 * response. Names and masked tails only — a record never holds a secret value.
 */
import { z } from 'zod';

const errorKind = z.enum(['rate_limited', 'auth', 'bad_request', 'timeout', 'network', 'server', 'cancelled', 'policy']);

/** The token counts an attempt and a generation both carry. */
const tokenFields = {
  promptTokens: z.number().optional(),
  completionTokens: z.number().optional(),
  /** Prompt tokens read from, and written to, the provider's prompt cache (part of promptTokens). */
  cacheReadTokens: z.number().optional(),
  cacheWriteTokens: z.number().optional(),
};

export const attemptSchema = z.object({
  route: z.enum(['byok', 'pooled']),
  tier: z.enum(['prioritized', 'fallback']).optional(),
  provider: z.string(),
  keyId: z.string().optional(),
  keyName: z.string().optional(),
  caller: z.string().optional(),
  nativeModel: z.string(),
  status: z.number().int().optional(),
  ok: z.boolean(),
  errorKind: errorKind.optional(),
  message: z.string().optional(),
  startedAt: z.number(),
  latencyMs: z.number(),
  ttfbMs: z.number().optional(),
  retryAfterMs: z.number().optional(),
  ...tokenFields,
  cost: z.number().optional(),
});

export const plannedSchema = z.object({
  route: z.enum(['byok', 'pooled']),
  provider: z.string(),
  tier: z.enum(['prioritized', 'fallback']).optional(),
  keyId: z.string().optional(),
  keyName: z.string().optional(),
  skippedUntil: z.number().nullable().optional(),
  skipReason: z.string().optional(),
  /** The model this route was planned for, when a model fallback was in play. */
  model: z.string().optional(),
  /** The conversation's sticky route, placed first. */
  sticky: z.boolean().optional(),
});

/** A model of the request's fallback chain that could not serve it, and why. */
export const modelGivenUpSchema = z.object({
  model: z.string(),
  errorKind: errorKind.optional(),
  reason: z.string(),
});

export const generationSchema = z.object({
  v: z.literal(1),
  id: z.string(),
  startedAt: z.number(),
  surface: z.string(),
  caller: z.string(),
  folder: z.string().optional(),
  /** The client program, for requests through the local endpoint (from its User-Agent). */
  client: z.string().optional(),
  model: z.string(),
  stream: z.boolean(),
  outcome: z.enum(['success', 'error', 'cancelled']),
  errorKind: errorKind.optional(),
  errorMessage: z.string().optional(),
  servedBy: plannedSchema.optional(),
  plan: z.array(plannedSchema),
  attempts: z.array(attemptSchema),
  latencyMs: z.number(),
  ttfbMs: z.number().optional(),
  ...tokenFields,
  /** USD; null when the serving model has no known price (unknown, not free). */
  cost: z.number().nullable().optional(),
  /** Earlier models of the fallback chain, each with why it was given up. */
  modelFallbacks: z.array(modelGivenUpSchema).optional(),
  /** What OpenRouter's BYOK would have charged, and the saving against its pooled price. */
  byokFee: z.number().optional(),
  feeWaived: z.boolean().optional(),
  pooledListCost: z.number().optional(),
  saving: z.number().optional(),
  /** A web search (model `firecrawl/search`): the Firecrawl credits it used and how many results it found. */
  webSearchCredits: z.number().optional(),
  webResults: z.number().int().optional(),
});

export type AttemptRecord = z.infer<typeof attemptSchema>;
export type PlannedRecord = z.infer<typeof plannedSchema>;
export type GenerationRecord = z.infer<typeof generationSchema>;
export type ModelGivenUp = z.infer<typeof modelGivenUpSchema>;

/** Where records go. The store persists them; tests and the CLI may just collect them. */
export interface ActivitySink {
  append(record: GenerationRecord): void | Promise<void>;
}
