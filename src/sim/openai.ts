/**
 * Loopback simulator for the OpenAI-compatible providers: hand-written flavors (OpenAI, Mistral,
 * Groq, xAI, DeepSeek, Together, Fireworks, Cerebras, Perplexity, Azure OpenAI, OpenRouter) and
 * the data profiles of openai-profiles.ts (AI21, Cohere, Z.ai, … — one fixture each).
 *
 *   const sim = await startOpenAISim({ flavor: 'mistral', validKeys: ['k1'] });
 *   sim.enqueue(sim.errors.rateLimited(2), { text: ['Hel', 'lo'] });
 *   // point the adapter at sim.baseUrl …
 *   await sim.close();
 *
 * Routes (any path prefix, so every provider's base URL works): POST …/chat/completions,
 * Azure's dated POST /openai/deployments/<dep>/chat/completions?api-version=…, GET …/models
 * (none for Perplexity), OpenRouter GET /api/v1/key, xAI GET /v1/api-key, DeepSeek GET /user/balance.
 * A profiled provider answers only at its real paths: POST <basePath>/chat/completions and its
 * key-check route, so a wrong base URL fails as it would against the real host.
 */
import { idSequence, startSimServer, type SimExchange, type SimServer, type SimServerOptions } from './server';
import { buildAnswer, completionBody, streamPlan } from './openai-wire';
import { errorBody, errorScripts, unauthorized, validateChat, type OpenAIErrorScripts } from './openai-errors';
import { FLAVOR_SPECS, defaultAnswerText, maskKey, type Flavor } from './openai-flavors';
import { profileOf } from './openai-profiles';

export { ALL_FLAVORS, FLAVORS, PROFILE_FLAVORS, defaultAnswerText, type Flavor } from './openai-flavors';
export { PROFILES, type ProviderProfile, type RetryAfterForm } from './openai-profiles';
export type { OpenAIErrorScripts } from './openai-errors';
export type { RecordedRequest, Script } from './server';

export interface OpenAISimOptions extends SimServerOptions {
  flavor: Flavor;
  /** Keys that authenticate. Empty (the default) accepts any non-empty key. */
  validKeys?: Iterable<string>;
  /** Served by GET …/models; defaults to a few real ids of the flavor. */
  models?: string[];
  /** Azure deployment names that exist. Empty (the default) accepts any. */
  deployments?: Iterable<string>;
}

export interface OpenAISimExtras {
  readonly flavor: Flavor;
  /** Mutable: add or delete keys mid-test to model revocation. */
  readonly validKeys: Set<string>;
  readonly deployments: Set<string>;
  models: string[];
  /** Merged into the OpenRouter /key and xAI /api-key answers (e.g. `{ limit_remaining: 0 }`). */
  keyInfo: Record<string, unknown>;
  /** `url` plus the provider's real base path (`/v1`, `/openai/v1`, `/api/v1`, …). */
  readonly baseUrl: string;
  /** Script builders in this flavor's error shapes: `sim.enqueue(sim.errors.rateLimited(2))`. */
  readonly errors: OpenAIErrorScripts;
  /** The key a recorded request presented (Bearer or Azure `api-key`). */
  keyOf(req: { headers: Record<string, string> }): string | undefined;
  /** The default answer for a key: `Hello from <flavor> key …<last 4>`. */
  defaultText(key: string): string;
}

export type OpenAISim = SimServer & OpenAISimExtras;

export async function startOpenAISim(opts: OpenAISimOptions): Promise<OpenAISim> {
  const { flavor } = opts;
  const nextId = idSequence();
  // The handler reads the sim object itself, so tests may reassign `models` or `keyInfo` mid-test.
  const server = await startSimServer((ex) => handle(ex, sim, nextId), opts);
  const extras: OpenAISimExtras = {
    flavor,
    validKeys: new Set(opts.validKeys ?? []),
    deployments: new Set(opts.deployments ?? []),
    models: opts.models ?? [...FLAVOR_SPECS[flavor].models],
    keyInfo: {},
    baseUrl: server.url + FLAVOR_SPECS[flavor].basePath,
    errors: errorScripts(flavor),
    keyOf: (req) => presentedKey(flavor, req.headers),
    defaultText: (key) => defaultAnswerText(flavor, key),
  };
  const sim: OpenAISim = Object.assign(server, extras);
  return sim;
}

