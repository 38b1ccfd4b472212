import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledCatalog, createCatalog } from '../../../src/core/catalog/catalog.js';
import { BUNDLED_MODELS } from '../../../src/core/catalog/data.js';
import { mergeOpenRouterModels, perMillion } from '../../../src/core/catalog/openrouter-models.js';

const fixture: unknown = JSON.parse(readFileSync(join(__dirname, '../../fixtures/openrouter-models.json'), 'utf8'));

/** The bundled catalog minus GLM 4.6, the slug the fixture brings in as new (the bundle now has it). */
const withoutGlm = () => createCatalog(BUNDLED_MODELS.filter((m) => m.slug !== 'z-ai/glm-4.6'));

describe('mergeOpenRouterModels', () => {
  it('converts per-token price strings to per-million numbers without float noise', () => {
    assert.equal(perMillion('0.000003'), 3);
    assert.equal(perMillion('0.0000003'), 0.3);
    assert.equal(perMillion('0.000000075'), 0.075);
    assert.equal(perMillion('0.00000175'), 1.75);
    assert.equal(perMillion('0'), 0);
    assert.equal(perMillion('1e-7'), 0.1);
  });

  it('merges the fixture: one model added, three refreshed, the malformed entry reported', () => {
    const result = mergeOpenRouterModels(withoutGlm(), fixture);
    assert.equal(result.added, 1);
    assert.equal(result.updated, 3, 'gemini-2.5-flash, llama-3.3-70b and sonar changed; the rest match the bundle');
    assert.equal(result.diagnostics.length, 1);
    const [diagnostic] = result.diagnostics;
    assert.match(diagnostic ?? '', /^data\[5\] \("acme\/broken-model"\): /);
    assert.match(diagnostic ?? '', /context_length: /);
    assert.match(diagnostic ?? '', /pricing\.completion: /);
    assert.equal(result.catalog.get('acme/broken-model'), undefined);
    assert.equal(result.catalog.slugs().length, withoutGlm().slugs().length + 1);
  });

  it('refreshes a known model’s pooled price and limits and keeps its bundled offers', () => {
    const { catalog } = mergeOpenRouterModels(withoutGlm(), fixture);
    const llama = catalog.get('meta-llama/llama-3.3-70b-instruct');
    assert.deepEqual(llama?.pooled, { input: 0.1, output: 0.32 });
    assert.equal(llama?.maxOutput, 16_384);
    assert.deepEqual(llama?.providers, bundledCatalog().get('meta-llama/llama-3.3-70b-instruct')?.providers);
    assert.equal(catalog.offer('meta-llama/llama-3.3-70b-instruct', 'groq')?.id, 'llama-3.3-70b-versatile');

    assert.deepEqual(catalog.pooledPrice('anthropic/claude-sonnet-4.5'), { input: 3, output: 15, cacheRead: 0.3 });
    assert.equal(catalog.get('google/gemini-2.5-flash')?.maxOutput, 65_535);
  });

  it('reads tools from supported_parameters and vision from input_modalities', () => {
    const { catalog } = mergeOpenRouterModels(withoutGlm(), fixture);
    const sonar = catalog.get('perplexity/sonar');
    assert.equal(sonar?.tools, false);
    assert.equal(sonar?.vision, true);
    assert.equal(sonar?.maxOutput, bundledCatalog().get('perplexity/sonar')?.maxOutput, 'a null output cap keeps the bundled one');
    assert.equal(catalog.get('z-ai/glm-4.6')?.vision, false);
    assert.equal(catalog.get('anthropic/claude-sonnet-4.5')?.vision, true);
  });

  it('adds an unknown slug as a pooled-only model', () => {
    const { catalog } = mergeOpenRouterModels(withoutGlm(), fixture);
    assert.deepEqual(catalog.get('z-ai/glm-4.6'), {
      slug: 'z-ai/glm-4.6',
      name: 'GLM 4.6',
      family: 'glm',
      contextLength: 202_752,
      maxOutput: 202_752,
      tools: true,
      vision: false,
      pooled: { input: 0.4, output: 1.75, cacheRead: 0.11 },
      providers: {},
    });
    assert.deepEqual(catalog.pooledPrice('z-ai/glm-4.6'), { input: 0.4, output: 1.75, cacheRead: 0.11 });
  });

  it('leaves the base catalog untouched', () => {
    const base = withoutGlm();
    const before = JSON.stringify([...base.models.values()]);
    mergeOpenRouterModels(base, fixture);
    assert.equal(JSON.stringify([...base.models.values()]), before);
    assert.equal(base.get('z-ai/glm-4.6'), undefined);
  });

  it('keeps a model’s values for fields its entry omits', () => {
    const base = createCatalog([
      {
        slug: 'acme/model',
        name: 'Acme',
        family: 'model',
        contextLength: 1000,
        maxOutput: 100,
        tools: true,
        vision: true,
        providers: {},
      },
    ]);
    const { catalog, updated } = mergeOpenRouterModels(base, {
      data: [{ id: 'acme/model', pricing: { prompt: '0.000001', completion: '0.000002' } }],
    });
    assert.equal(updated, 1);
    assert.deepEqual(catalog.get('acme/model'), { ...base.get('acme/model'), pooled: { input: 1, output: 2 } });
  });

  it('reports variable prices, bad slugs, repeats and non-objects by index and merges the rest', () => {
    const good = { id: 'acme/good', context_length: 8192, pricing: { prompt: '0.000001', completion: '0.000001' } };
    const result = mergeOpenRouterModels(createCatalog([]), {
      data: [
        { id: 'openrouter/auto', context_length: 2000000, pricing: { prompt: '-1', completion: '-1' } },
        good,
        'not a model',
        { ...good, name: 'again' },
        { id: 'no-slash', context_length: 8192, pricing: { prompt: '0', completion: '0' } },
        { id: 'acme/no-context', pricing: { prompt: '0', completion: '0' } },
      ],
    });
    assert.equal(result.added, 1);
    assert.deepEqual(result.catalog.slugs(), ['acme/good']);
    assert.equal(result.diagnostics.length, 5);
    assert.match(result.diagnostics[0] ?? '', /^data\[0\] \("openrouter\/auto"\): pricing\.prompt: .*non-negative/);
    assert.match(result.diagnostics[1] ?? '', /^data\[2\]: /);
    assert.match(result.diagnostics[2] ?? '', /^data\[3\] \("acme\/good"\): repeats data\[1\]/);
    assert.match(result.diagnostics[3] ?? '', /^data\[4\] \("no-slash"\): id: expected a vendor\/model slug/);
    assert.match(result.diagnostics[4] ?? '', /^data\[5\] \("acme\/no-context"\): context_length: missing/);
  });

  it('returns the base catalog with one diagnostic when the response is not a models list', () => {
    const base = bundledCatalog();
    for (const json of [null, 'oops', { models: [] }, { data: {} }]) {
      const result = mergeOpenRouterModels(base, json);
      assert.equal(result.catalog, base);
      assert.equal(result.added + result.updated, 0);
      assert.equal(result.diagnostics.length, 1);
      assert.match(result.diagnostics[0] ?? '', /^models list: /);
    }
  });
});
