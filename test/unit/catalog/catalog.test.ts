import assert from 'node:assert/strict';
import { bundledCatalog, createCatalog, familyOf, servesModel, vendorOf } from '../../../src/core/catalog/catalog.js';
import type { CatalogModel } from '../../../src/core/catalog/types.js';

function model(slug: string, overrides: Partial<CatalogModel> = {}): CatalogModel {
  return {
    slug,
    name: slug,
    family: familyOf(slug),
    contextLength: 100_000,
    maxOutput: 8_000,
    tools: true,
    vision: false,
    providers: {},
    ...overrides,
  };
}

describe('catalog', () => {
  it('looks a model up by slug and lists slugs sorted', () => {
    const catalog = createCatalog([model('openai/gpt-b'), model('anthropic/claude-a')]);
    assert.equal(catalog.get('openai/gpt-b')?.slug, 'openai/gpt-b');
    assert.equal(catalog.get('openai/unknown'), undefined);
    assert.deepEqual(catalog.slugs(), ['anthropic/claude-a', 'openai/gpt-b']);
  });

  it('returns a provider offer only for providers that serve the slug', () => {
    const catalog = bundledCatalog();
    assert.equal(catalog.offer('anthropic/claude-sonnet-4.5', 'anthropic')?.id, 'claude-sonnet-4-5');
    assert.equal(catalog.offer('anthropic/claude-sonnet-4.5', 'openai'), undefined);
    assert.equal(catalog.offer('nobody/nothing', 'openai'), undefined);
  });

  it('does not mistake Object.prototype members for offers', () => {
    const catalog = bundledCatalog();
    assert.equal(catalog.offer('openai/gpt-5', 'constructor'), undefined);
    assert.equal(catalog.offer('openai/gpt-5', '__proto__'), undefined);
    assert.equal(servesModel(catalog, 'openai', 'openai/gpt-5', {})?.nativeId, 'gpt-5');
    assert.equal(servesModel(catalog, 'anthropic', 'toString', {}), undefined);
  });

  it('prices the pooled route at the listed price, else at the vendor’s own offer', () => {
    const catalog = createCatalog([
      model('anthropic/claude-x', { providers: { anthropic: { id: 'claude-x', input: 3, output: 15, cacheRead: 0.3 } } }),
      model('meta-llama/llama-x', { pooled: { input: 0.1, output: 0.3 }, providers: { groq: { id: 'llama-x', input: 0.5, output: 0.8 } } }),
      model('meta-llama/llama-y', { providers: { groq: { id: 'llama-y', input: 0.5, output: 0.8 } } }),
    ]);
    assert.deepEqual(catalog.pooledPrice('anthropic/claude-x'), { input: 3, output: 15, cacheRead: 0.3 });
    assert.deepEqual(catalog.pooledPrice('meta-llama/llama-x'), { input: 0.1, output: 0.3 });
    assert.equal(catalog.pooledPrice('meta-llama/llama-y'), undefined, 'no vendor offer and no listed price');
    assert.equal(catalog.pooledPrice('nobody/nothing'), undefined);
  });

  it('refuses a slug listed twice', () => {
    assert.throws(() => createCatalog([model('openai/gpt-x'), model('openai/gpt-x')]), /openai\/gpt-x.*twice/);
  });

  it('is not changed by later edits to the models it was built from', () => {
    const source = model('openai/gpt-x', { providers: { openai: { id: 'gpt-x', input: 1, output: 2 } } });
    const catalog = createCatalog([source]);
    const offer = source.providers['openai'];
    assert.ok(offer);
    offer.input = 99;
    source.contextLength = 1;
    assert.equal(catalog.offer('openai/gpt-x', 'openai')?.input, 1);
    assert.equal(catalog.get('openai/gpt-x')?.contextLength, 100_000);
    assert.ok(Object.isFrozen(catalog.get('openai/gpt-x')));
  });

  it('builds the bundled catalog once', () => {
    assert.equal(bundledCatalog(), bundledCatalog());
    assert.ok(bundledCatalog().slugs().length >= 30);
  });

  it('splits a slug into its vendor and guesses a family from the model part', () => {
    assert.equal(vendorOf('x-ai/grok-4'), 'x-ai');
    assert.equal(vendorOf('no-slash'), '');
    assert.equal(familyOf('openai/gpt-5-mini'), 'gpt');
    assert.equal(familyOf('openai/o4-mini'), 'o');
    assert.equal(familyOf('openai/gpt-oss-120b'), 'gpt-oss');
    assert.equal(familyOf('qwen/qwen3-coder'), 'qwen');
    assert.equal(familyOf('z-ai/glm-4.6'), 'glm');
  });
});

describe('servesModel', () => {
  const catalog = bundledCatalog();

  it('serves a model its provider is listed for, under the catalog’s native id', () => {
    assert.deepEqual(servesModel(catalog, 'amazon-bedrock', 'anthropic/claude-sonnet-4.5'), {
      nativeId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      source: 'catalog',
    });
    assert.equal(servesModel(catalog, 'google-vertex', 'anthropic/claude-sonnet-4.5')?.nativeId, 'claude-sonnet-4-5@20250929');
    assert.equal(servesModel(catalog, 'fireworks', 'meta-llama/llama-3.3-70b-instruct')?.nativeId, 'accounts/fireworks/models/llama-v3p3-70b-instruct');
  });

  it('does not serve a model its provider is not listed for', () => {
    assert.equal(servesModel(catalog, 'openai', 'anthropic/claude-sonnet-4.5'), undefined);
    assert.equal(servesModel(catalog, 'anthropic', 'nobody/unknown-model'), undefined);
  });

  it('lets the key’s model map override the native id', () => {
    assert.deepEqual(servesModel(catalog, 'azure', 'openai/gpt-5', { 'openai/gpt-5': 'prod-gpt5' }), {
      nativeId: 'prod-gpt5',
      source: 'modelMap',
    });
    assert.equal(
      servesModel(catalog, 'amazon-bedrock', 'anthropic/claude-sonnet-4.5', {
        'anthropic/claude-sonnet-4.5': 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
      })?.nativeId,
      'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
  });

  it('lets the key’s model map add a model the catalog does not list for its provider', () => {
    assert.equal(servesModel(catalog, 'together', 'anthropic/claude-sonnet-4.5', { 'anthropic/claude-sonnet-4.5': 'x' })?.nativeId, 'x');
    assert.deepEqual(servesModel(catalog, 'openai', 'acme/custom', { 'acme/custom': ' ft:gpt-4.1:acme::abc ' }), {
      nativeId: 'ft:gpt-4.1:acme::abc',
      source: 'modelMap',
    });
  });

  it('falls back to the catalog when the model map does not name the slug or names it blank', () => {
    assert.equal(servesModel(catalog, 'openai', 'openai/gpt-5', { 'openai/gpt-4o': 'x' })?.nativeId, 'gpt-5');
    assert.deepEqual(servesModel(catalog, 'openai', 'openai/gpt-5', { 'openai/gpt-5': '  ' }), { nativeId: 'gpt-5', source: 'catalog' });
    assert.equal(servesModel(catalog, 'openai', 'acme/custom', { 'acme/custom': '' }), undefined);
  });
});
