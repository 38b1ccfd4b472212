/**
 * The Providers view's messages. The state carries names, masked tails (`…a1b2`) and statuses —
 * never a secret value: adding or rotating a key asks for the value in the host's password box.
 */
import { z } from 'zod';
import { text, viewProtocol } from './envelope';

export const USER_SCOPE = 'user';

/** `user`, or a workspace folder's URI string. */
export const scopeIdSchema = text(2048).min(1);
export const providerIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'expected a provider id');
export const keyIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a key id');
export const callerNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a caller name');
export const tierSchema = z.enum(['prioritized', 'fallback']);
export type Tier = z.infer<typeof tierSchema>;

/** The only form of a secret the webview ever gets: an ellipsis and at most four characters. */
export const maskedTailSchema = z.string().regex(/^…[^\s]{0,4}$/, 'expected a masked tail such as …a1b2');

const modelPatternSchema = text(200).min(1);

/**
 * Model patterns are globs over slugs; the host's config parser refuses anything else
 * (`isValidGlob` in core/config/parse.ts, which this restates), so the view refuses it first.
 */
export function modelPatternProblem(p: string): string | undefined {
  if (!/^[\w.*?@:/[\]{},!+-]+$/.test(p)) return 'Use letters, digits and glob characters such as anthropic/* or openai/gpt-5*';
  let square = 0;
  let curly = 0;
  for (const c of p) {
    if (c === '[') square++;
    else if (c === ']') square--;
    else if (c === '{') curly++;
    else if (c === '}') curly--;
    if (square < 0 || curly < 0 || square > 1) return 'Unbalanced brackets in the pattern';
  }
  return square || curly ? 'Unbalanced brackets in the pattern' : undefined;
}

const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/, 'expected an ISO date such as 2027-01-31')
  .max(40);

// ---------------------------------------------------------------- state

export const keyStatusSchema = z
  .object({
    kind: z.enum(['healthy', 'cooldown', 'auth', 'expired', 'no_secret', 'disabled']),
    /** Cooldown end, epoch ms. */
    until: z.number().optional(),
    detail: text(1000).optional(),
  })
  .strict();
export type KeyStatus = z.infer<typeof keyStatusSchema>;

export const overrideMarkSchema = z.enum(['inherited', 'same', 'changed', 'added']);
export type OverrideMark = z.infer<typeof overrideMarkSchema>;

export const keyRowSchema = z
  .object({
    id: keyIdSchema,
    provider: providerIdSchema,
    name: text(200),
    tier: tierSchema,
    alwaysUse: z.boolean(),
    disabled: z.boolean(),
    /** null: all models. */
    models: z.array(modelPatternSchema).max(100).nullable(),
    /** null: all callers. */
    callers: z.array(callerNameSchema).max(100).nullable(),
    expiresAt: isoDateSchema.optional(),
    expiry: z.enum(['none', 'ok', 'soon', 'passed']),
    masked: maskedTailSchema.optional(),
    /** For a secret-manager reference, in place of a tail: "from 1Password: op://…" (a reference is not secret). */
    source: text(600).optional(),
    status: keyStatusSchema,
    /** The key's endpoint override, from user settings (where a request goes is a user-only setting). */
    endpoint: text(2048).optional(),
    /** In a folder scope: how this entry relates to the user entry of the same id. */
    mark: overrideMarkSchema.optional(),
    /** Settings warnings about this entry (an unknown caller in its filter, …). */
    warnings: z.array(text(1000)).max(20),
    /** Why this fallback key can never be reached, when it cannot. */
    unreachable: text(1000).optional(),
    /** The key's budget this period: share used and what is spent, when it has one. */
    budget: z
      .object({ ratio: z.number().min(0), text: text(300) })
      .strict()
      .optional(),
  })
  .strict();
export type KeyRow = z.infer<typeof keyRowSchema>;

/** An entry of the scope's key list that the config parser refused: shown with its error. */
export const invalidKeySchema = z
  .object({
    index: z.number().int().min(0),
    id: text(200).optional(),
    name: text(200).optional(),
    provider: text(100).optional(),
    errors: z.array(z.object({ path: text(300), message: text(1000) }).strict()).max(20),
  })
  .strict();
export type InvalidKey = z.infer<typeof invalidKeySchema>;

