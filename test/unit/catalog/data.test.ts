import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_MODELS } from '../../../src/core/catalog/data.js';
import { bundledCatalog, familyOf } from '../../../src/core/catalog/catalog.js';
import {
  CATALOG_PROVIDER_IDS,
  isCatalogProviderId,
  type CatalogModel,
  type CatalogProviderId,
  type Price,
  type ProviderOffer,
} from '../../../src/core/catalog/types.js';

/** What a native id looks like at each provider. */
const NATIVE_ID: Record<CatalogProviderId, RegExp> = {
  openai: /^(?:gpt|o\d|chatgpt)[a-z0-9.-]*$/,
  azure: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  anthropic: /^claude-[a-z0-9-]+$/,
  'google-ai-studio': /^gemini-[a-z0-9.-]+$/,
  // Gemini ids as at AI Studio; Claude ids pinned with `@YYYYMMDD`.
  'google-vertex': /^(?:gemini-[a-z0-9.-]+|claude-[a-z0-9-]+@\d{8})$/,
  // `vendor.model-…:N`, optionally behind an inference-profile prefix (`us.`, `eu.`, `global.`…).
  'amazon-bedrock': /^(?:[a-z]{2,}\.)?[a-z0-9-]+\.[a-z0-9.-]+:\d+$/,
  mistral: /^[a-z][a-z0-9-]*-(?:\d{4}|latest)$/,
  groq: /^[a-z0-9][a-z0-9.-]*(?:\/[a-z0-9][a-z0-9.-]*)?$/,
  xai: /^grok-[a-z0-9-]+$/,
  deepseek: /^deepseek-(?:chat|reasoner)$/,
  together: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  fireworks: /^accounts\/fireworks\/models\/[a-z0-9.-]+$/,
  cerebras: /^[a-z0-9][a-z0-9.-]*$/,
  perplexity: /^sonar(?:-[a-z]+)*$/,
  ai21: /^jamba-(?:large|mini)$/,
  alibaba: /^qwen[a-z0-9.-]*$/,
  // Foundry catalog names: mixed case, no vendor prefix.
  'azure-foundry': /^[A-Za-z][A-Za-z0-9.-]*$/,
  cohere: /^command-[a-z0-9-]+$/,
  minimax: /^MiniMax-[A-Za-z0-9.-]+$/,
  moonshotai: /^kimi-[a-z0-9.-]+$/,
  stepfun: /^step-[a-z0-9.-]+$/,
  'z-ai': /^glm-[a-z0-9.-]+$/,
  inception: /^mercury(?:-[a-z]+)?$/,
  lambda: /^[a-z0-9][a-z0-9.-]*$/,
  sambanova: /^[A-Za-z][A-Za-z0-9.-]*$/,
  nvidia: /^[a-z0-9-]+\/[a-z0-9._-]+$/,
  // Hugging Face-style `Org/Model` repository ids at the open-weight hosts.
  baseten: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  chutes: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  deepinfra: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  featherless: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  huggingface: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  hyperbolic: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  nebius: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
  // Novita lower-cases its ids.
  novita: /^[a-z0-9-]+\/[a-z0-9._-]+$/,
};

const SLUG = /^[a-z0-9-]+\/[a-z0-9.-]+$/;

// Every field of a model, an offer and a price: the compiler checks these lists are the types',
// whole and nothing more, so a row in models.json is held to them.
const MODEL_FIELDS: Record<keyof CatalogModel, true> = {
  slug: true,
  name: true,
  family: true,
  contextLength: true,
  maxOutput: true,
  tools: true,
  vision: true,
  pooled: true,
  providers: true,
};
const OFFER_FIELDS: Record<keyof ProviderOffer, true> = {
  id: true,
  input: true,
  output: true,
  cacheRead: true,
  cacheWrite: true,
  contextLength: true,
  maxOutput: true,
};
const PRICE_FIELDS: Record<keyof Price, true> = { input: true, output: true, cacheRead: true, cacheWrite: true };

function unknownFields(value: object, known: Record<string, true>): string[] {
  return Object.keys(value).filter((k) => !Object.hasOwn(known, k));
}

