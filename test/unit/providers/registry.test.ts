import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { PROVIDERS } from '../../../src/core/providers/ids';
import { ADAPTER_FACTORIES, Adapters, hasAdapter } from '../../../src/core/providers/registry';
import type { ProviderAdapter } from '../../../src/core/providers/types';
import { Router } from '../../../src/core/routing/router';

describe('Provider adapters per router', () => {
  it('gives two routers in one process separate adapters and separate caches', async () => {
    const { config } = parseConfig({ keys: [], pooled: { enabled: false } });
    const one = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource() });
    const two = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource() });
    try {
      for (const key of ['thinking', 'signatures', 'bedrockReasoning', 'tokens'] as const) {
        assert.notEqual(one.adapters.state[key], two.adapters.state[key], key);
      }
      assert.notEqual(one.adapters.get('anthropic'), two.adapters.get('anthropic'));
      one.adapters.state.signatures.remember('call_1', 'sig-one');
      one.adapters.state.bedrockReasoning.remember(['tooluse_1'], [{ type: 'thinking', thinking: 't', signature: 's' }]);
      assert.equal(one.adapters.state.signatures.get('call_1'), 'sig-one');
      assert.equal(two.adapters.state.signatures.get('call_1'), undefined);
      assert.equal(two.adapters.state.bedrockReasoning.size, 0);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('builds each adapter once per table and serves an injected factory instead of the shipped one', () => {
    const made: string[] = [];
    const fake: ProviderAdapter = { ...new Adapters().get('openai'), family: 'openai-compatible' };
    const adapters = new Adapters({
      factories: {
        openai: (provider) => {
          made.push(provider);
          return fake;
        },
      },
    });
    assert.equal(adapters.get('openai'), fake);
    assert.equal(adapters.get('openai'), fake);
    assert.deepEqual(made, ['openai']);
    assert.notEqual(new Adapters().get('openai'), fake, 'the shipped table is untouched');
  });

  it('has a factory for every provider it claims, and refuses one it does not know', () => {
    for (const p of Object.keys(ADAPTER_FACTORIES)) assert.ok(hasAdapter(p as never), p);
    assert.ok(PROVIDERS.length > 0);
    assert.throws(() => new Adapters().get('no-such-provider' as never), /no adapter for provider "no-such-provider"/);
  });
});
