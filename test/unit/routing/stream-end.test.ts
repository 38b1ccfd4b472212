import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { Router } from '../../../src/core/routing/router';
import { BEDROCK_TEST_API_KEY, startBedrockSim } from '../../../src/sim/bedrock';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

describe('the end of a stream', () => {
  let sim: OpenAISim;
  before(async () => {
    sim = await startOpenAISim({ flavor: 'openai' });
  });
  after(() => sim.close());

  it('finishes the outcome at [DONE] and releases a connection the server keeps open with comments', async function () {
    this.timeout(15_000);
    const { config } = parseConfig({
      pooled: { enabled: false },
      timeouts: { idleMs: 60_000, totalMs: 120_000 },
      keys: [{ id: 'k', provider: 'openai', name: 'k', tier: 'prioritized', options: { baseUrl: sim.baseUrl } }],
    });
    const router = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', 'sk-stream-end-0001']])) });
    try {
      sim.enqueue({ text: 'Hello there', keepAliveComments: 1, holdOpenAfterTrailer: true });
      const t0 = performance.now();
      const o = await router.generate({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const ms = performance.now() - t0;
      assert.ok(o.ok, JSON.stringify(!o.ok && o.error));
      assert.equal(o.response.choices[0]!.message.content, 'Hello there');
      assert.ok(ms < 5_000, `the answer was held ${Math.round(ms)} ms after [DONE]`);
      assert.ok(o.record.latencyMs < 5_000, 'the recorded latency ends at [DONE]');
      // The next request still works: the held connection was released, not leaked into the pool.
      const again = await router.generate({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(again.ok);
    } finally {
      await router.close();
    }
  });

  it('finishes a Bedrock stream at metadata after messageStop though the server keeps the socket open', async function () {
    this.timeout(15_000);
    const bedrock = await startBedrockSim();
    const { config } = parseConfig({
      pooled: { enabled: false },
      timeouts: { idleMs: 60_000, totalMs: 120_000 },
      keys: [
        {
          id: 'b',
          provider: 'amazon-bedrock',
          name: 'b',
          tier: 'prioritized',
          options: {
            baseUrl: bedrock.url,
            region: bedrock.region,
            auth: 'bearer',
            modelMap: { 'anthropic/claude-sonnet-4.5': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
          },
        },
      ],
    });
    const router = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['b', BEDROCK_TEST_API_KEY]])) });
    try {
      bedrock.enqueue({ text: 'Hello there', holdOpenAfterTrailer: true });
      const t0 = performance.now();
      const o = await router.generate({ model: 'anthropic/claude-sonnet-4.5', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const ms = performance.now() - t0;
      assert.ok(o.ok, JSON.stringify(!o.ok && o.error));
      assert.equal(o.response.choices[0]!.message.content, 'Hello there');
      assert.ok(o.response.usage, 'the usage in metadata was read');
      assert.ok(ms < 5_000, `the answer was held ${Math.round(ms)} ms after metadata`);
    } finally {
      await router.close();
      await bedrock.close();
    }
  });
});