type Json = Record<string, unknown>;

function presentedKey(flavor: Flavor, headers: Record<string, string>): string | undefined {
  if ((flavor === 'azure' || profileOf(flavor)?.auth === 'api-key') && headers['api-key']) return headers['api-key'];
  const bearer = /^Bearer\s+(.*)$/i.exec(headers.authorization ?? '');
  return bearer?.[1]?.trim() || undefined;
}

async function handle(ex: SimExchange, ctx: OpenAISim, nextId: (prefix: string) => string): Promise<void> {
  const { flavor } = ctx;
  const { method, path, query } = ex.req;
  const refuse = (status: number, body: unknown) => ex.send(status, body);
  const notFound = () =>
    flavor === 'azure'
      ? refuse(404, { error: { code: '404', message: 'Resource not found' } })
      : refuse(404, errorBody(flavor, 404, { message: `Invalid URL (${method} ${path})` }));

  const route = matchRoute(flavor, method, path);
  if (!route) return notFound();
  // OpenRouter's model list is public; everything else needs a key.
  if (!(route.kind === 'models' && flavor === 'openrouter')) {
    const key = presentedKey(flavor, ex.req.headers);
    if (!key || (ctx.validKeys.size > 0 && !ctx.validKeys.has(key))) {
      const answer = unauthorized(flavor, key);
      return refuse(answer.status!, answer.errorBody);
    }
  }
  // Azure's dated routes, and every Foundry route, are unreachable without api-version.
  if (route.dated && !query['api-version']) return notFound();
  if (profileOf(flavor)?.requiredQuery?.some((q) => !query[q])) return notFound();

  if (route.kind === 'chat') return chat(ex, ctx, nextId, route.deployment);
  const script = await ex.applyScript(); // faults apply to key checks and listings too
  if (!script) return;
  const key = presentedKey(flavor, ex.req.headers) ?? '';
  switch (route.kind) {
    case 'models':
      return ex.send(200, modelsBody(flavor, ctx.models));
    case 'key':
      return ex.send(200, keyInfoBody(flavor, key, ctx.keyInfo));
    case 'profile-check':
      return ex.send(200, profileOf(flavor)!.keyCheck!.body);
    case 'balance':
      return ex.send(200, {
        is_available: true,
        balance_infos: [{ currency: 'USD', total_balance: '10.00', granted_balance: '0.00', topped_up_balance: '10.00' }],
      });
  }
}

interface Route {
  kind: 'chat' | 'models' | 'key' | 'balance' | 'profile-check';
  dated?: boolean;
  deployment?: string;
}

function matchRoute(flavor: Flavor, method: string, path: string): Route | undefined {
  const profile = profileOf(flavor);
  if (profile) {
    if (method === 'POST' && path === `${profile.basePath}/chat/completions`) return { kind: 'chat' };
    if (profile.keyCheck && method === profile.keyCheck.method && path === profile.keyCheck.path) return { kind: 'profile-check' };
    return undefined;
  }
  if (method === 'POST') {
    const dated = flavor === 'azure' ? /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path) : null;
    if (dated) return { kind: 'chat', dated: true, deployment: decodeURIComponent(dated[1]!) };
    return path.endsWith('/chat/completions') ? { kind: 'chat' } : undefined;
  }
  if (method !== 'GET') return undefined;
  if (flavor === 'openrouter' && path === '/api/v1/key') return { kind: 'key' };
  if (flavor === 'xai' && path === '/v1/api-key') return { kind: 'key' };
  if (flavor === 'deepseek' && path === '/user/balance') return { kind: 'balance' };
  if (flavor === 'azure' && path === '/openai/models') return { kind: 'models', dated: true };
  if (flavor !== 'perplexity' && path.endsWith('/models')) return { kind: 'models' };
  return undefined;
}

