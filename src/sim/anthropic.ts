/**
 * Loopback simulator for Claude: the Anthropic Messages API and Claude on Vertex AI.
 *
 *   const sim = await startAnthropicSim({ validKeys: ['sk-ant-1'] });
 *   sim.enqueue(sim.errors.overloaded(), { text: 'Hello', toolCalls: [{ name: 'f', arguments: {} }] });
 *   // point the adapter at sim.baseUrl …
 *   await sim.close();
 *
 * Routes: POST /v1/messages and GET /v1/models (x-api-key + anthropic-version), and Vertex's
 * POST /v1/projects/{p}/locations/{l}/publishers/anthropic/models/{m}:rawPredict|:streamRawPredict
 * (Bearer token, `anthropic_version` in the body, no `model`). Requests are validated the way the
 * real API refuses them (per Anthropic's Messages documentation), so a passing test proves the translation: missing
 * max_tokens, broken alternation, orphan tool results, unsigned or missing thinking replay, fields
 * the API does not know. Error wording follows Anthropic's where it is quoted in public threads.
 */
import { createHash } from 'node:crypto';
import { splitArguments, splitDeltas } from './openai-wire';
import { idSequence, sse, startSimServer, type Frame, type Script, type SimExchange, type SimServer, type SimServerOptions, type StreamPlan } from './server';
import { simPromptTokens } from './tokens';

export interface AnthropicSimOptions extends SimServerOptions {
  /** x-api-keys that authenticate. Empty (the default) accepts any non-empty key. */
  validKeys?: Iterable<string>;
  /** Vertex Bearer tokens that authenticate. Empty (the default) accepts any non-empty token. */
  validTokens?: Iterable<string>;
  models?: string[];
}

export interface AnthropicSimExtras {
  readonly validKeys: Set<string>;
  readonly validTokens: Set<string>;
  models: string[];
  /** The base URL a key's `options.baseUrl` takes (no `/v1`; the adapter adds it). */
  readonly baseUrl: string;
  readonly errors: AnthropicErrorScripts;
  /** The signature the sim gives a thinking text; a replayed block must carry it unchanged. */
  signature(thinking: string): string;
  /** Prompt prefixes cached so far (by hash): a request whose last breakpoint closes one reads it from the cache. */
  readonly promptCache: Set<string>;
}

export type AnthropicSim = SimServer & AnthropicSimExtras;

type Json = Record<string, any>;

export const DEFAULT_TEXT = 'Hello from the Claude simulator.';
const VERTEX_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;

export async function startAnthropicSim(opts: AnthropicSimOptions = {}): Promise<AnthropicSim> {
  const nextId = idSequence();
  const server = await startSimServer((ex) => handle(ex, sim, nextId), opts);
  const extras: AnthropicSimExtras = {
    validKeys: new Set(opts.validKeys ?? []),
    validTokens: new Set(opts.validTokens ?? []),
    models: opts.models ?? ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5'],
    baseUrl: server.url,
    errors: errorScripts,
    signature,
    promptCache: new Set(),
  };
  const sim: AnthropicSim = Object.assign(server, extras);
  return sim;
}

function signature(thinking: string): string {
  return createHash('sha256').update(`sim-thinking:${thinking}`).digest('base64');
}

// ---------------------------------------------------------------- errors

function anthropicError(type: string, message: string, extra: Json = {}): Json {
  return { type: 'error', error: { type, message, ...extra }, request_id: 'req_011CSimRequest0000000001' };
}

function fail(status: number, type: string, message: string, headers: Record<string, string> = {}, extra: Json = {}): Script {
  return { status, headers: { 'request-id': 'req_011CSimRequest0000000001', ...headers }, errorBody: anthropicError(type, message, extra) };
}

