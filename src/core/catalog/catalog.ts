// Catalog lookups: a slug's offers, its pooled price, and whether a key's provider serves it.

import { BUNDLED_MODELS } from './data.js';
import type { Catalog, CatalogModel, CatalogProviderId, Price, ProviderOffer } from './types.js';

/**
 * The provider that is the model's own vendor, by slug prefix. Its offer stands in for the pooled
 * price when the catalog lists none (OpenRouter charges the vendor's list price for these).
 */
export const VENDOR_PROVIDERS: Readonly<Record<string, CatalogProviderId>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google-ai-studio',
  mistralai: 'mistral',
  'x-ai': 'xai',
  deepseek: 'deepseek',
  perplexity: 'perplexity',
  amazon: 'amazon-bedrock',
};

/** `anthropic/claude-sonnet-4.5` → `anthropic`. */
export function vendorOf(slug: string): string {
  const slash = slug.indexOf('/');
  return slash < 0 ? '' : slug.slice(0, slash);
}

/**
 * A family guessed from a slug, for models that arrive without one (OpenRouter refresh):
 * the leading letters of the model part (`gpt-5` → `gpt`, `o4-mini` → `o`, `qwen3-coder` → `qwen`),
 * except open-weight `gpt-oss`.
 */
export function familyOf(slug: string): string {
  const model = slug.slice(slug.indexOf('/') + 1).toLowerCase();
  if (model.startsWith('gpt-oss')) return 'gpt-oss';
  return /^[a-z]+/.exec(model)?.[0] ?? model;
}

/** Own-property lookup, so ids such as `constructor` never reach `Object.prototype`. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function freezeModel(model: CatalogModel): CatalogModel {
  const providers: Record<string, ProviderOffer> = {};
  for (const [provider, offer] of Object.entries(model.providers)) {
    providers[provider] = Object.freeze({ ...offer });
  }
  const frozen: CatalogModel = { ...model, providers: Object.freeze(providers) };
  if (model.pooled) frozen.pooled = Object.freeze({ ...model.pooled });
  return Object.freeze(frozen);
}

/** Builds a catalog over copies of `models`. Throws on a repeated slug (a data error). */
export function createCatalog(models: readonly CatalogModel[]): Catalog {
  const bySlug = new Map<string, CatalogModel>();
  for (const model of models) {
    if (bySlug.has(model.slug)) throw new Error(`catalog: model "${model.slug}" is listed twice`);
    bySlug.set(model.slug, freezeModel(model));
  }
  const sorted = [...bySlug.keys()].sort();

  const offer = (slug: string, provider: string): ProviderOffer | undefined => {
    const model = bySlug.get(slug);
    return model ? own(model.providers, provider) : undefined;
  };

  return {
    models: bySlug,
    get: (slug) => bySlug.get(slug),
    offer,
    pooledPrice(slug) {
      const model = bySlug.get(slug);
      if (!model) return undefined;
      if (model.pooled) return model.pooled;
      const vendorProvider = own(VENDOR_PROVIDERS, vendorOf(slug));
      const vendorOffer = vendorProvider ? own(model.providers, vendorProvider) : undefined;
      if (!vendorOffer) return undefined;
      const price: Price = { input: vendorOffer.input, output: vendorOffer.output };
      if (vendorOffer.cacheRead !== undefined) price.cacheRead = vendorOffer.cacheRead;
      if (vendorOffer.cacheWrite !== undefined) price.cacheWrite = vendorOffer.cacheWrite;
      return price;
    },
    slugs: () => [...sorted],
  };
}

let bundled: Catalog | undefined;

/** The catalog shipped with the extension (built once). */
export function bundledCatalog(): Catalog {
  bundled ??= createCatalog(BUNDLED_MODELS);
  return bundled;
}

export interface ServedModel {
  /** The id to send to the provider. */
  nativeId: string;
  /** Where the id came from: the key's model map wins over the catalog. */
  source: 'modelMap' | 'catalog';
}

/**
 * Whether a key of `provider` serves `slug`, and under which native id: the key's `modelMap`
 * (slug → native id, e.g. an Azure deployment name) names the slug, or the catalog lists the
 * provider for it. A blank map entry counts as absent.
 */
export function servesModel(catalog: Catalog, provider: string, slug: string, modelMap?: Readonly<Record<string, string>>): ServedModel | undefined {
  const mapped = modelMap ? own(modelMap, slug)?.trim() : undefined;
  if (mapped) return { nativeId: mapped, source: 'modelMap' };
  const offer = catalog.offer(slug, provider);
  return offer ? { nativeId: offer.id, source: 'catalog' } : undefined;
}