/** `keyUrl`: the provider's "get a key" page, https only (the webview opens it as a link). */
export const providerInfoSchema = z
  .object({
    id: providerIdSchema,
    label: text(100),
    keyUrl: z
      .string()
      .max(300)
      .regex(/^https:\/\/[^\s"'<>]+$/)
      .optional(),
  })
  .strict();

export const scopeInfoSchema = z
  .object({
    id: scopeIdSchema,
    kind: z.enum(['user', 'folder']),
    label: text(300),
    /** Folder scopes: the `byokRouter.*` settings this folder sets itself. */
    overrides: z.array(text(100)).max(20),
  })
  .strict();
export type ScopeInfo = z.infer<typeof scopeInfoSchema>;

export const callerRowSchema = z
  .object({
    name: callerNameSchema,
    description: text(300).optional(),
    /** Listed in `byokRouter.callers` (the folder default may be a name that is not). */
    defined: z.boolean(),
    masked: maskedTailSchema.optional(),
    source: text(600).optional(),
    status: keyStatusSchema,
  })
  .strict();
export type CallerRow = z.infer<typeof callerRowSchema>;

export const folderCallerSchema = z.object({ id: scopeIdSchema, name: text(300), caller: callerNameSchema.or(text(64)) }).strict();

export const diagnosticSchema = z.object({ severity: z.enum(['error', 'warning']), path: text(300), message: text(1000) }).strict();
export type DiagnosticView = z.infer<typeof diagnosticSchema>;

/** The Web search section: the Firecrawl key in effect for this scope, its credits and their expiry. */
export const webSearchStateSchema = z
  .object({
    keyId: keyIdSchema,
    /** This folder names a key other than the workspace one. */
    overridden: z.boolean(),
    configured: z.boolean(),
    masked: maskedTailSchema.optional(),
    source: text(600).optional(),
    expiresAt: isoDateSchema.optional(),
    daysLeft: z.number().int().optional(),
    remainingCredits: z.number().optional(),
    planCredits: z.number().optional(),
    creditsError: text(1000).optional(),
    byokOnly: z.boolean(),
  })
  .strict();
export type WebSearchState = z.infer<typeof webSearchStateSchema>;

// ---------------------------------------------------------------- routing policy

export const providerSortSchema = z.enum(['order', 'price', 'latency', 'throughput']);
export const balanceStrategySchema = z.enum(['order', 'round-robin', 'least-busy', 'weighted']);
export type BalanceStrategy = z.infer<typeof balanceStrategySchema>;

const DAY_MS = 24 * 60 * 60_000;
const slugSchema = text(200).trim().min(1, 'expected a model slug such as openai/gpt-4o-mini');
const openRouterProviderSchema = text(100).trim().min(1);

/** OpenRouter's provider preferences the panel edits (`byokRouter.pooled.preferences`, a caller's `preferences`). */
export const preferencesSchema = z
  .object({
    data_collection: z.enum(['allow', 'deny']).optional(),
    zdr: z.boolean().optional(),
    only: z.array(openRouterProviderSchema).max(100).optional(),
    ignore: z.array(openRouterProviderSchema).max(100).optional(),
    order: z.array(openRouterProviderSchema).max(100).optional(),
    sort: z.enum(['price', 'throughput', 'latency']).optional(),
    max_price: z
      .object({ prompt: z.number().min(0).optional(), completion: z.number().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type Preferences = z.infer<typeof preferencesSchema>;
export const preferenceFieldSchema = z.enum(['data_collection', 'zdr', 'only', 'ignore', 'order', 'sort', 'max_price.prompt', 'max_price.completion']);
export type PreferenceField = z.infer<typeof preferenceFieldSchema>;

export const balanceRowSchema = z
  .object({
    provider: providerIdSchema,
    label: text(100),
    strategy: balanceStrategySchema,
    /** The provider's keys in the tiers where it has two or more: the ones a strategy spreads over. */
    keys: z.array(z.object({ id: keyIdSchema, name: text(200), tier: tierSchema, weight: z.number().optional() }).strict()).max(1000),
  })
  .strict();
export type BalanceRow = z.infer<typeof balanceRowSchema>;

export const callerPolicySchema = z
  .object({
    name: callerNameSchema,
    byokOnly: z.boolean(),
    /** This caller's own preferences, as written (over the scope's pooled preferences). */
    preferences: preferencesSchema.optional(),
  })
  .strict();
export type CallerPolicy = z.infer<typeof callerPolicySchema>;

export const policyStateSchema = z
  .object({
    providerSort: providerSortSchema,
    /** `byokRouter.stickiness.ttlMs`; 0 is off. */
    stickinessTtlMs: z.number().int().min(0).max(DAY_MS),
    balance: z.array(balanceRowSchema).max(100),
    modelFallbacks: z.array(z.object({ model: text(200), fallbacks: z.array(text(200)).max(8), problems: z.array(text(1000)).max(20) }).strict()).max(500),
    /** `byokRouter.pooled.preferences`: every caller's, unless it sets its own. */
    preferences: preferencesSchema.optional(),
    callers: z.array(callerPolicySchema).max(200),
  })
  .strict();
export type PolicyState = z.infer<typeof policyStateSchema>;

export const providersStateSchema = z
  .object({
    scopes: z.array(scopeInfoSchema).min(1).max(100),
    scope: scopeIdSchema,
    /** Folder scope: the folder lists its own keys (otherwise it inherits the user list). */
    ownKeys: z.boolean(),
    ownCallers: z.boolean(),
    /** Restricted Mode: a folder's routing settings are ignored. */
    trusted: z.boolean(),
    providers: z.array(providerInfoSchema).max(100),
    keys: z.array(keyRowSchema).max(1000),
    invalid: z.array(invalidKeySchema).max(1000),
    callers: z.array(callerRowSchema).max(200),
    /** The caller requests from this scope run as. */
    caller: text(64),
    folders: z.array(folderCallerSchema).max(100),
    pooled: z.object({ enabled: z.boolean(), baseUrl: text(2048) }).strict(),
    /** Settings problems of this scope (invalid entries, ignored folder values). */
    problems: z.array(diagnosticSchema).max(500),
    /** Catalog slugs, for the model filter and Explain route autocomplete. */
    models: z.array(text(200)).max(10_000),
    webSearch: webSearchStateSchema.optional(),
    /** The Routing policy section: the scope's effective policy settings. */
    policy: policyStateSchema.optional(),
    now: z.number(),
  })
  .strict();
export type ProvidersState = z.infer<typeof providersStateSchema>;

// ---------------------------------------------------------------- requests

const scoped = { scope: scopeIdSchema };

export const keyPatchSchema = z
  .object({
    name: text(200).trim().min(1).optional(),
    alwaysUse: z.boolean().optional(),
    disabled: z.boolean().optional(),
    models: z.array(modelPatternSchema).max(100).nullable().optional(),
    callers: z.array(callerNameSchema).max(100).nullable().optional(),
    expiresAt: isoDateSchema.nullable().optional(),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .max(2048)
      .nullable()
      .optional(),
    /** Share of the provider's load under the "weighted" balance; null removes it. */
    weight: z.number().positive('expected a positive weight').max(1_000_000).nullable().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'expected at least one field to change');
export type KeyPatch = z.infer<typeof keyPatchSchema>;

export const providersRequestBodySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('selectScope'), ...scoped }).strict(),
  z.object({ op: z.literal('addKey'), ...scoped, provider: providerIdSchema, tier: tierSchema }).strict(),
  z.object({ op: z.literal('updateKey'), ...scoped, keyId: keyIdSchema, patch: keyPatchSchema }).strict(),
  /** `index`: the key's place among the provider's keys of `tier`, counted without the key itself. */
  z.object({ op: z.literal('moveKey'), ...scoped, keyId: keyIdSchema, tier: tierSchema, index: z.number().int().min(0).max(1000) }).strict(),
  z.object({ op: z.literal('testKey'), ...scoped, keyId: keyIdSchema }).strict(),
  z.object({ op: z.literal('rotateKey'), ...scoped, keyId: keyIdSchema }).strict(),
  z.object({ op: z.literal('deleteKey'), ...scoped, keyId: keyIdSchema }).strict(),
  z.object({ op: z.literal('customize'), ...scoped }).strict(),
  z.object({ op: z.literal('resetFolder'), ...scoped }).strict(),
  z.object({ op: z.literal('explain'), ...scoped, model: text(200).min(1), caller: callerNameSchema }).strict(),
  z.object({ op: z.literal('addCaller'), ...scoped }).strict(),
  z.object({ op: z.literal('removeCaller'), ...scoped, caller: callerNameSchema }).strict(),
  z.object({ op: z.literal('setCallerKey'), caller: callerNameSchema }).strict(),
  z.object({ op: z.literal('deleteCallerKey'), caller: callerNameSchema }).strict(),
  z.object({ op: z.literal('testCaller'), ...scoped, caller: callerNameSchema }).strict(),
  z.object({ op: z.literal('setFolderCaller'), folder: scopeIdSchema, caller: callerNameSchema }).strict(),
  z.object({ op: z.literal('setPooled'), ...scoped, enabled: z.boolean() }).strict(),
  z.object({ op: z.literal('openSettings'), ...scoped }).strict(),
  z.object({ op: z.literal('setWebSearchKey'), ...scoped }).strict(),
  z.object({ op: z.literal('deleteWebSearchKey'), ...scoped }).strict(),
  z.object({ op: z.literal('setWebSearchExpiry'), ...scoped, expiresAt: isoDateSchema }).strict(),
  z.object({ op: z.literal('testWebSearch'), ...scoped }).strict(),
  z.object({ op: z.literal('setProviderSort'), ...scoped, sort: providerSortSchema }).strict(),
  /** `order` removes the provider's entry: it is the default. */
  z.object({ op: z.literal('setBalance'), ...scoped, provider: providerIdSchema, strategy: balanceStrategySchema }).strict(),
  z.object({ op: z.literal('setStickiness'), ...scoped, ttlMs: z.number().int().min(0).max(DAY_MS) }).strict(),
  /** `fallbacks` null or empty removes the model's entry. */
  z
    .object({ op: z.literal('setModelFallbacks'), ...scoped, model: slugSchema, fallbacks: z.array(slugSchema).max(8, 'at most 8 fallback models').nullable() })
    .strict(),
  /**
   * `caller` absent: the scope's pooled preferences. `preferences` sets the fields it holds
   * (`max_price` field by field) and `unset` removes fields: a patch, so two quick edits made from
   * one drawing of the view both land.
   */
  z
    .object({
      op: z.literal('setCallerPolicy'),
      ...scoped,
      caller: callerNameSchema.optional(),
      byokOnly: z.boolean().optional(),
      preferences: preferencesSchema.optional(),
      unset: z.array(preferenceFieldSchema).max(10).optional(),
    })
    .strict(),
]);
export type ProvidersRequestBody = z.infer<typeof providersRequestBodySchema>;
export type ProvidersOp = ProvidersRequestBody['op'];

// ---------------------------------------------------------------- results

export const testResultSchema = z
  .object({
    verdict: z.enum(['ok', 'auth', 'network', 'rate_limited', 'unknown']),
    message: text(2000),
    status: z.number().int().optional(),
    latencyMs: z.number(),
  })
  .strict();
export type TestResult = z.infer<typeof testResultSchema>;

export const planRouteSchema = z
  .object({
    label: text(500),
    route: z.enum(['byok', 'pooled']),
    provider: text(100),
    tier: tierSchema.optional(),
    keyId: text(100).optional(),
    nativeModel: text(300),
    skippedUntil: z.number().nullable().optional(),
    skipReason: text(1000).optional(),
  })
  .strict();

export const planViewSchema = z
  .object({
    model: text(200),
    caller: text(64),
    routes: z.array(planRouteSchema).max(1000),
    excluded: z.array(z.object({ who: text(500), reason: text(50), detail: text(1000) }).strict()).max(1000),
    alwaysUse: z.array(text(200)).max(1000),
    /** Always-use keys that match but cannot be tried, each with its remedy. */
    alwaysUseBlocked: z.array(text(1000)).max(1000).optional(),
    /** The plan as the Explain Route command prints it. */
    text: text(50_000),
  })
  .strict();
export type PlanView = z.infer<typeof planViewSchema>;

/** Ops that reply with a value, and the schema the webview checks it against. */
export const providersResultSchemas = {
  testKey: testResultSchema,
  testCaller: testResultSchema,
  explain: planViewSchema,
  addKey: z.object({ keyId: keyIdSchema.optional() }).strict(),
  rotateKey: z.object({ done: z.boolean() }).strict(),
  deleteKey: z.object({ done: z.boolean() }).strict(),
  setCallerKey: z.object({ done: z.boolean() }).strict(),
  addCaller: z.object({ caller: callerNameSchema.optional() }).strict(),
  setWebSearchKey: z.object({ done: z.boolean() }).strict(),
  deleteWebSearchKey: z.object({ done: z.boolean() }).strict(),
  testWebSearch: z.object({ ok: z.boolean(), message: text(2000) }).strict(),
} satisfies Partial<Record<ProvidersOp, z.ZodType>>;
export type ProvidersResultSchemas = typeof providersResultSchemas;

// ---------------------------------------------------------------- envelopes

export const providersProtocol = viewProtocol({
  restored: z.object({ scope: scopeIdSchema.optional() }).strict(),
  request: providersRequestBodySchema,
  state: providersStateSchema,
  results: providersResultSchemas,
});
export const { toHost: providersToHostSchema, toWebview: providersToWebviewSchema } = providersProtocol;
export type ProvidersToHost = z.infer<typeof providersToHostSchema>;
export type ProvidersToWebview = z.infer<typeof providersToWebviewSchema>;
