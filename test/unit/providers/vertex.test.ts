/** google-vertex through the Router: Gemini and Claude behind one service-account token. */
import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatChunk, ChatMessage } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { timeoutsSchema } from '../../../src/core/config/schema';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { MapSecretSource } from '../../../src/core/ports';
import { Adapters } from '../../../src/core/providers/registry';
import type { AdapterCall } from '../../../src/core/providers/types';
import { validateKey } from '../../../src/core/providers/validate';
import { vertexGeminiModelUrl } from '../../../src/core/providers/vertex';
import { ServiceAccountTokens } from '../../../src/core/providers/vertex/auth';
import { Router } from '../../../src/core/routing/router';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';
import { forwardTo, makeServiceAccount, startVertexSim, type VertexSim } from '../../../src/sim/vertex';

const FLASH = 'google/gemini-2.5-flash';
const PRO3 = 'google/gemini-3-pro-preview';
const CLAUDE = 'anthropic/claude-sonnet-4.5';
const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('Google Vertex through the router', () => {
  const main = makeServiceAccount({ project_id: 'proj-main' });
  const backup = makeServiceAccount({ project_id: 'proj-backup' });
  let sim: VertexSim;
  let claude: AnthropicSim;
  let tokens: ServiceAccountTokens;
  let routers: Router[] = [];
  const http = new UndiciHttpClient();

  before(async () => {
    claude = await startAnthropicSim();
    sim = await startVertexSim({
      accounts: [main.public, backup.public],
      projects: ['proj-main', 'proj-backup', 'proj-override'],
      expressKeys: ['AQ.express-key-0001'],
      claude: forwardTo(claude.url),
    });
  });
  after(async () => {
    await Promise.all([sim.close(), claude.close(), http.close()]);
  });
  beforeEach(() => {
    for (const s of [sim, claude]) {
      s.requests.length = 0;
      s.setDefault({});
    }
    sim.tokenExchanges = 0;
    sim.tokenDelayMs = 0;
    sim.tokenFaults.length = 0;
    // A fresh token cache per test, so exchanges can be counted.
    tokens = new ServiceAccountTokens();
  });
  afterEach(async () => {
    assert.equal(sim.queued(), 0, 'every queued script was used');
    assert.deepEqual(sim.handlerErrors, []);
    assert.deepEqual(claude.handlerErrors, []);
    await Promise.all(routers.map((r) => r.close()));
    routers = [];
  });

  function router(opts: { keys?: number; region?: string; project?: string; secrets?: [string, string][] } = {}) {
    const options = (extra: Record<string, unknown> = {}) => ({
      baseUrl: sim.url,
      tokenUrl: sim.tokenUrl,
      region: opts.region ?? 'us-central1',
      ...(opts.project ? { project: opts.project } : {}),
      ...extra,
    });
    const keys = [
      { id: 'v1', provider: 'google-vertex', name: 'vertex-main', tier: 'prioritized', options: options() },
      { id: 'v2', provider: 'google-vertex', name: 'vertex-backup', tier: 'prioritized', options: options() },
    ].slice(0, opts.keys ?? 1);
    const { config, diagnostics } = parseConfig({ keys, pooled: { enabled: false } });
    assert.deepEqual(diagnostics, []);
    const secrets = new MapSecretSource(
      new Map(
        opts.secrets ?? [
          ['v1', JSON.stringify(main.json)],
          ['v2', JSON.stringify(backup.json)],
        ],
      ),
    );
    const r = new Router({ config, catalog: bundledCatalog(), secrets, adapters: new Adapters({ state: { tokens } }) });
    routers.push(r);
    return r;
  }

  it("calls the regional Gemini path of the service account's project with its Bearer token, exchanging it once", async () => {
    const r = router();
    for (let i = 0; i < 2; i++) {
      const o = await r.generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      assert.equal(o.response.choices[0]!.message.content, 'Hello from vertex gemini-2.5-flash');
    }
    const predicts = sim.requests.filter((q) => q.path !== '/token');
    assert.deepEqual(
      predicts.map((q) => q.path),
      Array(2).fill('/v1/projects/proj-main/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent'),
    );
    assert.equal(sim.issuedTokens.get(predicts[0]!.headers.authorization!.replace('Bearer ', '')), main.json.client_email);
    assert.equal(predicts[0]!.headers['x-goog-api-key'], undefined);
    assert.equal(sim.tokenExchanges, 1);
  });

  it("uses options.project over the account's project_id", async () => {
    const o = await router({ project: 'proj-override' }).generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.match(sim.requests.at(-1)!.path, /^\/v1\/projects\/proj-override\/locations\/us-central1\//);
  });

  it('streams Gemini and runs a Gemini 3 tool loop without call ids (Vertex refuses them) and with the signature replayed', async () => {
    const r = router({ region: 'global' });
    const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Oslo?' }];
    sim.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const chunks: ChatChunk[] = [];
    const first = await r.generate({ model: PRO3, stream: true, messages, tools: [weather] }, { onChunk: (c) => chunks.push(c) });
    assert.ok(first.ok, !first.ok ? first.error.message : '');
    assert.ok(chunks.some((c) => c.choices[0]?.delta.tool_calls?.length));
    const predict = sim.requests.find((q) => q.path !== '/token')!;
    assert.equal(predict.path, '/v1/projects/proj-main/locations/global/publishers/google/models/gemini-3-pro-preview:streamGenerateContent');
    assert.equal(predict.query.alt, 'sse');

    const call = first.response.choices[0]!.message.tool_calls![0]!;
    messages.push({ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny' });
    sim.enqueue({ text: 'Sunny.' });
    const second = await r.generate({ model: PRO3, stream: true, messages, tools: [weather] });
    assert.ok(second.ok, !second.ok ? second.error.message : '');
    const contents = (sim.requests.at(-1)!.json as any).contents;
    assert.deepEqual(contents[1].parts[0].functionCall, { name: 'get_weather', args: { city: 'Oslo' } });
    assert.equal(contents[1].parts[0].thoughtSignature, [...sim.issuedSignatures.keys()][0]);
    assert.deepEqual(contents[2].parts[0].functionResponse, { name: 'get_weather', response: { output: 'sunny' } });
  });

  it('serves ten concurrent requests with exactly one token exchange', async () => {
    sim.tokenDelayMs = 100;
    const r = router();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => r.generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] })));
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(sim.tokenExchanges, 1);
    assert.equal(new Set(sim.requests.filter((q) => q.path !== '/token').map((q) => q.headers.authorization)).size, 1);
  });

  it('dispatches Claude to rawPredict with the same token, in the Anthropic wire format', async () => {
    const r = router();
    const o = await r.generate({ model: CLAUDE, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.equal(o.response.choices[0]!.message.content, 'Hello from the Claude simulator.');
    const sent = claude.requests[0]!;
    assert.equal(sent.path, '/v1/projects/proj-main/locations/us-central1/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict');
    assert.equal((sent.json as any).anthropic_version, 'vertex-2023-10-16');
    assert.equal((sent.json as any).model, undefined);

    const chunks: ChatChunk[] = [];
    const s = await r.generate({ model: CLAUDE, stream: true, messages: [{ role: 'user', content: 'Hi' }] }, { onChunk: (c) => chunks.push(c) });
    assert.ok(s.ok, !s.ok ? s.error.message : '');
    assert.match(claude.requests[1]!.path, /:streamRawPredict$/);
    assert.ok(chunks.some((c) => c.choices[0]?.delta.content));
    assert.equal(sim.tokenExchanges, 1, 'Gemini and Claude share the token');
  });

  it('classifies an Anthropic error body from Claude on Vertex with the Anthropic rules', async () => {
    claude.enqueue(claude.errors.overloaded());
    const o = await router({ keys: 2 }).generate({ model: CLAUDE, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    assert.equal(o.record.attempts[0]!.errorKind, 'rate_limited');
    assert.match(o.record.attempts[0]!.message!, /overloaded_error/);
  });

  it('treats a refused token exchange as a broken key and falls back to the next', async () => {
    const stranger = makeServiceAccount({ client_email: main.json.client_email, project_id: 'proj-main' });
    const o = await router({
      keys: 2,
      secrets: [
        ['v1', JSON.stringify(stranger.json)],
        ['v2', JSON.stringify(backup.json)],
      ],
    }).generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    const a = o.record.attempts[0]!;
    assert.equal(a.errorKind, 'auth');
    assert.equal(a.status, 400);
    assert.match(a.message!, /token endpoint answered HTTP 400: invalid_grant/);
    assert.ok(!JSON.stringify(o.record).includes('PRIVATE KEY'), 'no key material in the record');
    assert.match(sim.requests.at(-1)!.path, /^\/v1\/projects\/proj-backup\//);
  });

  it('forgets cached tokens when Vertex answers 401, so the next request exchanges a fresh one', async () => {
    const r = router({ keys: 2 });
    assert.ok((await r.generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] })).ok);
    sim.revokeTokens();
    const o = await r.generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(o.record.attempts[0]!.errorKind, 'auth');
    assert.equal(o.record.attempts[0]!.status, 401);
    assert.ok(o.ok, 'the backup key got a token of its own and served');
    assert.equal(sim.tokenExchanges, 2);
    // A router without the key's cooldown: the main account's revoked token is not reused.
    const again = await router().generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(again.ok, !again.ok ? again.error.message : '');
    assert.equal(sim.tokenExchanges, 3);
  });

  it("classifies Vertex's 429 RESOURCE_EXHAUSTED as rate limited and a missing project as a broken key", async () => {
    sim.enqueue(sim.errors.resourceExhausted());
    const o = await router({ keys: 2 }).generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(o.record.attempts[0]!.errorKind, 'rate_limited');
    assert.ok(o.ok);

    const { project_id: _drop, ...noProject } = main.json;
    const p = await router({ secrets: [['v1', JSON.stringify(noProject)]] }).generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(!p.ok);
    assert.equal(p.record.attempts[0]!.errorKind, 'auth');
    assert.match(p.record.attempts[0]!.message!, /options\.project/);
  });

  it('answers a project the account may not use with 403, which is an auth failure', async () => {
    const o = await router({ project: 'proj-elsewhere' }).generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(!o.ok);
    assert.equal(o.record.attempts[0]!.errorKind, 'auth');
    assert.match(o.record.attempts[0]!.message!, /PERMISSION_DENIED: Permission 'aiplatform.endpoints.predict' denied/);
  });

  it('reaches Gemini in express mode with a Vertex API key instead of a service account', async () => {
    const o = await router({ secrets: [['v1', 'AQ.express-key-0001']] }).generate({ model: FLASH, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(o.ok, !o.ok ? o.error.message : '');
    const sent = sim.requests.at(-1)!;
    assert.equal(sent.path, '/v1/publishers/google/models/gemini-2.5-flash:generateContent');
    assert.equal(sent.headers['x-goog-api-key'], 'AQ.express-key-0001');
    assert.equal(sim.tokenExchanges, 0);
  });

  it('checks a key with a token exchange and a free countTokens', async () => {
    const deps = { http, timeouts: timeoutsSchema.parse({}) };
    const options = { baseUrl: sim.url, tokenUrl: sim.tokenUrl, region: 'us-central1' };
    const good = await validateKey({ provider: 'google-vertex', options, name: 'vertex-main' }, JSON.stringify(main.json), deps);
    assert.equal(good.verdict, 'ok', good.message);
    assert.equal(sim.requests.at(-1)!.path, '/v1/projects/proj-main/locations/us-central1/publishers/google/models/gemini-2.5-flash:countTokens');
    const stranger = makeServiceAccount({ client_email: main.json.client_email });
    const bad = await validateKey({ provider: 'google-vertex', options, name: 'vertex-main' }, JSON.stringify(stranger.json), deps);
    assert.equal(bad.verdict, 'auth', bad.message);
  });

  it('is refused by the Vertex simulator, as by Vertex, when a function call carries an id', async () => {
    const token = await tokens.token(JSON.parse(JSON.stringify(main.json)), sim.tokenUrl, http);
    const res = await fetch(`${sim.url}/v1/projects/proj-main/locations/global/publishers/google/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        contents: [
          { role: 'user', parts: [{ text: 'hi' }] },
          { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'f', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 1 } } }] },
        ],
      }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Unknown name \\"id\\" at 'contents\[1\]\.parts\[0\]\.function_call'/);
  });

  it("builds Google's hosts from the region: regional, global and the us/eu multi-regions", () => {
    const at = (region: string): AdapterCall => ({
      provider: 'google-vertex',
      request: { model: FLASH, messages: [{ role: 'user', content: 'x' }] },
      nativeModel: 'gemini-2.5-flash',
      secret: JSON.stringify(main.json),
      stream: false,
      options: { region },
    });
    assert.equal(
      vertexGeminiModelUrl(at('europe-west4'), 'm:generateContent'),
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/proj-main/locations/europe-west4/publishers/google/models/m:generateContent',
    );
    assert.equal(
      vertexGeminiModelUrl(at('global'), 'm:generateContent'),
      'https://aiplatform.googleapis.com/v1/projects/proj-main/locations/global/publishers/google/models/m:generateContent',
    );
    assert.equal(
      vertexGeminiModelUrl(at('eu'), 'm:generateContent'),
      'https://aiplatform.eu.rep.googleapis.com/v1/projects/proj-main/locations/eu/publishers/google/models/m:generateContent',
    );
  });
});