function isPrice(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

describe('bundled catalog data', () => {
  it('gives every model, offer and pooled price only known fields', () => {
    for (const model of BUNDLED_MODELS) {
      assert.deepEqual(unknownFields(model, MODEL_FIELDS), [], model.slug);
      if (model.pooled) assert.deepEqual(unknownFields(model.pooled, PRICE_FIELDS), [], `${model.slug} pooled`);
      for (const [provider, offer] of Object.entries(model.providers)) assert.deepEqual(unknownFields(offer, OFFER_FIELDS), [], `${model.slug} at ${provider}`);
    }
  });

  it('holds at least thirty models, each slug once', () => {
    const slugs = BUNDLED_MODELS.map((model) => model.slug);
    assert.ok(slugs.length >= 30, `only ${slugs.length} models`);
    assert.equal(new Set(slugs).size, slugs.length);
  });

  it('names every model by a vendor/model slug', () => {
    for (const model of BUNDLED_MODELS) assert.match(model.slug, SLUG);
  });

  it('gives every model a name, a family that matches its slug, and positive token limits', () => {
    for (const { slug, name, family, contextLength, maxOutput } of BUNDLED_MODELS) {
      assert.ok(name.trim().length > 0, slug);
      assert.equal(family, familyOf(slug), slug);
      assert.ok(Number.isInteger(contextLength) && contextLength > 0, slug);
      assert.ok(Number.isInteger(maxOutput) && maxOutput > 0 && maxOutput <= contextLength, slug);
    }
  });

  it('lists only known providers, each with a well-formed native id', () => {
    for (const model of BUNDLED_MODELS) {
      for (const [provider, offer] of Object.entries(model.providers)) {
        assert.ok(isCatalogProviderId(provider), `${model.slug}: unknown provider "${provider}"`);
        assert.match(offer.id, NATIVE_ID[provider], `${model.slug} at ${provider}`);
      }
    }
  });

  it('states every price as a non-negative finite number, cache reads below input', () => {
    for (const model of BUNDLED_MODELS) {
      const prices = [model.pooled, ...Object.values(model.providers)].filter((price) => price !== undefined);
      for (const price of prices) {
        assert.ok(isPrice(price.input) && isPrice(price.output), model.slug);
        if (price.cacheRead !== undefined) assert.ok(isPrice(price.cacheRead) && price.cacheRead <= price.input, model.slug);
      }
    }
  });

  it('keeps per-offer limits within positive integers', () => {
    for (const model of BUNDLED_MODELS) {
      for (const offer of Object.values(model.providers)) {
        for (const limit of [offer.contextLength, offer.maxOutput]) {
          if (limit !== undefined) assert.ok(Number.isInteger(limit) && limit > 0, model.slug);
        }
      }
    }
  });

  it('has a pooled price for every model and at least one provider offer', () => {
    const catalog = bundledCatalog();
    for (const model of BUNDLED_MODELS) {
      assert.ok(catalog.pooledPrice(model.slug), `${model.slug}: no pooled price`);
      assert.ok(Object.keys(model.providers).length > 0, `${model.slug}: no provider`);
    }
  });

  it('offers every provider at least one model', () => {
    const used = new Set(BUNDLED_MODELS.flatMap((model) => Object.keys(model.providers)));
    for (const provider of CATALOG_PROVIDER_IDS) assert.ok(used.has(provider), provider);
  });

  it('pins Claude on Vertex and Bedrock to the same snapshot date', () => {
    for (const model of BUNDLED_MODELS.filter((m) => m.family === 'claude')) {
      const vertex = model.providers['google-vertex']?.id;
      const bedrock = model.providers['amazon-bedrock']?.id;
      assert.ok(vertex && bedrock, model.slug);
      const date = vertex.split('@')[1];
      assert.ok(date && bedrock.includes(`-${date}-v`), `${model.slug}: ${vertex} vs ${bedrock}`);
      assert.match(bedrock, /^(?:us|eu|apac|global)\.anthropic\.claude-/);
    }
  });

  it('serves every OpenAI model at Azure under the OpenAI id as the default deployment', () => {
    for (const model of BUNDLED_MODELS) {
      const openai = model.providers['openai'];
      if (openai) assert.equal(model.providers['azure']?.id, openai.id, model.slug);
    }
  });

  it('keeps the catalog module free of editor imports', () => {
    const dir = join(__dirname, '../../../src/core/catalog');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      for (const match of source.matchAll(/from\s+'([^']+)'/g)) {
        const target = match[1] ?? '';
        // Its own files, the core's provider ids, and zod: nothing from the editor or the network.
        assert.ok(target.startsWith('./') || target === '../providers/ids' || target === 'zod', `${file} imports ${target}`);
      }
    }
  });
});