/** Anthropic's rate-limit headers: every limit's reset, and remaining 0 on the exhausted one. */
export function rateLimitHeaders(resetAt: Date, exhausted: 'requests' | 'tokens' | 'input-tokens' | 'output-tokens' = 'requests'): Record<string, string> {
  const h: Record<string, string> = {};
  for (const limit of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    h[`anthropic-ratelimit-${limit}-limit`] = limit === 'requests' ? '50' : '40000';
    h[`anthropic-ratelimit-${limit}-remaining`] = limit === exhausted ? '0' : limit === 'requests' ? '49' : '39000';
    // Limits that are not exhausted reset sooner; the adapter must wait for the exhausted one.
    h[`anthropic-ratelimit-${limit}-reset`] = new Date(resetAt.getTime() - (limit === exhausted ? 0 : 30_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return h;
}

export const errorScripts = {
  /** 529: Anthropic's capacity is short; no Retry-After unless given. */
  overloaded: (retryAfterSeconds?: number): Script =>
    fail(529, 'overloaded_error', 'Overloaded', retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  /** 429 with `retry-after` (when given) and the anthropic-ratelimit-* headers resetting at `resetAt`. */
  rateLimited: (o: { retryAfterSeconds?: number; resetAt?: Date; exhausted?: 'requests' | 'tokens' | 'input-tokens' | 'output-tokens' } = {}): Script =>
    fail(
      429,
      'rate_limit_error',
      'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.',
      {
        ...(o.resetAt ? rateLimitHeaders(o.resetAt, o.exhausted) : {}),
        ...(o.retryAfterSeconds === undefined ? {} : { 'retry-after': String(o.retryAfterSeconds) }),
      },
    ),
  spendLimit: (): Script =>
    fail(
      429,
      'rate_limit_error',
      'You have reached your specified workspace API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.',
      {},
      { details: { error_code: 'enforced_spend_limit_reached' } },
    ),
  creditTooLow: (): Script =>
    fail(
      400,
      'invalid_request_error',
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    ),
  unauthorized: (): Script => ({ status: 401, errorBody: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } }),
  permissionDenied: (): Script => fail(403, 'permission_error', 'Your API key does not have permission to use the specified resource.'),
  invalidRequest: (message = 'messages: at least one message is required'): Script => fail(400, 'invalid_request_error', message),
  notFound: (model = 'claude-nonexistent'): Script => fail(404, 'not_found_error', `model: ${model}`),
  tooLarge: (): Script => fail(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'),
  serverError: (): Script => fail(500, 'api_error', 'Internal server error'),
  timeout: (): Script => fail(504, 'timeout_error', 'Request timeout'),
  /** Google's front end answers Vertex auth and quota failures in its own shape. */
  vertexQuota: (): Script => ({
    status: 429,
    errorBody: {
      error: {
        code: 429,
        message:
          'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-claude-sonnet-4-5. Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.',
        status: 'RESOURCE_EXHAUSTED',
      },
    },
  }),
  vertexPermissionDenied: (): Script => ({
    status: 403,
    errorBody: {
      error: {
        code: 403,
        message:
          "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/sim-project/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929' (or it may not exist).",
        status: 'PERMISSION_DENIED',
      },
    },
  }),
};

export type AnthropicErrorScripts = typeof errorScripts;

const VERTEX_UNAUTHENTICATED = {
  error: {
    code: 401,
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    status: 'UNAUTHENTICATED',
  },
};

// ---------------------------------------------------------------- routing

async function handle(ex: SimExchange, ctx: AnthropicSim, nextId: (prefix: string) => string): Promise<void> {
  const { method, path, headers } = ex.req;
  const vertex = method === 'POST' ? VERTEX_PATH.exec(path) : null;
  if (vertex) {
    const token = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
    if (!token || (ctx.validTokens.size > 0 && !ctx.validTokens.has(token))) return ex.send(401, VERTEX_UNAUTHENTICATED);
    return messages(ex, ctx, nextId, { model: decodeURIComponent(vertex[3]!), stream: vertex[4] === 'streamRawPredict' });
  }
  const known = (method === 'POST' && path === '/v1/messages') || (method === 'GET' && path === '/v1/models');
  if (!known) return ex.send(404, anthropicError('not_found_error', 'Not found'));
  const key = headers['x-api-key'];
  if (!key || (ctx.validKeys.size > 0 && !ctx.validKeys.has(key))) return ex.send(401, errorScripts.unauthorized().errorBody);
  if (!headers['anthropic-version']) return ex.send(400, anthropicError('invalid_request_error', 'anthropic-version: header is required'));
  if (method === 'GET') {
    const script = await ex.applyScript();
    if (!script) return;
    const data = ctx.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' }));
    return ex.send(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
  }
  return messages(ex, ctx, nextId);
}

async function messages(ex: SimExchange, ctx: AnthropicSim, nextId: (prefix: string) => string, vertex?: { model: string; stream: boolean }): Promise<void> {
  const refusal = validate(ex.req.json, vertex);
  if (refusal) return ex.send(400, anthropicError('invalid_request_error', refusal));
  const body = ex.req.json as Json;
  const script = await ex.applyScript();
  if (!script) return;
  const answer = buildAnswer(script, body, vertex?.model ?? body.model, nextId, ctx.promptCache);
  if (body.stream === true) return ex.stream(streamPlan(answer, script));
  return ex.send(200, messageBody(answer), { 'request-id': `req_${answer.id}` });
}

// ---------------------------------------------------------------- validation

const TOP_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
]);
const BLOCKS: Record<string, Set<string>> = {
  user: new Set(['text', 'image', 'document', 'tool_result', 'search_result']),
  assistant: new Set(['text', 'tool_use', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result']),
};
const MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first reason the real API would refuse this body, or undefined. */
export function validate(json: unknown, vertex?: { stream: boolean }): string | undefined {
  if (!isObject(json)) return 'There was an error parsing the body of your request.';
  const allowed = vertex ? new Set([...TOP_FIELDS, 'anthropic_version']) : TOP_FIELDS;
  const extra = Object.keys(json).find((k) => !allowed.has(k));
  if (extra === 'model' && vertex) return 'model: Extra inputs are not permitted (Vertex names the model in the URL)';
  if (extra) return `${extra}: Extra inputs are not permitted`;
  if (vertex) {
    if (json.anthropic_version !== 'vertex-2023-10-16') return "anthropic_version: Input should be 'vertex-2023-10-16'";
    if (vertex.stream && json.stream !== true) return 'stream: streamRawPredict requires "stream": true';
  } else if (typeof json.model !== 'string' || !json.model) return 'model: Field required';
  if (json.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(json.max_tokens) || json.max_tokens < 1) return 'max_tokens: Input should be a valid integer greater than or equal to 1';
  if (json.temperature !== undefined && (typeof json.temperature !== 'number' || json.temperature < 0 || json.temperature > 1)) {
    return 'temperature: Input should be less than or equal to 1';
  }
  if (json.system !== undefined && typeof json.system !== 'string') {
    if (!Array.isArray(json.system) || json.system.some((b: Json) => b?.type !== 'text' || typeof b.text !== 'string' || !b.text)) {
      return 'system: Input should be a valid string or a list of non-empty text blocks';
    }
  }
  if (
    json.stop_sequences !== undefined &&
    (!Array.isArray(json.stop_sequences) || json.stop_sequences.some((s: unknown) => typeof s !== 'string' || !s.trim()))
  ) {
    return 'stop_sequences: each stop sequence must be a string containing non-whitespace';
  }
  return validateTools(json) ?? validateThinking(json) ?? validateCacheControl(json) ?? validateMessages(json);
}

/** Every block of the prompt in Anthropic's caching order: tools, then system, then messages (tool_result contents inside). */
function promptBlocks(json: Json): Json[] {
  const out: Json[] = [];
  for (const t of Array.isArray(json.tools) ? json.tools : []) out.push(t);
  for (const b of Array.isArray(json.system) ? json.system : typeof json.system === 'string' ? [{ type: 'text', text: json.system }] : []) out.push(b);
  for (const m of Array.isArray(json.messages) ? json.messages : []) {
    for (const b of typeof m?.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m?.content) ? m.content : []) {
      if (isObject(b) && Array.isArray(b.content))
        for (const inner of b.content) if (isObject(inner) && inner.cache_control) out.push({ ...inner, nested: true });
      out.push(b);
    }
  }
  return out;
}

const MAX_BREAKPOINTS = 4;

function validateCacheControl(json: Json): string | undefined {
  const marked = promptBlocks(json).filter((b) => isObject(b) && b.cache_control !== undefined);
  for (const b of marked) {
    const c = b.cache_control;
    if (!isObject(c) || c.type !== 'ephemeral') return "cache_control: Input tag does not match any of the expected tags: 'ephemeral'";
    if (b.type === 'thinking' || b.type === 'redacted_thinking') return 'cache_control cannot be set on thinking blocks';
  }
  if (marked.length > MAX_BREAKPOINTS) return `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${marked.length}.`;
  return undefined;
}

/**
 * Realistic cache accounting: the prefix up to the last breakpoint is written on first sight and
 * read on every later request that repeats it; the rest is plain input. Four characters a token.
 */
function cacheUsage(request: Json, cache: Set<string>, total: number): { input: number; read: number; write: number } {
  const blocks = promptBlocks(request).filter((b) => !b.nested);
  let last = -1;
  blocks.forEach((b, i) => {
    if (isObject(b) && b.cache_control) last = i;
  });
  if (last < 0) return { input: total, read: 0, write: 0 };
  const prefix = JSON.stringify(blocks.slice(0, last + 1).map(({ cache_control: _c, ...rest }) => rest));
  const tokens = Math.min(total, Math.max(1, Math.ceil(prefix.length / 4)));
  const key = createHash('sha256').update(prefix).digest('hex');
  if (cache.has(key)) return { input: total - tokens, read: tokens, write: 0 };
  cache.add(key);
  return { input: total - tokens, read: 0, write: tokens };
}

function validateTools(json: Json): string | undefined {
  if (json.tools !== undefined) {
    if (!Array.isArray(json.tools)) return 'tools: Input should be a valid list';
    for (const [i, t] of (json.tools as Json[]).entries()) {
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t?.name ?? '')) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      if (!isObject(t.input_schema) || t.input_schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
      const extra = Object.keys(t).find((k) => !['name', 'description', 'input_schema', 'cache_control', 'type'].includes(k));
      if (extra) return `tools.${i}.custom.${extra}: Extra inputs are not permitted`;
    }
  }
  if (json.tool_choice !== undefined) {
    const c = json.tool_choice;
    if (!isObject(c) || !['auto', 'any', 'tool', 'none'].includes(c.type))
      return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'";
    if (c.type === 'tool' && typeof c.name !== 'string') return 'tool_choice.tool.name: Field required';
    if (!Array.isArray(json.tools) || !json.tools.length) return 'tool_choice may only be specified while providing tools';
    if (c.type === 'tool' && !json.tools.some((t: Json) => t.name === c.name)) return `tool_choice: tool "${c.name}" is not among the provided tools`;
  }
  return undefined;
}

function thinkingOn(json: Json): boolean {
  return isObject(json.thinking) && json.thinking.type === 'enabled';
}

function validateThinking(json: Json): string | undefined {
  if (json.thinking === undefined) return undefined;
  const t = json.thinking;
  if (!isObject(t) || !['enabled', 'disabled'].includes(t.type)) return "thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled'";
  if (t.type === 'disabled') return undefined;
  if (!Number.isInteger(t.budget_tokens) || t.budget_tokens < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
  if (t.budget_tokens >= json.max_tokens)
    return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';
  if (json.temperature !== undefined && json.temperature !== 1)
    return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility';
  if (json.top_k !== undefined) return '`top_k` must be unset when thinking is enabled.';
  if (isObject(json.tool_choice) && (json.tool_choice.type === 'any' || json.tool_choice.type === 'tool')) {
    return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  return undefined;
}

function validateBlock(b: unknown, role: string, at: string): string | undefined {
  if (!isObject(b) || typeof b.type !== 'string') return `${at}: Input should be a valid dictionary`;
  if (!BLOCKS[role]!.has(b.type)) return `${at}.type: \`${b.type}\` blocks are not allowed in \`${role}\` messages`;
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' && b.text ? undefined : 'messages: text content blocks must be non-empty';
    case 'image': {
      const s = b.source;
      if (isObject(s) && s.type === 'base64') {
        if (!MEDIA_TYPES.has(s.media_type)) return `${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
        return typeof s.data === 'string' && s.data ? undefined : `${at}.source.base64.data: Field required`;
      }
      if (isObject(s) && s.type === 'url') return /^https?:\/\//.test(s.url ?? '') ? undefined : `${at}.source.url.url: Input should be a valid URL`;
      return `${at}.source: Input tag does not match any of the expected tags: 'base64', 'url', 'file'`;
    }
    case 'tool_use':
      if (typeof b.id !== 'string' || typeof b.name !== 'string') return `${at}.tool_use: id and name are required`;
      return isObject(b.input) ? undefined : `${at}.tool_use.input: Input should be a valid dictionary`;
    case 'tool_result':
      if (typeof b.tool_use_id !== 'string') return `${at}.tool_result.tool_use_id: Field required`;
      if (typeof b.content === 'string' || b.content === undefined) return undefined;
      if (!Array.isArray(b.content)) return `${at}.tool_result.content: Input should be a valid string or list`;
      for (const [k, inner] of (b.content as unknown[]).entries()) {
        if (!isObject(inner) || !['text', 'image'].includes(inner.type as string)) return `${at}.tool_result.content.${k}: expected a text or image block`;
        const bad = validateBlock(inner, 'user', `${at}.content.${k}`);
        if (bad) return bad;
      }
      return undefined;
    case 'thinking':
      return typeof b.thinking === 'string' && typeof b.signature === 'string' ? undefined : `${at}.thinking: thinking and signature are required`;
    default:
      return undefined;
  }
}

function validateMessages(json: Json): string | undefined {
  const msgs = json.messages;
  if (!Array.isArray(msgs)) return 'messages: Field required';
  if (!msgs.length) return 'messages: at least one message is required';
  const blocksOf = (m: Json): Json[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content);
  for (const [i, m] of (msgs as Json[]).entries()) {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== 'user') return 'messages: first message must use the "user" role';
    if (i > 0 && msgs[i - 1].role === m.role)
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    if (typeof m.content === 'string' ? !m.content : !Array.isArray(m.content) || !m.content.length)
      return `messages.${i}.content: content must be a non-empty string or list`;
    const blocks = blocksOf(m);
    for (const [j, b] of blocks.entries()) {
      const bad = validateBlock(b, m.role, `messages.${i}.content.${j}`);
      if (bad) return bad;
    }
    if (m.role === 'user') {
      const prev = i > 0 ? blocksOf(msgs[i - 1]) : [];
      const uses = new Set(prev.filter((b) => b.type === 'tool_use').map((b) => b.id));
      const results = blocks.filter((b) => b.type === 'tool_result');
      const orphan = results.find((b) => !uses.has(b.tool_use_id));
      if (orphan) {
        return `messages.${i}.content.${blocks.indexOf(orphan)}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${orphan.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
      const firstOther = blocks.findIndex((b) => b.type !== 'tool_result');
      if (firstOther >= 0 && blocks.slice(firstOther).some((b) => b.type === 'tool_result')) {
        return `messages.${i}.content: \`tool_result\` blocks must come before any other content in a user message`;
      }
    }
    if (m.role === 'assistant') {
      const uses = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id as string);
      const next = msgs[i + 1] as Json | undefined;
      const answered = new Set(
        next
          ? blocksOf(next)
              .filter((b) => b.type === 'tool_result')
              .map((b) => b.tool_use_id)
          : [],
      );
      const missing = next ? uses.filter((id) => !answered.has(id)) : [];
      if (missing.length) {
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
      for (const [j, b] of blocks.entries()) {
        if (b.type === 'thinking' && b.signature !== signature(b.thinking)) return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
      }
    }
  }
  return thinkingOn(json) ? validateThinkingReplay(msgs as Json[], blocksOf) : undefined;
}

/** With thinking on, the assistant turn of the current tool loop must open with its thinking. */
function validateThinkingReplay(msgs: Json[], blocksOf: (m: Json) => Json[]): string | undefined {
  const last = msgs[msgs.length - 1]!;
  if (last.role !== 'user' || !blocksOf(last).some((b) => b.type === 'tool_result')) return undefined;
  const i = msgs.length - 2;
  const first = blocksOf(msgs[i]!)[0]!;
  if (first.type === 'thinking' || first.type === 'redacted_thinking') return undefined;
  return `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`;
}

// ---------------------------------------------------------------- answers

interface Answer {
  id: string;
  model: string;
  thinking: string[];
  text: string[];
  toolCalls: { id: string; name: string; arguments: string }[];
  stopReason: string;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
}

function buildAnswer(script: Script, request: Json, model: string, nextId: (prefix: string) => string, cache: Set<string> = new Set()): Answer {
  const toolCalls = (script.toolCalls ?? []).map((c) => ({
    id: c.id ?? nextId('toolu_'),
    name: c.name,
    arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
  }));
  const text = splitDeltas(script.text ?? (toolCalls.length ? undefined : DEFAULT_TEXT));
  const thinking = splitDeltas(script.reasoning);
  const chars = [...text, ...thinking].join('').length + toolCalls.reduce((n, c) => n + c.arguments.length, 0);
  const u = script.usage as Json | undefined;
  const prompt = script.realisticUsage
    ? simPromptTokens('claude', [...(request.system ? [{ content: request.system }] : []), ...(request.messages ?? [])])
    : Math.max(1, Math.ceil(JSON.stringify(request.messages ?? []).length / 4));
  const cached = cacheUsage(request, cache, u?.prompt_tokens ?? prompt);
  return {
    id: nextId('msg_'),
    model,
    thinking,
    text,
    toolCalls,
    stopReason: script.finishReason ?? (toolCalls.length ? 'tool_use' : 'end_turn'),
    usage: {
      input_tokens:
        u?.cache_creation_input_tokens !== undefined || u?.cache_read_input_tokens !== undefined ? (u?.prompt_tokens ?? cached.input) : cached.input,
      output_tokens: u?.completion_tokens ?? Math.max(1, Math.ceil(chars / 4)),
      cache_creation_input_tokens: u?.cache_creation_input_tokens ?? cached.write,
      cache_read_input_tokens: u?.cache_read_input_tokens ?? cached.read,
    },
  };
}

function contentOf(a: Answer): Json[] {
  const out: Json[] = [];
  if (a.thinking.length) out.push({ type: 'thinking', thinking: a.thinking.join(''), signature: signature(a.thinking.join('')) });
  if (a.text.length) out.push({ type: 'text', text: a.text.join('') });
  for (const c of a.toolCalls) out.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments || '{}') });
  return out;
}

function messageBody(a: Answer): Json {
  return {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: contentOf(a),
    stop_reason: a.stopReason,
    stop_sequence: null,
    usage: { ...a.usage, service_tier: 'standard' },
  };
}

const PING = sse.event('ping', { type: 'ping' });

/** The real event order: message_start, then each block's start/deltas/stop, then message_delta and message_stop. */
function streamPlan(a: Answer, script: Script): StreamPlan {
  const ev = (payload: Json): Frame => sse.event(payload.type, payload);
  const chunks: Frame[] = [
    ev({
      type: 'message_start',
      message: {
        id: a.id,
        type: 'message',
        role: 'assistant',
        model: a.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...a.usage, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  const block = (start: Json, deltas: Json[]) => {
    chunks.push(ev({ type: 'content_block_start', index, content_block: start }));
    if (index === 0) chunks.push(PING); // where the docs' example has it
    for (const delta of deltas) chunks.push(ev({ type: 'content_block_delta', index, delta }));
    chunks.push(ev({ type: 'content_block_stop', index }));
    index++;
  };
  if (a.thinking.length) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...a.thinking.map((t) => ({ type: 'thinking_delta', thinking: t })),
      { type: 'signature_delta', signature: signature(a.thinking.join('')) },
    ]);
  }
  if (a.text.length)
    block(
      { type: 'text', text: '' },
      a.text.map((t) => ({ type: 'text_delta', text: t })),
    );
  for (const c of a.toolCalls) {
    block({ type: 'tool_use', id: c.id, name: c.name, input: {} }, [
      { type: 'input_json_delta', partial_json: '' },
      ...splitArguments(c.arguments).map((f) => ({ type: 'input_json_delta', partial_json: f })),
    ]);
  }
  const e = script.midStreamError;
  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_${a.id}` },
    chunks,
    trailer: [
      ev({ type: 'message_delta', delta: { stop_reason: a.stopReason, stop_sequence: null }, usage: { output_tokens: a.usage.output_tokens } }),
      ev({ type: 'message_stop' }),
    ],
    comment: PING,
    malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unterminated\n\n',
    errorFrames: e
      ? [sse.event('error', { type: 'error', error: { type: (e.errorType as string) ?? 'overloaded_error', message: (e.message as string) ?? 'Overloaded' } })]
      : undefined,
  };
}
