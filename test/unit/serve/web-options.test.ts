import assert from 'node:assert/strict';
import { request } from 'undici';
import type { GenerationRecord } from '../../../src/core/activity/record';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { timeoutsSchema } from '../../../src/core/config/schema';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { routerBackend } from '../../../src/serve/router-backend';
import { LocalEndpoint } from '../../../src/serve/server';
import { TokenTable } from '../../../src/serve/tokens';
import { withWebSearch } from '../../../src/serve/web-backend';
import { startFirecrawlSim, type FirecrawlSim } from '../../../src/sim/firecrawl';
import { startFixture, type Fixture } from './fixture';

const FC = 'fc-endpoint-web-key-0001';

describe('the local endpoint honours OpenRouter web options with the Firecrawl key', () => {
  let f: Fixture;
  let firecrawl: FirecrawlSim;
  let http: UndiciHttpClient;
  let endpoint: LocalEndpoint;
  let key: string | undefined;
  let policy = { byokOnly: false, passToOpenRouter: false };
  const searches: GenerationRecord[] = [];

  before(async () => {
    f = await startFixture();
    firecrawl = await startFirecrawlSim({ validKeys: [FC], credits: 100 });
    http = new UndiciHttpClient();
    const catalog = bundledCatalog();
    endpoint = new LocalEndpoint({
      backend: withWebSearch(routerBackend(f.router), {
        deps: () => ({
          http,
          timeouts: timeoutsSchema.parse({}),
          baseUrl: firecrawl.baseUrl,
          apiKey: async () => key,
          hasKey: async () => !!key,
          sink: { append: (r) => void searches.push(r) },
        }),
        policy: () => policy,
      }),
      tokens: () => new TokenTable(f.tokens),
      catalog: () => catalog,
    });
    await endpoint.start();
  });
  after(async () => {
    await endpoint.close();
    await f.close();
    await firecrawl.close();
    await http.close();
  });
  beforeEach(() => {
    f.resetSims();
    firecrawl.requests.length = 0;
    searches.length = 0;
    key = FC;
    policy = { byokOnly: false, passToOpenRouter: false };
  });

  async function chat(body: Record<string, unknown>) {
    const res = await request(`http://127.0.0.1:${endpoint.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tokens.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'what is new in node 24' }], ...body }),
    });
    return { status: res.statusCode, json: (await res.body.json()) as any };
  }

  it('answers a :online model with the search results as context, served by the user’s own key', async () => {
    const r = await chat({ model: 'openai/gpt-4o-mini:online' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(firecrawl.searches().length, 1);
    assert.equal(firecrawl.searches()[0]!.json.query, 'what is new in node 24');
    const sent = f.openai.requests.at(-1)!.json as { model: string; messages: { role: string; content: string }[] };
    assert.equal(sent.model, 'gpt-4o-mini', 'the :online suffix never reaches the provider');
    assert.equal(sent.messages[0]!.role, 'system');
    assert.match(sent.messages[0]!.content, /\[1\] Node\.js 24\.0\.0 \(Current\)\nURL: https:\/\/nodejs\.org/);
    assert.equal(f.openrouter.requests.length, 0, 'nothing went pooled');
    assert.equal(searches.length, 1);
    assert.equal(searches[0]!.webSearchCredits, 5);
    assert.equal(searches[0]!.surface, 'endpoint:web');
  });

  it('answers plugins: [{id: "web"}] the same way, with its max_results', async () => {
    const r = await chat({ model: 'openai/gpt-4o-mini', plugins: [{ id: 'web', max_results: 1 }] });
    assert.equal(r.status, 200);
    assert.equal(firecrawl.searches()[0]!.json.limit, 1);
    assert.ok(!('plugins' in (f.openai.requests.at(-1)!.json as object)));
  });

  it('refuses with the reason when there is no Firecrawl key and passing it on is off', async () => {
    key = undefined;
    const r = await chat({ model: 'openai/gpt-4o-mini:online' });
    assert.ok(r.status >= 400, `status ${r.status}`);
    assert.match(JSON.stringify(r.json), /no Firecrawl key is set/);
    assert.equal(f.openai.requests.length + f.openrouter.requests.length, 0);
  });

  it('passes :online on to OpenRouter when opted in and there is no key, but never with byokOnly', async () => {
    key = undefined;
    policy = { byokOnly: false, passToOpenRouter: true };
    const r = await chat({ model: 'openai/gpt-4o-mini:online' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal((f.openrouter.requests.at(-1)!.json as { model: string }).model, 'openai/gpt-4o-mini:online');
    const plugin = await chat({ model: 'openai/gpt-4o-mini', plugins: [{ id: 'web', max_results: 2 }] });
    assert.equal(plugin.status, 200, JSON.stringify(plugin.json));
    const passed = f.openrouter.requests.at(-1)!.json as { model: string; plugins: unknown };
    assert.equal(passed.model, 'openai/gpt-4o-mini:online', 'the plugin form goes pooled too, where the option is understood');
    assert.deepEqual(passed.plugins, [{ id: 'web', max_results: 2 }]);
    assert.equal(f.openai.requests.length, 0, 'the user’s own key would have dropped the option');
    policy = { byokOnly: true, passToOpenRouter: true };
    const strict = await chat({ model: 'openai/gpt-4o-mini:online' });
    assert.ok(strict.status >= 400);
    assert.match(JSON.stringify(strict.json), /byokOnly/);
    assert.equal(f.openrouter.requests.length, 2);
  });

  it('reports Firecrawl running out of credits instead of answering without the search', async () => {
    firecrawl.remainingCredits = 0;
    const r = await chat({ model: 'openai/gpt-4o-mini:online' });
    assert.ok(r.status >= 400);
    assert.match(JSON.stringify(r.json), /web search failed: Firecrawl: out of credits/);
    assert.equal(f.openai.requests.length, 0);
  });
});

describe('a web option passed on to OpenRouter never leaves a provider kept on the user’s own keys', () => {
  let f: Fixture;
  let endpoint: LocalEndpoint;
  // No Firecrawl key here, so nothing goes through it; still one client, closed after the tests.
  const searchHttp = new UndiciHttpClient();

  before(async () => {
    f = await startFixture(
      {},
      {
        keys: [
          { id: 'oai-dev', provider: 'openai', name: 'openai dev', tier: 'prioritized', alwaysUse: true, options: { baseUrl: 'http://127.0.0.1:9/v1' } },
          { id: 'gem', provider: 'google-ai-studio', name: 'gemini', tier: 'prioritized', options: { modelMap: { 'acme/house-model': 'gemini-2.5-flash' } } },
        ],
      },
    );
    const catalog = bundledCatalog();
    endpoint = new LocalEndpoint({
      backend: withWebSearch(routerBackend(f.router), {
        deps: () => ({ http: searchHttp, timeouts: timeoutsSchema.parse({}), apiKey: async () => undefined, hasKey: async () => false }),
        policy: () => ({ byokOnly: false, passToOpenRouter: true }),
      }),
      tokens: () => new TokenTable(f.tokens),
      catalog: () => catalog,
    });
    await endpoint.start();
  });
  after(async () => {
    await endpoint.close();
    await f.close();
    await searchHttp.close();
  });

  it('refuses :online for a model whose provider has an Always use key, naming the key', async () => {
    const res = await request(`http://127.0.0.1:${endpoint.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tokens.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini:online', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = JSON.stringify(await res.body.json());
    assert.equal(res.statusCode, 403, body);
    assert.match(body, /Always use on \\"openai dev\\" keeps openai\/gpt-4o-mini on your own keys/);
    assert.equal(f.openrouter.requests.length, 0);
  });

  it('still passes :online on for a model no Always use key covers', async () => {
    const res = await request(`http://127.0.0.1:${endpoint.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tokens.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4:online', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.statusCode, 200, JSON.stringify(await res.body.json()));
    assert.equal((f.openrouter.requests.at(-1)!.json as { model: string }).model, 'anthropic/claude-sonnet-4:online');
  });

  it('lists a slug only a key’s model map serves in GET /v1/models', async () => {
    const res = await request(`http://127.0.0.1:${endpoint.port}/v1/models`, { headers: { authorization: `Bearer ${f.tokens.dev}` } });
    const ids = ((await res.body.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    assert.ok(ids.includes('acme/house-model'), ids.slice(0, 5).join(', '));
    assert.ok(ids.includes('openai/gpt-4o-mini'));
  });
});
