/**
 * The routing configuration: the same JSON in VS Code settings (`byokRouter.*`) and in the CLI's
 * `--config` file. Secrets are never part of it; keys and callers are referred to by id/name.
 */
import { z } from 'zod';
import { PROVIDERS } from '../providers/ids';
import {
  alertsSchema,
  balanceSchema,
  budgetSchema,
  modelFallbacksSchema,
  openRouterPreferencesSchema,
  priceOverridesSchema,
  providerSortSchema,
  stickinessSchema,
} from './policy-schema';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const tierSchema = z.enum(['prioritized', 'fallback'], { error: 'expected "prioritized" or "fallback"' });
export type Tier = z.infer<typeof tierSchema>;

const idSchema = z
  .string({ error: 'expected a string id' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}, 'expected an http(s) URL');

/** zod's own record-key error says only "Invalid key in record"; name the header instead. */
const headerRecord = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const name of Object.keys(headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'expected a header name' });
  }
});

/** Provider-specific options. Only the fields an adapter reads are named; the rest is refused. */
export const keyOptionsSchema = z
  .object({
    baseUrl: httpUrl.optional(),
    /** slug → native model id (or Azure deployment name); also makes the key serve that slug. */
    modelMap: z.record(z.string(), z.string().min(1)).optional(),
    /** Azure: resource name (`<resource>.openai.azure.com`) and dated API version. */
    resource: z
      .string()
      .regex(/^[a-z0-9-]{2,64}$/i, 'expected an Azure resource name')
      .optional(),
    deployments: z.record(z.string(), z.string().min(1)).optional(),
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'expected YYYY-MM-DD or YYYY-MM-DD-preview')
      .optional(),
    /** Bedrock / Vertex region (`us-east-1`, `us-central1`, `global`). */
    region: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'expected a region such as us-east-1 or global')
      .optional(),
    /** Vertex project id (defaults to the service account's). */
    project: z
      .string()
      .regex(/^(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'expected a Google Cloud project id such as my-project-123')
      .optional(),
    /** Vertex/Google OAuth token endpoint override (tests and private endpoints). */
    tokenUrl: httpUrl.optional(),
    /** Bedrock authentication: SigV4 from an access key secret, or a Bedrock API key as bearer. */
    auth: z.enum(['sigv4', 'bearer']).optional(),
    organization: z.string().optional(),
    headers: headerRecord.optional(),
  })
  .strict();

export const keySchema = z
  .object({
    id: idSchema,
    provider: z.enum(PROVIDERS, { error: (iss) => `unknown provider ${JSON.stringify(iss.input)}; known: ${PROVIDERS.join(', ')}` }),
    name: z.string().min(1, 'expected a non-empty name'),
    tier: tierSchema,
    alwaysUse: z.boolean().default(false),
    disabled: z.boolean().default(false),
    filters: z
      .object({
        models: z.array(z.string().min(1, 'expected a non-empty pattern')).optional(),
        callers: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .default({}),
    options: keyOptionsSchema.default({}),
    expiresAt: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date such as 2027-01-31')
      .optional(),
    /** Share of its provider's load under the "weighted" balance strategy. */
    weight: z.number().positive('expected a positive weight').max(1_000_000).optional(),
    budget: budgetSchema.optional(),
    priceOverrides: priceOverridesSchema.optional(),
  })
  .strict()
  .refine((k) => !(k.alwaysUse && k.tier === 'fallback'), {
    message: '"Always use" applies to prioritized keys only',
    path: ['alwaysUse'],
  });

export type KeyConfig = z.infer<typeof keySchema>;

export const callerSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a caller name such as dev or prod'),
    description: z.string().optional(),
    /** Never use pooled access for this caller, whatever the keys say. */
    byokOnly: z.boolean().optional(),
    /** OpenRouter preferences for this caller's pooled requests, over `pooled.preferences`. */
    preferences: openRouterPreferencesSchema.optional(),
    /** Caps this caller's pooled spend. */
    budget: budgetSchema.optional(),
  })
  .strict();
export type CallerConfig = z.infer<typeof callerSchema>;

export const pooledSchema = z
  .object({
    enabled: z.boolean().default(true),
    baseUrl: httpUrl.default('https://openrouter.ai/api/v1'),
    headers: headerRecord.default({ 'HTTP-Referer': 'https://github.com/byok-router/byok-router', 'X-Title': 'BYOK Router' }),
    preferences: openRouterPreferencesSchema.optional(),
  })
  .strict();

const ms = (label: string, min: number, max: number) =>
  z
    .number({ error: `expected ${label} in milliseconds` })
    .int('expected whole milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`);

export const timeoutsSchema = z
  .object({
    connectMs: ms('a connect timeout', 100, 5 * MINUTE).default(10_000),
    firstByteMs: ms('a first-byte timeout', 100, HOUR).default(60_000),
    idleMs: ms('an idle timeout', 100, HOUR).default(60_000),
    totalMs: ms('a total timeout', 100, 2 * HOUR).default(10 * MINUTE),
  })
  .strict();

export const cooldownSchema = z
  .object({
    /** Longest wait honoured from Retry-After; longer advice is capped. */
    maxMs: ms('a maximum cooldown', 0, 24 * HOUR).default(5 * MINUTE),
    /** First backoff when the provider gives no Retry-After; doubles per consecutive failure. */
    backoffMs: ms('a backoff', 0, HOUR).default(1_000),
  })
  .strict();

export const feeSchema = z
  .object({
    rate: z.number().min(0).max(1).default(0.05),
    freeAllowance: z
      .discriminatedUnion('unit', [
        z.object({ unit: z.literal('requests'), amount: z.number().int().min(0) }).strict(),
        z.object({ unit: z.literal('usd'), amount: z.number().min(0) }).strict(),
      ])
      .default({ unit: 'requests', amount: 1_000_000 }),
  })
  .strict();

/** A size limit in bytes: at least 1 KiB, at most `max`. */
const bytes = (max: number) => z.number().int().min(1024).max(max);

export const limitsSchema = z
  .object({
    /** Largest error or non-streaming body read, and largest single SSE event. */
    maxBodyBytes: bytes(256 * 1024 * 1024).default(32 * 1024 * 1024),
    maxEventBytes: bytes(64 * 1024 * 1024).default(4 * 1024 * 1024),
  })
  .strict();

export type Timeouts = z.infer<typeof timeoutsSchema>;
export type CooldownPolicy = z.infer<typeof cooldownSchema>;
export type FeeModel = z.infer<typeof feeSchema>;
export type PooledConfig = z.infer<typeof pooledSchema>;
export type Limits = z.infer<typeof limitsSchema>;

export interface RouterConfig {
  keys: KeyConfig[];
  callers: CallerConfig[];
  defaultCaller: string;
  pooled: PooledConfig;
  providerOrder: string[];
  timeouts: Timeouts;
  cooldown: CooldownPolicy;
  fees: FeeModel;
  limits: Limits;
  modelFallbacks: z.infer<typeof modelFallbacksSchema>;
  stickiness: z.infer<typeof stickinessSchema>;
  balance: z.infer<typeof balanceSchema>;
  providerSort: z.infer<typeof providerSortSchema>;
  /** The whole user's budget, over every route. */
  budget?: z.infer<typeof budgetSchema>;
  alerts: z.infer<typeof alertsSchema>;
}