async function chat(ex: SimExchange, ctx: OpenAISim, nextId: (prefix: string) => string, datedDeployment: string | undefined): Promise<void> {
  const { flavor } = ctx;
  const refusal = validateChat(flavor, ex.req.json);
  if (refusal) return ex.send(refusal.status, refusal.body);
  const request = ex.req.json as Json;
  const model = datedDeployment ?? (typeof request.model === 'string' ? request.model : FLAVOR_SPECS[flavor].models[0]!);
  if (flavor === 'azure' && ctx.deployments.size > 0 && !ctx.deployments.has(model)) {
    const answer = ctx.errors.deploymentNotFound(model);
    return ex.send(answer.status!, answer.errorBody);
  }

  const script = await ex.applyScript();
  if (!script) return;
  const key = presentedKey(flavor, ex.req.headers) ?? '';
  const answer = buildAnswer({ flavor, script, request, model, defaultText: ctx.defaultText(key), nextId });
  if (request.stream === true) return ex.stream(streamPlan(flavor, answer, request, script));
  const body = completionBody(flavor, answer);
  if (flavor === 'deepseek' && script.keepAliveComments) {
    // DeepSeek keeps a queued non-streaming request alive with blank lines before the JSON.
    return ex.send(200, '\n'.repeat(script.keepAliveComments) + JSON.stringify(body), { 'content-type': 'application/json' });
  }
  return ex.send(200, body, { 'x-request-id': `req_${answer.id}` });
}

function modelsBody(flavor: Flavor, models: string[]): unknown {
  const created = 1_700_000_000;
  switch (flavor) {
    case 'together': // a bare array, not a list object
      return models.map((id) => ({ id, object: 'model', created, type: 'chat', display_name: id, organization: 'Sim', context_length: 131072 }));
    case 'openrouter':
      return {
        data: models.map((id) => ({
          id,
          name: id,
          created,
          context_length: 128000,
          architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
          pricing: { prompt: '0.000001', completion: '0.000002' },
          top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: false },
          supported_parameters: ['max_tokens', 'temperature', 'tools', 'tool_choice', 'stop'],
        })),
      };
    case 'mistral':
      return {
        object: 'list',
        data: models.map((id) => ({
          id,
          object: 'model',
          created,
          owned_by: 'mistralai',
          capabilities: { completion_chat: true, function_calling: true, vision: false },
          max_context_length: 131072,
        })),
      };
    case 'groq':
      return { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'Sim', active: true, context_window: 131072 })) };
    default:
      return {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created, owned_by: flavor === 'openai' || flavor === 'azure' ? 'system' : flavor })),
      };
  }
}

function keyInfoBody(flavor: Flavor, key: string, extra: Record<string, unknown>): unknown {
  if (flavor === 'xai') {
    return {
      redacted_api_key: maskKey(key),
      user_id: 'sim-user',
      name: 'sim key',
      create_time: '2026-01-01T00:00:00Z',
      modify_time: '2026-01-01T00:00:00Z',
      modified_by: 'sim-user',
      team_id: 'sim-team',
      acls: ['api-key:model:*', 'api-key:endpoint:*'],
      api_key_id: 'sim-key-id',
      team_blocked: false,
      api_key_blocked: false,
      api_key_disabled: false,
      ...extra,
    };
  }
  return {
    data: {
      label: `sk-or-v1-${maskKey(key)}`,
      limit: null,
      limit_reset: null,
      limit_remaining: null,
      include_byok_in_limit: false,
      usage: 0,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      is_free_tier: false,
      ...extra,
    },
  };
}
