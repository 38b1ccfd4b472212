// Model catalog: slugs, the providers that serve them, native ids and prices.

export type { Catalog, CatalogModel, CatalogProviderId, Price, ProviderOffer } from './types.js';
export { CATALOG_PROVIDER_IDS, isCatalogProviderId } from './types.js';
export { BUNDLED_MODELS } from './data.js';
export type { ServedModel } from './catalog.js';
export { VENDOR_PROVIDERS, bundledCatalog, createCatalog, familyOf, servesModel, vendorOf } from './catalog.js';
export type { MergeResult } from './openrouter-models.js';
export { OpenRouterModel, OpenRouterModelsResponse, mergeOpenRouterModels, perMillion } from './openrouter-models.js';
