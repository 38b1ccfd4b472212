import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { Router } from '../../../src/core/routing/router';
import { startOpenAISim, type OpenAISim } from '../../sim/openai';

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
});
