/**
 * provideTokenCount's numbers against what the simulators report as prompt usage for the same
 * text (with `realisticUsage`: o200k for OpenAI, o200k scaled for Claude and Gemini; see
 * src/sim/tokens.ts), over a corpus of prose, code, JSON and chat.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { Router } from '../../../src/core/routing/router';
import { countTokens } from '../../../src/core/tokens/openai-tokenizer';
import { estimateTokens, TokenCounter, TOKENS_PER_MESSAGE, type Tokenize } from '../../../src/core/tokens/estimate';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';
import { startGeminiSim, type GeminiSim } from '../../../src/sim/gemini';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const CORPUS = join(__dirname, '../../fixtures/tokens');
const samples = readdirSync(CORPUS).map((f) => ({ name: f, text: readFileSync(join(CORPUS, f), 'utf8') }));
const loadReal = async (): Promise<Tokenize> => countTokens;

describe('token counts for budgeting', () => {
  let openai: OpenAISim;
  let anthropic: AnthropicSim;
  let gemini: GeminiSim;
  const routers: Router[] = [];
  before(async () => {
    [openai, anthropic, gemini] = await Promise.all([startOpenAISim({ flavor: 'openai' }), startAnthropicSim(), startGeminiSim()]);
  });
  after(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
  });

  function router(provider: string, baseUrl: string, secret: string): Router {
    const { config } = parseConfig({ keys: [{ id: 'k', provider, name: 'main', tier: 'prioritized', options: { baseUrl } }], pooled: { enabled: false } });
    const r = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', secret]])) });
    routers.push(r);
    return r;
  }

  const families = [
    { family: 'gpt', model: 'openai/gpt-4.1', sim: () => openai, r: () => router('openai', openai.baseUrl, 'sk-test-0001') },
    { family: 'claude', model: 'anthropic/claude-sonnet-4.5', sim: () => anthropic, r: () => router('anthropic', anthropic.url, 'sk-ant-test-0001') },
    {
      family: 'gemini',
      model: 'google/gemini-2.5-flash',
      sim: () => gemini,
      r: () => router('google-ai-studio', gemini.baseUrl, 'AIzaSy-test-key-0000000000000000000000'),
    },
  ];

  for (const f of families) {
    it(`counts ${f.family} prompts within 10 % of the usage the simulator reports, for every sample of the corpus`, async () => {
      assert.ok(samples.length >= 4, 'the corpus has prose, code, JSON and chat');
      const counter = new TokenCounter(loadReal);
      const r = f.r();
      const off: string[] = [];
      for (const s of samples) {
        f.sim().enqueue({ text: 'ok', realisticUsage: true });
        const o = await r.generate({ model: f.model, messages: [{ role: 'user', content: s.text }] });
        assert.ok(o.ok, !o.ok ? o.error.message : '');
        const reported = o.response.usage!.prompt_tokens;
        const counted = (await counter.count(f.family, s.text)) + TOKENS_PER_MESSAGE;
        const error = (counted - reported) / reported;
        if (Math.abs(error) > 0.1) off.push(`${s.name}: counted ${counted}, reported ${reported} (${(error * 100).toFixed(1)} %)`);
      }
      assert.deepEqual(off, []);
    });
  }

  it('loads the tokenizer once, only for OpenAI-family models, and falls back to the estimate if it cannot load', async () => {
    let loads = 0;
    const counter = new TokenCounter(async () => {
      loads++;
      return (t: string) => t.length;
    });
    assert.equal(await counter.count('claude', 'hello world'), estimateTokens('claude', 'hello world'));
    assert.equal(loads, 0);
    assert.equal(counter.loaded, false);
    assert.equal(await counter.count('gpt', 'hello world'), 11);
    assert.equal(await counter.count('o', 'abc'), 3);
    assert.equal(loads, 1);

    const broken = new TokenCounter(() => Promise.reject(new Error('no bundle')));
    assert.equal(await broken.count('gpt', 'hello world'), estimateTokens('gpt', 'hello world'));
  });

  it('counts the same text higher for Claude than for Gemini, as Claude’s tokenizer splits finer', () => {
    const text = samples.find((s) => s.name === 'prose.md')!.text;
    assert.ok(estimateTokens('claude', text) / estimateTokens('gemini', text) > 1.1);
  });

  it('uses the real tokenizer for OpenAI models rather than the estimate', async () => {
    const counter = new TokenCounter(loadReal);
    const json = samples.find((s) => s.name === 'data.json')!.text;
    const real = await counter.count('gpt', json);
    assert.equal(real, (await loadReal())(json));
    assert.notEqual(real, estimateTokens('gpt', json));
  });
});
