/**
 * The Activity view's messages: generations with every attempt's provider response, the filters
 * that chose them, the month-to-date totals and a per-day series by provider. Key names only.
 */
import { z } from 'zod';
import { text, viewProtocol } from './envelope';

export const RANGES = ['today', '7d', '30d', 'month', 'all'] as const;
export const rangeSchema = z.enum(RANGES);
export type Range = z.infer<typeof rangeSchema>;

export const outcomeSchema = z.enum(['success', 'error', 'cancelled']);

export const activityFilterSchema = z
  .object({
    caller: text(64).optional(),
    provider: text(100).optional(),
    keyId: text(100).optional(),
    outcome: outcomeSchema.optional(),
    range: rangeSchema,
  })
  .strict();
export type ActivityFilter = z.infer<typeof activityFilterSchema>;

export const DEFAULT_FILTER: ActivityFilter = { range: '7d' };

/** The token counts an attempt row and a generation row both show. */
const tokenFields = {
  promptTokens: z.number().optional(),
  completionTokens: z.number().optional(),
  cacheReadTokens: z.number().optional(),
  cacheWriteTokens: z.number().optional(),
};

export const attemptRowSchema = z
  .object({
    route: z.enum(['byok', 'pooled']),
    tier: z.enum(['prioritized', 'fallback']).optional(),
    provider: text(100),
    keyName: text(200).optional(),
    caller: text(64).optional(),
    nativeModel: text(300),
    status: z.number().int().optional(),
    ok: z.boolean(),
    errorKind: text(40).optional(),
    message: text(4000).optional(),
    latencyMs: z.number(),
    ttfbMs: z.number().optional(),
    retryAfterMs: z.number().optional(),
    ...tokenFields,
    cost: z.number().optional(),
  })
  .strict();
export type AttemptRow = z.infer<typeof attemptRowSchema>;

export const generationRowSchema = z
  .object({
    id: text(100),
    startedAt: z.number(),
    surface: text(100),
    caller: text(64),
    folder: text(300).optional(),
    model: text(200),
    outcome: outcomeSchema,
    errorKind: text(40).optional(),
    errorMessage: text(4000).optional(),
    /** `anthropic/key "prod-main" (prioritized)` or `pooled (OpenRouter)`. */
    servedBy: text(500).optional(),
    servedProvider: text(100).optional(),
    latencyMs: z.number(),
    ttfbMs: z.number().optional(),
    ...tokenFields,
    cost: z.number().optional(),
    byokFee: z.number().optional(),
    feeWaived: z.boolean().optional(),
    saving: z.number().optional(),
    attempts: z.array(attemptRowSchema).max(100),
    /** The model that served, when a model fallback did (not the one asked for). */
    servedModel: text(200).optional(),
    /** Models given up before it, in order, each with why. */
    modelsGivenUp: z
      .array(z.object({ model: text(200), errorKind: text(40).optional(), reason: text(1000) }).strict())
      .max(8)
      .optional(),
  })
  .strict();
export type GenerationRow = z.infer<typeof generationRowSchema>;

export const daySchema = z
  .object({
    /** `2026-11-23` (UTC). */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** provider → requests served and what they cost. `pooled` for OpenRouter's pooled route, `failed` for no route. */
    byProvider: z.record(text(100), z.object({ requests: z.number().int().min(0), cost: z.number() }).strict()),
  })
  .strict();
export type DayBucket = z.infer<typeof daySchema>;

export const monthSchema = z
  .object({
    /** `November 2026`. */
    label: text(40),
    requests: z.number().int().min(0),
    byokRequests: z.number().int().min(0),
    allowance: z.object({ unit: z.enum(['requests', 'usd']), amount: z.number().min(0) }).strict(),
    byokListUsd: z.number(),
    cost: z.number(),
    fee: z.number(),
    saving: z.number(),
    /** What your own keys charged, and what pooled access (OpenRouter credit) charged. */
    providerCost: z.number(),
    pooledCost: z.number(),
    /** Served requests whose model had no known price. */
    unpriced: z.number().int().min(0),
  })
  .strict();
export type MonthView = z.infer<typeof monthSchema>;

export const BREAKDOWNS = ['provider', 'key', 'model', 'caller'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export const activityStateSchema = z
  .object({
    filter: activityFilterSchema,
    choices: z
      .object({
        callers: z.array(text(64)).max(500),
        providers: z.array(text(100)).max(100),
        keys: z.array(z.object({ id: text(100), name: text(200), provider: text(100) }).strict()).max(1000),
      })
      .strict(),
    generations: z.array(generationRowSchema).max(1000),
    /** More generations matched than are listed. */
    truncated: z.boolean(),
    month: monthSchema,
    days: z.array(daySchema).max(400),
    /** The same days with series by key, model and caller instead of provider. */
    daysBy: z.object({ key: z.array(daySchema).max(400), model: z.array(daySchema).max(400), caller: z.array(daySchema).max(400) }).strict(),
    /** Unreadable lines met in the log. */
    skipped: z.number().int().min(0),
    now: z.number(),
  })
  .strict();
export type ActivityState = z.infer<typeof activityStateSchema>;

export const activityRequestBodySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('setFilter'), filter: activityFilterSchema }).strict(),
  z.object({ op: z.literal('export'), format: z.enum(['csv', 'json']) }).strict(),
  z.object({ op: z.literal('refresh') }).strict(),
]);
export type ActivityRequestBody = z.infer<typeof activityRequestBodySchema>;

export const activityProtocol = viewProtocol({
  restored: z.object({ filter: activityFilterSchema.optional() }).strict(),
  request: activityRequestBodySchema,
  state: activityStateSchema,
  results: { export: z.object({ saved: text(4096).optional(), count: z.number().int().min(0) }).strict() },
});
export const { toHost: activityToHostSchema, toWebview: activityToWebviewSchema, results: activityResultSchemas } = activityProtocol;
export type ActivityResultSchemas = typeof activityResultSchemas;
export type ActivityToHost = z.infer<typeof activityToHostSchema>;
export type ActivityToWebview = z.infer<typeof activityToWebviewSchema>;
