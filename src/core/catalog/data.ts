// Bundled model catalog: which providers serve each OpenRouter slug, under which native id, at what list price.
// The rows are data, in models.json (grouped by vendor: OpenAI, Anthropic, Google, Mistral, Meta
// Llama, xAI, DeepSeek, Perplexity, Amazon, other open weights, vendors with their own
// OpenAI-compatible APIs); this module gives them their type, which the compiler checks them against.
//
// Prices are USD per million tokens, standard (non-batch, non-priority) list prices of the data
// snapshot; long-context tiers (e.g. Gemini 2.5 Pro above 200k input tokens) and cache-write
// surcharges are not modelled. `refresh` from OpenRouter's public models list updates pooled
// prices, context lengths and capabilities at run time; provider offers only change here or
// through a key's model map.
//
// Native id conventions:
// - anthropic: the undated alias (`claude-sonnet-4-5`), which Anthropic points at the current snapshot.
// - google-vertex: Claude ids carry the snapshot after `@` (`claude-sonnet-4-5@20250929`); Gemini ids
//   are the same as at AI Studio.
// - amazon-bedrock: cross-region inference profiles. `global.` profiles (Claude 4.5 and Sonnet 4)
//   work from any commercial region at the base price (regional `us.`/`eu.` profiles of these models
//   cost about 10 % more); older models only have regional (`us.`) profiles. A key in another
//   geography overrides the id through its model map.
// - azure: the OpenAI model id, used as the default deployment name.
// - azure-foundry: the model's name in the Foundry catalog, used as the default deployment name.
// - nvidia and featherless list 0: NVIDIA's hosted NIM endpoints are free developer access (credits,
//   no per-token price) and Featherless is a flat monthly plan; neither bills per token.
//
// Rows that need a word:
// - OpenAI's open-weight models (gpt-oss): OpenAI's own API does not serve them, so the pooled price is given.
// - Anthropic: cache reads are 10 % of input; the 1M-token window of Sonnet 4/4.5 needs a beta
//   header, so the native offers state 200k.
// - DeepSeek's own API serves only its newest model: `deepseek-chat` (and `deepseek-reasoner`, the
//   same model in thinking mode). Earlier releases remain at the open-weight hosts.
// - Perplexity's models do not call tools; Amazon's are served by Bedrock only; Meta's Llama by the
//   open-weight hosts only.

import type { CatalogModel, ProviderOffer } from './types.js';
import models from './models.json';

/** A row as the compiler reads models.json: it gives each row's offers every provider key another row has, as `undefined`. */
type Row = Omit<CatalogModel, 'providers'> & { providers: Partial<Record<string, ProviderOffer>> };
const rows: readonly Row[] = models;

// Typed above field by field (test/unit/catalog/data.test.ts refuses unknown ones); the `undefined` offers exist only in the compiler's reading.
export const BUNDLED_MODELS = rows as readonly CatalogModel[];
