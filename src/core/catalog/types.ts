// Model catalog types: which providers serve an OpenRouter slug, under which native id, at what price.
import { PROVIDERS, type ProviderId } from '../providers/ids';

/** Providers a BYOK key can belong to (the pooled path, `openrouter`, is not one: it serves every slug). */
export const CATALOG_PROVIDER_IDS = PROVIDERS.filter((p): p is Exclude<ProviderId, 'openrouter'> => p !== 'openrouter');

export type CatalogProviderId = Exclude<ProviderId, 'openrouter'>;

export function isCatalogProviderId(value: string): value is CatalogProviderId {
  return (CATALOG_PROVIDER_IDS as readonly string[]).includes(value);
}

/** A price in USD per million tokens. */
export interface Price {
  input: number;
  output: number;
  /** Price of cached input tokens read back, when the route discounts them. */
  cacheRead?: number;
  /** Price of input written to a prompt cache, when the route charges it apart. */
  cacheWrite?: number;
}

/** One provider's terms for a model. Prices are USD per million tokens. */
export interface ProviderOffer {
  /** The model id the provider's own API expects (for `azure`: the default deployment name). */
  id: string;
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** Set when this provider's window differs from the model's (e.g. no 1M-context beta). */
  contextLength?: number;
  maxOutput?: number;
}

export interface CatalogModel {
  /** OpenRouter slug, `vendor/model`. */
  slug: string;
  name: string;
  /** Model family for pickers and grouping, e.g. 'claude', 'gpt', 'gemini'. */
  family: string;
  contextLength: number;
  maxOutput: number;
  tools: boolean;
  vision: boolean;
  /** OpenRouter's list price; when absent, the vendor's own offer (see `pooledPrice`). */
  pooled?: Price;
  /** Offers keyed by provider id (a `CatalogProviderId`). Empty for pooled-only models. */
  providers: Record<string, ProviderOffer>;
}

export interface Catalog {
  readonly models: ReadonlyMap<string, CatalogModel>;
  get(slug: string): CatalogModel | undefined;
  offer(slug: string, provider: string): ProviderOffer | undefined;
  /** What the pooled (OpenRouter) route charges: the listed price, else the vendor's own offer. */
  pooledPrice(slug: string): Price | undefined;
  /** Every slug, sorted. */
  slugs(): string[];
}
