// Refreshing the catalog from OpenRouter's public `GET /api/v1/models` list.
//
// The list brings OpenRouter's own prices (the pooled route), context lengths and capabilities;
// it knows nothing of native ids at other providers, so bundled offers are kept as they are and
// models it adds are pooled-only until the bundle or a key's model map names a provider for them.

import { z } from 'zod';
import { createCatalog, familyOf } from './catalog.js';
import type { Catalog, CatalogModel, Price } from './types.js';

/** OpenRouter prices are decimal strings in USD per token (`"0.000003"`); `"-1"` marks variable pricing. */
const PerTokenPrice = z.string().regex(/^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/, 'expected a non-negative decimal string (USD per token)');

const TokenCount = z.number().int().positive();

/** One entry of the list, only the fields the merge reads. */
export const OpenRouterModel = z.object({
  id: z.string().regex(/^[\w.~-]+\/[\w.:~-]+$/, 'expected a vendor/model slug'),
  name: z.string().optional(),
  context_length: TokenCount.nullish(),
  pricing: z.object({
    prompt: PerTokenPrice,
    completion: PerTokenPrice,
    input_cache_read: PerTokenPrice.optional(),
  }),
  top_provider: z
    .object({
      context_length: TokenCount.nullish(),
      max_completion_tokens: TokenCount.nullish(),
    })
    .nullish(),
  architecture: z.object({ input_modalities: z.array(z.string()).optional() }).nullish(),
  supported_parameters: z.array(z.string()).optional(),
});
export type OpenRouterModel = z.infer<typeof OpenRouterModel>;

/** The response envelope; entries are validated one by one so one bad entry costs only itself. */
export const OpenRouterModelsResponse = z.object({ data: z.array(z.unknown()) });

/** Output cap assumed for a new model whose list entry gives none. */
const DEFAULT_MAX_OUTPUT = 32_768;

/** USD per token (decimal string) → USD per million tokens, without float noise (`3`, not `3.0000000000000004`). */
export function perMillion(perToken: string): number {
  return Number((Number(perToken) * 1_000_000).toPrecision(12));
}

export interface MergeResult {
  catalog: Catalog;
  /** Slugs the list brought that the base catalog did not have. */
  added: number;
  /** Known slugs whose pooled price, context, output cap, tools or vision changed. */
  updated: number;
  /** One line per rejected entry (or for an unreadable response), naming where and what. */
  diagnostics: string[];
}

/**
 * Merges OpenRouter's models list into `base` and returns a new catalog (`base` is untouched).
 * Known slugs get OpenRouter's price as their pooled price plus its context length, output cap,
 * tools and vision; unknown slugs are added as pooled-only models (`providers: {}`).
 */
export function mergeOpenRouterModels(base: Catalog, json: unknown): MergeResult {
  const envelope = OpenRouterModelsResponse.safeParse(json);
  if (!envelope.success) {
    return { catalog: base, added: 0, updated: 0, diagnostics: [`models list: ${describeIssues(envelope.error)}`] };
  }

  const models = new Map(base.models);
  const seen = new Map<string, number>();
  const diagnostics: string[] = [];
  let added = 0;
  let updated = 0;

  envelope.data.data.forEach((raw, index) => {
    const parsed = OpenRouterModel.safeParse(raw);
    if (!parsed.success) {
      diagnostics.push(`${where(index, raw)}: ${describeIssues(parsed.error)}`);
      return;
    }
    const entry = parsed.data;
    const first = seen.get(entry.id);
    if (first !== undefined) {
      diagnostics.push(`${where(index, raw)}: repeats data[${first}]; ignored`);
      return;
    }
    seen.set(entry.id, index);

    const existing = models.get(entry.id);
    if (existing) {
      const refreshed = refresh(existing, entry);
      if (changed(base, existing, refreshed)) updated += 1;
      models.set(entry.id, refreshed);
      return;
    }
    const contextLength = entry.context_length ?? entry.top_provider?.context_length;
    if (contextLength == null) {
      diagnostics.push(`${where(index, raw)}: context_length: missing, and the model is not in the catalog`);
      return;
    }
    models.set(entry.id, {
      slug: entry.id,
      name: displayName(entry),
      family: familyOf(entry.id),
      contextLength,
      maxOutput: entry.top_provider?.max_completion_tokens ?? Math.min(contextLength, DEFAULT_MAX_OUTPUT),
      tools: entry.supported_parameters?.includes('tools') ?? false,
      vision: entry.architecture?.input_modalities?.includes('image') ?? false,
      pooled: pooledOf(entry),
      providers: {},
    });
    added += 1;
  });

  return { catalog: createCatalog([...models.values()]), added, updated, diagnostics };
}

/** Fields the list omits keep their catalog values. */
function refresh(model: CatalogModel, entry: OpenRouterModel): CatalogModel {
  return {
    ...model,
    contextLength: entry.context_length ?? entry.top_provider?.context_length ?? model.contextLength,
    maxOutput: entry.top_provider?.max_completion_tokens ?? model.maxOutput,
    tools: entry.supported_parameters ? entry.supported_parameters.includes('tools') : model.tools,
    vision: entry.architecture?.input_modalities ? entry.architecture.input_modalities.includes('image') : model.vision,
    pooled: pooledOf(entry),
  };
}

function pooledOf(entry: OpenRouterModel): Price {
  const price: Price = { input: perMillion(entry.pricing.prompt), output: perMillion(entry.pricing.completion) };
  if (entry.pricing.input_cache_read !== undefined) price.cacheRead = perMillion(entry.pricing.input_cache_read);
  return price;
}

/** Compares what callers observe, so a listed price equal to the vendor's own offer is no change. */
function changed(base: Catalog, before: CatalogModel, after: CatalogModel): boolean {
  const was = base.pooledPrice(before.slug);
  const now = after.pooled;
  return (
    before.contextLength !== after.contextLength ||
    before.maxOutput !== after.maxOutput ||
    before.tools !== after.tools ||
    before.vision !== after.vision ||
    was?.input !== now?.input ||
    was?.output !== now?.output ||
    was?.cacheRead !== now?.cacheRead
  );
}

/** `"Anthropic: Claude Sonnet 4.5"` → `"Claude Sonnet 4.5"`; falls back to the slug. */
function displayName(entry: OpenRouterModel): string {
  const name = entry.name?.trim();
  if (!name) return entry.id;
  return name.replace(/^[^:]{1,40}:\s+/, '');
}

function where(index: number, raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
  return typeof id === 'string' ? `data[${index}] (${JSON.stringify(id)})` : `data[${index}]`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
