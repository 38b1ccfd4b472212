/** A local endpoint over a real Router, with every provider family on loopback simulators. */
import assert from 'node:assert/strict';
import type { GenerationRecord } from '../../../src/core/activity/record';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { keyRouteId, pooledRouteId } from '../../../src/core/routing/cooldowns';
import { Router } from '../../../src/core/routing/router';
import { routerBackend } from '../../../src/serve/router-backend';
import { LocalEndpoint, type EndpointOptions } from '../../../src/serve/server';
import { generateToken, TokenTable } from '../../../src/serve/tokens';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';
import { startGeminiSim, type GeminiSim } from '../../../src/sim/gemini';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

export const SECRETS = {
  'oai-dev': 'sk-proj-endpoint-dev-0000d001',
  'oai-prod': 'sk-proj-endpoint-prod-0000p001',
  'ant-dev': 'sk-ant-api03-endpoint-dev-00a1',
  'ant-prod': 'sk-ant-api03-endpoint-prod-0a2',
  gem: 'AIzaSy-endpoint-gemini-000000g1',
};
export const POOLED = { dev: 'sk-or-v1-endpoint-dev-0000or1', prod: 'sk-or-v1-endpoint-prod-000or2' };

export interface Fixture {
  openai: OpenAISim;
  anthropic: AnthropicSim;
  gemini: GeminiSim;
  openrouter: OpenAISim;
  router: Router;
  endpoint: LocalEndpoint;
  tokens: { dev: string; prod: string };
  records: GenerationRecord[];
  logs: string[];
  /** Waits until the record for the nth generation (1-based) is in. */
  recordCount(n: number): Promise<void>;
  resetSims(): void;
  close(): Promise<void>;
}

export async function startFixture(opts: Partial<EndpointOptions> = {}, config: Record<string, unknown> = {}): Promise<Fixture> {
  const [openai, anthropic, gemini, openrouter] = await Promise.all([
    startOpenAISim({ flavor: 'openai' }),
    startAnthropicSim(),
    startGeminiSim(),
    startOpenAISim({ flavor: 'openrouter' }),
  ]);
  const parsed = parseConfig({
    callers: [{ name: 'dev' }, { name: 'prod' }],
    defaultCaller: 'dev',
    pooled: { baseUrl: openrouter.baseUrl },
    // Tests reuse the same short conversations; a sticky route would carry one test's failover into the next.
    stickiness: { ttlMs: 0 },
    keys: [
      { id: 'ant-dev', provider: 'anthropic', name: 'claude dev', tier: 'prioritized', filters: { callers: ['dev'] }, options: { baseUrl: anthropic.baseUrl } },
      {
        id: 'ant-prod',
        provider: 'anthropic',
        name: 'claude prod',
        tier: 'prioritized',
        filters: { callers: ['prod'] },
        options: { baseUrl: anthropic.baseUrl },
      },
      { id: 'oai-dev', provider: 'openai', name: 'openai dev', tier: 'prioritized', filters: { callers: ['dev'] }, options: { baseUrl: openai.baseUrl } },
      { id: 'oai-prod', provider: 'openai', name: 'openai prod', tier: 'prioritized', filters: { callers: ['prod'] }, options: { baseUrl: openai.baseUrl } },
      { id: 'gem', provider: 'google-ai-studio', name: 'gemini', tier: 'prioritized', options: { baseUrl: gemini.baseUrl } },
    ],
    ...config,
  });
  assert.deepEqual(parsed.diagnostics, []);
  const secrets = new MapSecretSource(new Map(Object.entries(SECRETS)), new Map(Object.entries(POOLED)));
  const records: GenerationRecord[] = [];
  const catalog = bundledCatalog();
  const router = new Router({ config: parsed.config, catalog, secrets, sink: { append: (r) => void records.push(r) } });
  const tokens = { dev: generateToken(), prod: generateToken() };
  const table = new TokenTable(tokens);
  const logs: string[] = [];
  const endpoint = new LocalEndpoint({ backend: routerBackend(router), tokens: () => table, catalog: () => catalog, log: (l) => logs.push(l), ...opts });
  await endpoint.start();
  const sims = [openai, anthropic, gemini, openrouter];
  return {
    openai,
    anthropic,
    gemini,
    openrouter,
    router,
    endpoint,
    tokens,
    records,
    logs,
    async recordCount(n) {
      for (let i = 0; i < 200 && records.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(records.length >= n, `expected ${n} activity records, saw ${records.length}`);
    },
    resetSims() {
      for (const s of sims) {
        s.requests.length = 0;
        s.setDefault({});
      }
      records.length = 0;
      logs.length = 0;
      for (const id of Object.keys(SECRETS)) router.cooldowns.recordSuccess(keyRouteId(id));
      for (const c of Object.keys(POOLED)) router.cooldowns.recordSuccess(pooledRouteId(c));
    },
    async close() {
      await endpoint.close();
      await router.close();
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}
