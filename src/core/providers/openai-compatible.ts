/**
 * The OpenAI-compatible family as table rows: one row per provider with its base URL, auth header
 * and what it accepts. The body is rebuilt from an allow-list, because "compatible" providers
 * reject fields they don't know (Mistral 422s, Groq and Cerebras 400).
 */
import { drainBriefly, DRAIN_AFTER_END_MS } from '../http/drain';
import { createHash } from 'node:crypto';
import type { ChatChunk, ChatCompletion, ChatMessage, ChatRequest, FinishReason, Usage } from '../chat';
import { routeError, RouteFailure, type ErrorKind, type RouteError } from '../errors';
import type { HttpRequestSpec } from '../http/client';
import type { HeaderBag } from '../http/retry-after';
import { parseJsonFrame, SseDecoder, type SseEvent } from '../http/sse';
import type { Limits } from '../config/schema';
import { classifyHttpError, kindForStatus } from './classify';
import type { AdapterCall, ProviderAdapter, ProviderState } from './types';
import type { ProviderId } from './ids';
import { fitCompatMessages } from './compat-messages';

/**
 * The cheapest request that proves a key works (`test-keys`):
 * - get/post: a key-info or models endpoint that costs nothing, at `path` under the base URL, or
 *   under the base URL's origin when `fromOrigin` (Cohere's and DeepInfra's live outside it);
 * - chat: a one-token completion with `model`, for providers whose only free endpoints answer
 *   without a key (their models lists are public) or who have none;
 * - none: no request proves the key; it is validated on first use.
 */
export type KeyCheck = { kind: 'get' | 'post'; path: string; fromOrigin?: boolean } | { kind: 'chat'; model: string } | { kind: 'none' };

export interface CompatRow {
  baseUrl: string;
  auth: 'bearer' | 'api-key';
  keyCheck: KeyCheck;
  /** Error codes that mean the account is out of money or quota: a long wait, not a backoff. */
  quotaCodes?: readonly string[];
  /** Request fields the provider accepts besides model/messages/stream. */
  accepts: readonly string[];
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** OpenAI-style opt-in for usage on the last chunk; others send it unasked. */
  streamOptions: boolean;
  tools: boolean;
  /** Mistral wants 9 alphanumerics as tool-call ids. */
  toolIdStyle?: 'alnum9';
  /** Drop `name` on user messages (Mistral 422, Groq 400). */
  dropMessageName?: boolean;
  seedField?: 'random_seed';
  toolChoiceRequired?: 'any';
  /** Send `tool_choice: "auto"` by leaving it out (Cohere's tool_choice knows only required and none). */
  omitToolChoiceAuto?: boolean;
}

