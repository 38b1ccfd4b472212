/**
 * Routing policy settings beyond filters and tiers: model fallbacks, stickiness, load spreading,
 * provider sort, OpenRouter preferences, budgets and negotiated prices. See README "Routing".
 */
import { z } from 'zod';

const slug = z.string().min(1, 'expected a model slug such as openai/gpt-4o-mini');

/** `{ "<slug>": ["<slug>", …] }`: models tried, in order, when every route for the first fails. */
export const modelFallbacksSchema = z.record(slug, z.array(slug).max(8, 'at most 8 fallback models')).default({});

export const stickinessSchema = z
  .object({
    /** How long a conversation stays on the route that served it; 0 turns stickiness off. */
    ttlMs: z
      .number()
      .int('expected whole milliseconds')
      .min(0)
      .max(24 * 60 * 60_000)
      .default(10 * 60_000),
    /** Bound on remembered conversations; the oldest are dropped first. */
    maxEntries: z.number().int().min(1).max(100_000).default(1_000),
  })
  .strict()
  .default({ ttlMs: 10 * 60_000, maxEntries: 1_000 });

export const balanceStrategySchema = z.enum(['order', 'round-robin', 'least-busy', 'weighted'], {
  error: 'expected "order", "round-robin", "least-busy" or "weighted"',
});
export type BalanceStrategy = z.infer<typeof balanceStrategySchema>;

/** Per provider: how keys of one provider and one tier share the load. */
export const balanceSchema = z.record(z.string(), balanceStrategySchema).default({});

export const providerSortSchema = z.enum(['order', 'price', 'latency', 'throughput'], {
  error: 'expected "order", "price", "latency" or "throughput"',
});
export type ProviderSort = z.infer<typeof providerSortSchema>;

const providerList = z.array(z.string().min(1));

/** OpenRouter's provider-routing preferences, sent as the request's `provider` object on pooled routes. */
export const openRouterPreferencesSchema = z
  .object({
    data_collection: z.enum(['allow', 'deny']).optional(),
    zdr: z.boolean().optional(),
    only: providerList.optional(),
    ignore: providerList.optional(),
    order: providerList.optional(),
    allow_fallbacks: z.boolean().optional(),
    require_parameters: z.boolean().optional(),
    sort: z.enum(['price', 'throughput', 'latency']).optional(),
    max_price: z
      .object({ prompt: z.number().min(0).optional(), completion: z.number().min(0).optional(), request: z.number().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type OpenRouterPreferences = z.infer<typeof openRouterPreferencesSchema>;

export const budgetSchema = z
  .object({
    usd: z.number().positive('expected a positive amount of USD').optional(),
    requests: z.number().int().positive('expected a positive number of requests').optional(),
    period: z.enum(['day', 'month'], { error: 'expected "day" or "month"' }),
  })
  .strict()
  .refine((b) => b.usd !== undefined || b.requests !== undefined, { message: 'a budget needs "usd", "requests" or both' });
export type Budget = z.infer<typeof budgetSchema>;

/** Negotiated prices per slug, USD per million tokens. */
export const priceOverridesSchema = z.record(
  slug,
  z
    .object({
      input: z.number().min(0),
      output: z.number().min(0),
      cacheRead: z.number().min(0).optional(),
      cacheWrite: z.number().min(0).optional(),
    })
    .strict(),
);
export type PriceOverrides = z.infer<typeof priceOverridesSchema>;

export const alertsSchema = z
  .object({
    /** Today's spend over this × the 14-day median raises one notification; 0 turns it off. */
    dailySpikeFactor: z.number().min(0).default(3),
  })
  .strict()
  .default({ dailySpikeFactor: 3 });