const COMMON = ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'user'] as const;
/** What the open-weight hosts (vLLM / SGLang servers behind an OpenAI front) accept. */
const HOSTED = [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs', 'n'] as const;
const MODELS: KeyCheck = { kind: 'get', path: '/models' };

export const COMPAT_ROWS = {
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [
      ...COMMON,
      'parallel_tool_calls',
      'frequency_penalty',
      'presence_penalty',
      'logit_bias',
      'logprobs',
      'top_logprobs',
      'n',
      'reasoning_effort',
      'service_tier',
      'metadata',
      'store',
    ],
    maxTokensField: 'max_completion_tokens',
    streamOptions: true,
    tools: true,
  },
  azure: {
    baseUrl: '', // from the key's resource or baseUrl
    auth: 'api-key',
    keyCheck: MODELS,
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'n', 'reasoning_effort'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: true,
    tools: true,
  },
  mistral: {
    baseUrl: 'https://api.mistral.ai/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [
      'temperature',
      'top_p',
      'stop',
      'tools',
      'tool_choice',
      'response_format',
      'parallel_tool_calls',
      'frequency_penalty',
      'presence_penalty',
      'n',
      'safe_prompt',
      'seed',
    ],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
    toolIdStyle: 'alnum9',
    dropMessageName: true,
    seedField: 'random_seed',
    toolChoiceRequired: 'any',
  },
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'reasoning_effort', 'reasoning_format', 'service_tier'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: false,
    tools: true,
    dropMessageName: true,
  },
  xai: {
    baseUrl: 'https://api.x.ai/v1',
    auth: 'bearer',
    keyCheck: { kind: 'get', path: '/api-key' },
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs', 'n', 'reasoning_effort'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  deepseek: {
    baseUrl: 'https://api.deepseek.com',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  together: {
    baseUrl: 'https://api.together.xyz/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  fireworks: {
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  cerebras: {
    baseUrl: 'https://api.cerebras.ai/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...COMMON, 'logprobs', 'top_logprobs', 'reasoning_effort'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: false,
    tools: true,
  },
  perplexity: {
    baseUrl: 'https://api.perplexity.ai',
    auth: 'bearer',
    keyCheck: { kind: 'none' },
    accepts: [
      'temperature',
      'top_p',
      'frequency_penalty',
      'presence_penalty',
      'response_format',
      'search_domain_filter',
      'search_recency_filter',
      'return_images',
      'return_related_questions',
      'search_mode',
    ],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: false,
  },
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    auth: 'bearer',
    keyCheck: { kind: 'get', path: '/key' },
    accepts: [
      ...COMMON,
      'parallel_tool_calls',
      'frequency_penalty',
      'presence_penalty',
      'logit_bias',
      'logprobs',
      'top_logprobs',
      'n',
      'reasoning',
      'reasoning_effort',
      'provider',
      'transforms',
      'plugins',
      'models',
      'top_k',
      'min_p',
      'repetition_penalty',
    ],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  // ---- rows added for the rest of OpenRouter's BYOK list (README "Adding a provider") ----
  ai21: {
    baseUrl: 'https://api.ai21.com/studio/v1',
    auth: 'bearer',
    // Its models list answers 200 without a key, so only a completion proves one.
    keyCheck: { kind: 'chat', model: 'jamba-mini' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'response_format', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  alibaba: {
    baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'parallel_tool_calls', 'logprobs', 'top_logprobs', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  'azure-foundry': {
    baseUrl: '', // from the key's resource or baseUrl; see azure-foundry.ts
    auth: 'api-key',
    // The resource's Azure OpenAI surface lists its models for free with the same key.
    keyCheck: { kind: 'get', path: '/openai/models?api-version=2024-10-21', fromOrigin: true },
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  baseten: {
    baseUrl: 'https://inference.baseten.co/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'openai/gpt-oss-120b' },
    accepts: [...HOSTED, 'parallel_tool_calls'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  chutes: {
    baseUrl: 'https://llm.chutes.ai/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'openai/gpt-oss-20b' },
    accepts: HOSTED,
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  // The compatibility API, not native v2 chat: it carries tools, tool_choice and streamed tool
  // calls in the OpenAI shape; it refuses `stream_options` and sends usage on the last chunk.
  cohere: {
    baseUrl: 'https://api.cohere.ai/compatibility/v1',
    auth: 'bearer',
    keyCheck: { kind: 'post', path: '/v1/check-api-key', fromOrigin: true },
    omitToolChoiceAuto: true,
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'frequency_penalty', 'presence_penalty', 'reasoning_effort'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  deepinfra: {
    baseUrl: 'https://api.deepinfra.com/v1/openai',
    auth: 'bearer',
    keyCheck: { kind: 'get', path: '/v1/me/rate_limit', fromOrigin: true },
    accepts: [...HOSTED, 'reasoning_effort'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  featherless: {
    baseUrl: 'https://api.featherless.ai/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct' },
    accepts: HOSTED,
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  huggingface: {
    baseUrl: 'https://router.huggingface.co/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct' },
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  hyperbolic: {
    baseUrl: 'https://api.hyperbolic.xyz/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct' },
    accepts: HOSTED,
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  inception: {
    baseUrl: 'https://api.inceptionlabs.ai/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'mercury' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  lambda: {
    baseUrl: 'https://api.lambda.ai/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'llama3.1-8b-instruct' },
    accepts: HOSTED,
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  // MiniMax reports key and quota errors inside a 200 body (`base_resp.status_code`).
  minimax: {
    baseUrl: 'https://api.minimax.io/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'MiniMax-M2' },
    accepts: ['temperature', 'top_p', 'tools', 'tool_choice', 'response_format', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  moonshotai: {
    baseUrl: 'https://api.moonshot.ai/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    quotaCodes: ['exceeded_current_quota_error'],
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  nebius: {
    baseUrl: 'https://api.tokenfactory.nebius.com/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...HOSTED, 'parallel_tool_calls'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  novita: {
    baseUrl: 'https://api.novita.ai/openai/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: [...HOSTED, 'logit_bias'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  nvidia: {
    baseUrl: 'https://integrate.api.nvidia.com/v1',
    auth: 'bearer',
    // Its models list is public; a one-token completion spends a free-tier credit at most.
    keyCheck: { kind: 'chat', model: 'meta/llama-3.1-8b-instruct' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'frequency_penalty', 'presence_penalty'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  sambanova: {
    baseUrl: 'https://api.sambanova.ai/v1',
    auth: 'bearer',
    keyCheck: { kind: 'chat', model: 'Meta-Llama-3.1-8B-Instruct' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'parallel_tool_calls'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  stepfun: {
    baseUrl: 'https://api.stepfun.ai/v1',
    auth: 'bearer',
    keyCheck: MODELS,
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  'z-ai': {
    baseUrl: 'https://api.z.ai/api/paas/v4',
    auth: 'bearer',
    // No models endpoint; glm-4.5-flash is a free model, so the completion costs nothing.
    keyCheck: { kind: 'chat', model: 'glm-4.5-flash' },
    quotaCodes: ['1113'],
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'user'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
} satisfies Record<string, CompatRow>;

export type CompatProvider = keyof typeof COMPAT_ROWS;

export function compatBaseUrl(provider: CompatProvider, call: AdapterCall): string {
  if (call.baseUrl) return call.baseUrl.replace(/\/+$/, '');
  if (call.options.baseUrl) return call.options.baseUrl.replace(/\/+$/, '');
  if (provider === 'azure' || provider === 'azure-foundry') {
    if (!call.options.resource) throw new RouteFailure(routeError('bad_request', `${provider} key needs options.resource or options.baseUrl`));
    return provider === 'azure'
      ? `https://${call.options.resource}.openai.azure.com/openai/v1`
      : `https://${call.options.resource}.services.ai.azure.com/models`;
  }
  return COMPAT_ROWS[provider].baseUrl;
}

/** Deterministic, so the same conversation maps the same id on every turn without state. */
function alnum9(id: string): string {
  if (/^[A-Za-z0-9]{9}$/.test(id)) return id;
  const h = createHash('sha256')
    .update(id)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return h.slice(0, 9).padEnd(9, '0');
}

function sanitiseMessages(messages: ChatMessage[], row: CompatRow): unknown[] {
  if (!row.tools) return flattenToolTurns(messages);
  if (!row.toolIdStyle && !row.dropMessageName) return messages;
  return messages.map((m) => {
    if (m.role === 'user' && row.dropMessageName && 'name' in m) {
      const { name: _drop, ...rest } = m;
      return rest;
    }
    if (row.toolIdStyle === 'alnum9') {
      if (m.role === 'assistant' && m.tool_calls) return { ...m, tool_calls: m.tool_calls.map((t) => ({ ...t, id: alnum9(t.id) })) };
      if (m.role === 'tool') return { ...m, tool_call_id: alnum9(m.tool_call_id) };
    }
    return m;
  });
}

/** For providers without tools: tool turns become plain text, and same-role runs merge. */
function flattenToolTurns(messages: ChatMessage[]): unknown[] {
  const out: { role: string; content: string }[] = [];
  const text = (c: ChatMessage['content']) => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (p?.type === 'text' ? p.text : '')).join('') : '');
  for (const m of messages) {
    const role: string = m.role === 'tool' ? 'user' : m.role === 'developer' ? 'system' : m.role;
    let content = text(m.content);
    if (m.role === 'tool') content = `Tool result: ${content}`;
    if (m.role === 'assistant' && m.tool_calls?.length) {
      content += m.tool_calls.map((t) => `\n[called ${t.function.name}(${t.function.arguments})]`).join('');
    }
    const last = out[out.length - 1];
    if (last && last.role === role && role !== 'system') last.content += `\n\n${content}`;
    else out.push({ role, content });
  }
  return out;
}

export function buildCompatBody(provider: CompatProvider, call: AdapterCall): Record<string, unknown> {
  const row: CompatRow = COMPAT_ROWS[provider];
  const req = call.request as ChatRequest & Record<string, unknown>;
  const body: Record<string, unknown> = { model: call.nativeModel, messages: sanitiseMessages(fitCompatMessages(req.messages, provider), row) };
  for (const f of row.accepts) {
    if (req[f] === undefined) continue;
    if (!row.tools && (f === 'tools' || f === 'tool_choice')) continue;
    body[f === 'seed' && row.seedField ? row.seedField : f] = req[f];
  }
  if (!row.tools) delete body.tools;
  if (row.toolChoiceRequired && body.tool_choice === 'required') body.tool_choice = row.toolChoiceRequired;
  if (row.omitToolChoiceAuto && body.tool_choice === 'auto') delete body.tool_choice;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens !== undefined) body[row.maxTokensField] = maxTokens;
  if (call.extraBody) Object.assign(body, call.extraBody);
  if (call.stream) {
    body.stream = true;
    if (row.streamOptions) body.stream_options = { include_usage: true };
  }
  return body;
}

function authHeaders(row: CompatRow, secret: string): Record<string, string> {
  return row.auth === 'api-key' ? { 'api-key': secret } : { authorization: `Bearer ${secret}` };
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

/**
 * The fields this module reads or rewrites in a Chat Completions body or chunk; everything else
 * passes through as the provider sent it. Typed, not parsed: this runs once per stream chunk.
 */
interface WireFrame {
  error?: unknown;
  choices?: WireChoice[];
  usage?: WireUsage;
  /** Groq puts usage, and errors met mid-stream, under `x_groq`. */
  x_groq?: { usage?: WireUsage; error?: unknown };
  /** MiniMax's in-body status; see BASE_RESP. */
  base_resp?: { status_code?: unknown; status_msg?: unknown };
  object?: string;
}

interface WireChoice {
  finish_reason?: string | null;
  message?: WireMessage;
  delta?: WireMessage;
}

/** DeepSeek and others name the reasoning `reasoning_content`; the canonical name is `reasoning`. */
interface WireMessage {
  role?: string;
  content?: unknown;
  reasoning?: unknown;
  reasoning_content?: unknown;
}

/** DeepSeek counts cache hits in `prompt_cache_hit_tokens`. */
type WireUsage = Usage & { prompt_cache_hit_tokens?: number };

/** An error object, in a body or mid-stream: OpenAI's shape, with OpenRouter's `metadata.error_type`. */
interface WireError {
  code?: number | string;
  type?: string;
  message?: unknown;
  metadata?: { error_type?: string };
}

/** Not cut here: the router redacts the message at full length first, then bounds it. */
function streamError(provider: string, e: unknown): RouteError {
  const w = (typeof e === 'object' && e !== null ? e : undefined) as WireError | undefined;
  const status = typeof w?.code === 'number' ? w.code : undefined;
  const type: string | undefined = w?.metadata?.error_type ?? (typeof w?.code === 'string' ? w.code : undefined) ?? w?.type;
  let kind = status ? kindForStatus(status) : 'server';
  if (type && /rate_limit|overloaded|capacity/.test(type)) kind = 'rate_limited';
  const message = typeof e === 'string' ? e : (w?.message ?? 'stream ended with an error');
  return routeError(kind, `${provider}: error during the stream${type ? ` (${type})` : ''}: ${String(message)}`, { status, code: type });
}

/** Normalise usage in place: Groq's `x_groq.usage`, DeepSeek's cache hits. */
function readUsage(o: WireFrame): Usage | undefined {
  const u = o.usage ?? o.x_groq?.usage;
  if (!u) return undefined;
  if (u.prompt_cache_hit_tokens !== undefined && !u.prompt_tokens_details) {
    u.prompt_tokens_details = { cached_tokens: u.prompt_cache_hit_tokens };
  }
  return u;
}

/**
 * MiniMax answers a bad key, a rate limit or an empty balance with HTTP 200 and a nonzero
 * `base_resp.status_code`; the code, not the status, says what happened.
 */
const BASE_RESP: Record<number, ErrorKind> = {
  1002: 'rate_limited',
  1004: 'auth',
  1008: 'rate_limited',
  1039: 'rate_limited',
  2013: 'bad_request',
  2049: 'auth',
};

function baseRespError(provider: string, o: WireFrame | null): RouteError | undefined {
  const resp = o?.base_resp;
  const code = resp?.status_code;
  if (!resp || typeof code !== 'number' || code === 0) return undefined;
  const kind = BASE_RESP[code] ?? 'server';
  // Not cut here: the router redacts the whole message before bounding it, so no secret is split.
  const message = String(resp.status_msg ?? 'no details');
  // 1008 is "insufficient balance": no point retrying until someone pays.
  return routeError(kind, `${provider}: base_resp ${code}: ${message}`, {
    code: String(code),
    ...(code === 1008 ? { retryAfterMs: Number.POSITIVE_INFINITY } : {}),
  });
}

/** A 2xx key check whose body still reports an error (MiniMax's base_resp, an `error` object, `valid: false`). */
function bodyError(provider: string, text: string, _now: number): RouteError | undefined {
  let o: (WireFrame & { data?: unknown; valid?: unknown }) | null;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (o && typeof o === 'object' && o.error && !Array.isArray(o.data)) return streamError(provider, o.error);
  // Cohere's check-api-key may answer 200 with `valid: false`.
  if (o && typeof o === 'object' && o.valid === false) return routeError('auth', `${provider}: the key check says the key is not valid`);
  return baseRespError(provider, o);
}

/** What a stream event maps to when it is the `[DONE]` sentinel. */
const DONE = Symbol('done');

/** Stateless: the row says everything. `id` must name a row. */
export function compatAdapter(id: ProviderId, _state?: ProviderState): ProviderAdapter {
  const provider = id as CompatProvider;
  const row: CompatRow | undefined = COMPAT_ROWS[provider];
  if (!row) throw new RouteFailure(routeError('bad_request', `${id} is not an OpenAI-compatible row`));
  return {
    family: 'openai-compatible',

    buildRequest(call): HttpRequestSpec {
      return {
        url: `${compatBaseUrl(provider, call)}/chat/completions`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: call.stream ? 'text/event-stream' : 'application/json',
          ...(call.options.organization ? { 'openai-organization': call.options.organization } : {}),
          ...call.options.headers,
          ...call.extraHeaders,
          ...authHeaders(row, call.secret),
        },
        body: JSON.stringify(buildCompatBody(provider, call)),
      };
    },

    parseCompletion(text): ChatCompletion {
      // DeepSeek pads non-streaming answers with blank lines while it thinks.
      const o = parseJsonFrame(text.trim(), provider) as WireFrame | null;
      if (o?.error) throw new RouteFailure(streamError(provider, o.error));
      const inBody = baseRespError(provider, o);
      if (inBody) throw new RouteFailure(inBody);
      if (!Array.isArray(o?.choices)) throw new RouteFailure(routeError('server', `${provider}: response has no choices`));
      for (const c of o.choices) {
        c.finish_reason = c.finish_reason ? (FINISH[c.finish_reason] ?? c.finish_reason) : null;
        const m = c.message ?? (c.message = { role: 'assistant', content: null });
        if (m.reasoning_content !== undefined && m.reasoning === undefined) m.reasoning = m.reasoning_content;
      }
      const usage = readUsage(o);
      if (usage) o.usage = usage;
      o.object = 'chat.completion';
      return o as ChatCompletion;
    },

    async *streamChunks(body, call, limits: Limits): AsyncIterable<ChatChunk> {
      for await (const batch of this.streamBatches!(body, call, limits)) yield* batch;
    },

    async *streamBatches(body, _call, limits: Limits): AsyncIterable<ChatChunk[]> {
      // The body is read here rather than through sseEvents, and every chunk one read completed
      // goes out as one batch: one async-generator hop per read instead of two per chunk, which
      // was most of this transform's cost over a bare parse.
      const sse = new SseDecoder(limits.maxEventBytes);
      let finished = false;
      let done = false;
      // Until the first event, the raw text: a 200 that is a JSON error instead of a stream
      // (MiniMax's base_resp) is then classified for what it says, not as a cut-off stream.
      let head: string | undefined = '';
      const utf8 = new TextDecoder();
      const it = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const n = await it.next();
          if (n.done) break;
          if (head !== undefined && head.length < 65_536) head += utf8.decode(n.value, { stream: true });
          const batch: ChatChunk[] = [];
          let failure: unknown;
          try {
            for (const ev of sse.push(n.value)) {
              head = undefined;
              const chunk = toChunk(ev);
              if (chunk === DONE) {
                done = true;
                break;
              }
              if (chunk) batch.push(chunk);
            }
          } catch (e) {
            // The chunks before a mid-stream error still reach the caller first, as one by one.
            if (!batch.length) throw e;
            failure = e;
          }
          if (batch.length) yield batch;
          if (failure) throw failure;
          if (done) break;
        }
      } catch (e) {
        if (!done) throw e; // the answer was complete; what happened to the rest does not matter
      }
      // The answer is over at [DONE], whatever the server does with its socket. Servers close
      // right after it, and reading that close keeps Node from aborting the body (an AbortError
      // whose stack it formats, a measurable cost per stream); one that keeps the socket open,
      // or keeps sending comments, is let go after a moment and the router releases it.
      if (done) return void (await drainBriefly(it, DRAIN_AFTER_END_MS));
      const last: ChatChunk[] = [];
      let ended = false;
      for (const ev of sse.end()) {
        const chunk = toChunk(ev);
        if (chunk === DONE) {
          ended = true;
          break;
        }
        if (chunk) last.push(chunk);
      }
      if (last.length) yield last;
      if (ended) return;
      const inBody = head ? bodyError(provider, head, 0) : undefined;
      if (inBody) throw new RouteFailure(inBody);
      // Some gateways omit [DONE]; a stream that said why it finished is complete.
      if (!finished) throw new RouteFailure(routeError('network', `${provider}: the stream ended before it finished (no finish_reason, no [DONE])`));

      /** One event → a chunk, nothing (no choices, no usage), or the end. Throws for an error in the stream. */
      function toChunk(ev: SseEvent): ChatChunk | typeof DONE | undefined {
        const data = ev.data;
        if (data === '[DONE]') return DONE;
        if (ev.event === 'error') throw new RouteFailure(streamError(provider, (parseJsonFrame(data, provider) as WireFrame | null)?.error ?? data));
        const o = parseJsonFrame(data, provider) as WireFrame;
        if (o.error) throw new RouteFailure(streamError(provider, o.error));
        if (o.x_groq?.error) throw new RouteFailure(streamError(provider, o.x_groq.error));
        const inBody = baseRespError(provider, o);
        if (inBody) throw new RouteFailure(inBody);
        const usage = readUsage(o);
        if (usage) o.usage = usage;
        const choices = o.choices;
        if (!choices || choices.length === 0) {
          // Azure's prompt-filter preamble and OpenAI's usage chunk both carry no choices.
          if (usage) {
            o.choices = [];
            return o as ChatChunk;
          }
          return undefined;
        }
        const choice = choices[0]!; // length checked above
        if (!choice.delta) choice.delta = {};
        const d = choice.delta;
        if (d.reasoning_content !== undefined) d.reasoning = d.reasoning_content;
        const fr = choice.finish_reason;
        if (fr) {
          if (fr === 'error') throw new RouteFailure(streamError(provider, o.error ?? 'the stream ended with finish_reason "error"'));
          choice.finish_reason = FINISH[fr] ?? fr;
          finished = true;
        } else if (fr === undefined) choice.finish_reason = null;
        return o as ChatChunk;
      }
    },

    classifyError(status, headers: HeaderBag, text, now) {
      return classifyHttpError(provider, status, headers, text, now, row.quotaCodes);
    },

    validationRequest(call) {
      const check: KeyCheck = row.keyCheck;
      const base = compatBaseUrl(provider, call);
      const headers = { ...call.options.headers, ...authHeaders(row, call.secret) };
      switch (check.kind) {
        case 'none':
          return undefined;
        case 'chat':
          return {
            url: `${base}/chat/completions`,
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ model: check.model, messages: [{ role: 'user', content: 'ping' }], [row.maxTokensField]: 1 }),
          };
        default:
          return { url: `${check.fromOrigin ? new URL(base).origin : base}${check.path}`, method: check.kind === 'get' ? 'GET' : 'POST', headers };
      }
    },

    validationError(text, now) {
      return bodyError(provider, text, now);
    },
  };
}
