/**
 * The Anthropic Messages family: Claude direct (x-api-key) and Claude on Vertex (rawPredict with a
 * Google OAuth token). One body translation (anthropic-request.ts), one typed-SSE reader, one error
 * map; the hosts differ only in URL, auth and how the body names model and version.
 */
import { z } from 'zod';
import type { ChatChunk, ChatCompletion, ChunkDelta, FinishReason, ToolCall, Usage } from '../chat';
import type { Limits } from '../config/schema';
import { routeError, RouteFailure, type ErrorKind, type RouteError } from '../errors';
import { pathSegment } from '../http/url';
import type { HttpRequestSpec } from '../http/client';
import { header, type HeaderBag } from '../http/retry-after';
import { parseJsonFrame, sseEvents } from '../http/sse';
import { buildMessagesBody, detailsFromThinking, DIRECT, VERTEX } from './anthropic-request';
import { ThinkingCache, type ThinkingBlock } from './anthropic-thinking-cache';
import { classifyHttpError, readErrorBody } from './classify';
import type { AdapterCall, ProviderAdapter, ProviderState } from './types';
import type { ProviderId } from './ids';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';

// ---------------------------------------------------------------- wire shapes (fields we read)

const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
type RawUsage = z.infer<typeof usageSchema>;

const blockSchema = z.object({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  thinking: z.string().optional(),
  signature: z.string().optional(),
  data: z.string().optional(),
});
type RawBlock = z.infer<typeof blockSchema>;

const messageSchema = z.object({
  id: z.string(),
  model: z.string().optional(),
  content: z.array(blockSchema),
  stop_reason: z.string().nullish(),
  usage: usageSchema.optional(),
});

const errorEventSchema = z.object({ error: z.object({ type: z.string(), message: z.string().optional() }) });

const EVENTS = {
  message_start: z.object({ message: z.object({ id: z.string(), model: z.string().optional(), usage: usageSchema.optional() }) }),
  content_block_start: z.object({ index: z.number(), content_block: blockSchema }),
  content_block_delta: z.object({
    index: z.number(),
    delta: z.object({
      type: z.string(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
      thinking: z.string().optional(),
      signature: z.string().optional(),
    }),
  }),
  message_delta: z.object({ delta: z.object({ stop_reason: z.string().nullish() }), usage: usageSchema.nullish() }),
  error: errorEventSchema,
};

function read<T extends z.ZodType>(schema: T, value: unknown, label: string, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new RouteFailure(routeError('server', `${label} sent an unexpected ${what}`));
  return r.data;
}

// ---------------------------------------------------------------- translation back

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const finishReason = (stop: string | null | undefined): FinishReason => (stop ? (FINISH[stop] ?? 'stop') : 'stop');

/** Claude counts cached input apart from input_tokens; OpenAI's prompt_tokens is the whole input, cached part included. */
export function toUsage(u: RawUsage): Usage {
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = u.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cacheRead || cacheWrite ? { prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite } } : {}),
  };
}

/** `message_delta` usage is cumulative and may omit fields: keep the latest known value of each. */
function mergeUsage(into: RawUsage, from: RawUsage | null | undefined): void {
  if (!from) return;
  for (const k of Object.keys(from) as (keyof RawUsage)[]) if (typeof from[k] === 'number') into[k] = from[k];
}

function signedThinking(b: RawBlock): ThinkingBlock | undefined {
  if (b.type === 'thinking' && b.signature) return { type: 'thinking', thinking: b.thinking ?? '', signature: b.signature };
  if (b.type === 'redacted_thinking' && b.data) return { type: 'redacted_thinking', data: b.data };
  return undefined;
}

const STREAM_KINDS: Record<string, ErrorKind> = {
  overloaded_error: 'rate_limited',
  rate_limit_error: 'rate_limited',
  billing_error: 'rate_limited',
  authentication_error: 'auth',
  permission_error: 'auth',
  invalid_request_error: 'bad_request',
  not_found_error: 'bad_request',
  request_too_large: 'bad_request',
  timeout_error: 'timeout',
  api_error: 'server',
};

/** An error carried in a 200: `event: error` mid-stream, or an error object as the body. */
function errorInBody(label: string, e: { type: string; message?: string }): RouteError {
  const kind = STREAM_KINDS[e.type] ?? 'server';
  const message = `${label}: error during the answer (${e.type}): ${e.message ?? 'no details'}`;
  return routeError(kind, message, { code: e.type, ...(e.type === 'billing_error' ? { retryAfterMs: Number.POSITIVE_INFINITY } : {}) });
}

function parseMessage(text: string, call: AdapterCall, cache: ThinkingCache): ChatCompletion {
  const label = call.provider;
  const o = parseJsonFrame(text.trim(), label) as { type?: unknown };
  if (o?.type === 'error') throw new RouteFailure(errorInBody(label, read(errorEventSchema, o, label, 'error body').error));
  const m = read(messageSchema, o, label, 'response body');
  const text_: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const b of m.content) {
    if (b.type === 'text' && b.text) text_.push(b.text);
    else if (b.type === 'thinking' && b.thinking) reasoning.push(b.thinking);
    else if (b.type === 'tool_use' && b.id && b.name) {
      toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    }
    const signed = signedThinking(b);
    if (signed) thinking.push(signed);
  }
  cache.remember(
    toolCalls.map((t) => t.id),
    thinking,
  );
  return {
    id: m.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: m.model ?? call.nativeModel,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text_.length ? text_.join('') : toolCalls.length ? null : '',
          ...(reasoning.length ? { reasoning: reasoning.join('') } : {}),
          ...(thinking.length ? { reasoning_details: detailsFromThinking(thinking) } : {}),
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason(m.stop_reason),
      },
    ],
    ...(m.usage ? { usage: toUsage(m.usage) } : {}),
  };
}

/**
 * Typed SSE → OpenAI chunks. Content-block indexes count every block (text, thinking, tool use),
 * while OpenAI's tool-call index counts tool calls only, hence the map between them.
 */
async function* streamMessages(body: AsyncIterable<Uint8Array>, call: AdapterCall, limits: Limits, cache: ThinkingCache): AsyncIterable<ChatChunk> {
  const label = call.provider;
  const created = Math.floor(Date.now() / 1000);
  let id = '';
  let model = call.nativeModel;
  let stop: string | null | undefined;
  const usage: RawUsage = {};
  const toolIndex = new Map<number, number>();
  const toolIds: string[] = [];
  const thinking = new Map<number, RawBlock>();
  const chunk = (delta: ChunkDelta, finish: FinishReason | null = null, u?: Usage): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(u ? { usage: u } : {}),
  });

  for await (const ev of sseEvents(body, limits.maxEventBytes)) {
    const o = parseJsonFrame(ev.data, label) as { type?: unknown };
    const type = typeof o?.type === 'string' ? o.type : ev.event;
    switch (type) {
      case 'message_start': {
        const m = read(EVENTS.message_start, o, label, 'message_start event').message;
        id = m.id;
        model = m.model ?? model;
        mergeUsage(usage, m.usage);
        yield chunk({ role: 'assistant' });
        break;
      }
      case 'content_block_start': {
        const { index, content_block: b } = read(EVENTS.content_block_start, o, label, 'content_block_start event');
        if (b.type === 'tool_use') {
          const toolId = b.id ?? `toolu_${index}`;
          toolIndex.set(index, toolIds.length);
          toolIds.push(toolId);
          yield chunk({ tool_calls: [{ index: toolIndex.get(index)!, id: toolId, type: 'function', function: { name: b.name ?? '', arguments: '' } }] });
        } else if (b.type === 'thinking' || b.type === 'redacted_thinking') {
          thinking.set(index, { ...b });
          if (b.thinking) yield chunk({ reasoning: b.thinking });
        } else if (b.type === 'text' && b.text) yield chunk({ content: b.text });
        break;
      }
      case 'content_block_delta': {
        const { index, delta: d } = read(EVENTS.content_block_delta, o, label, 'content_block_delta event');
        if (d.type === 'text_delta' && d.text) yield chunk({ content: d.text });
        else if (d.type === 'input_json_delta' && d.partial_json && toolIndex.has(index)) {
          yield chunk({ tool_calls: [{ index: toolIndex.get(index)!, function: { arguments: d.partial_json } }] });
        } else if (d.type === 'thinking_delta' && d.thinking) {
          const t = thinking.get(index);
          if (t) t.thinking = (t.thinking ?? '') + d.thinking;
          yield chunk({ reasoning: d.thinking });
        } else if (d.type === 'signature_delta' && d.signature) {
          const t = thinking.get(index);
          if (t) t.signature = (t.signature ?? '') + d.signature;
        }
        break;
      }
      case 'message_delta': {
        const e = read(EVENTS.message_delta, o, label, 'message_delta event');
        if (e.delta.stop_reason) stop = e.delta.stop_reason;
        mergeUsage(usage, e.usage);
        break;
      }
      case 'message_stop': {
        const blocks = [...thinking.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, b]) => signedThinking(b))
          .filter((b): b is ThinkingBlock => !!b);
        cache.remember(toolIds, blocks);
        // The signed blocks go out whole, once, so a consumer can echo them on the next turn.
        yield chunk(blocks.length ? { reasoning_details: detailsFromThinking(blocks) } : {}, finishReason(stop), toUsage(usage));
        return;
      }
      case 'error':
        throw new RouteFailure(errorInBody(label, read(EVENTS.error, o, label, 'error event').error));
      default:
        break; // ping, content_block_stop, and event types newer than this adapter
    }
  }
  throw new RouteFailure(routeError('network', `${label}: the stream ended before message_stop`));
}

// ---------------------------------------------------------------- errors

const RATE_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/**
 * When no Retry-After came: the wait until the exhausted limits reset (all of them must), else
 * until the soonest reset announced. Resets are RFC 3339 timestamps.
 */
export function rateLimitResetMs(headers: HeaderBag, now: number): number | undefined {
  const exhausted: number[] = [];
  const all: number[] = [];
  for (const limit of RATE_LIMITS) {
    const at = Date.parse(header(headers, `anthropic-ratelimit-${limit}-reset`) ?? '');
    if (Number.isNaN(at)) continue;
    const wait = Math.max(0, at - now);
    all.push(wait);
    if (header(headers, `anthropic-ratelimit-${limit}-remaining`)?.trim() === '0') exhausted.push(wait);
  }
  if (exhausted.length) return Math.max(...exhausted);
  return all.length ? Math.min(...all) : undefined;
}

/** Anthropic's `{type:"error", error:{type, details}}`, or Google's front end `{error:{code, status}}` on Vertex. */
const errorBodySchema = z.object({
  error: z.object({
    type: z.string().optional(),
    status: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

function errorCodes(text: string): { code?: string; spendLimit: boolean } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return { spendLimit: false };
  }
  const r = errorBodySchema.safeParse(Array.isArray(j) ? j[0] : j);
  if (!r.success) return { spendLimit: false };
  const details = r.data.error.details as { error_code?: unknown } | undefined;
  return { code: r.data.error.type ?? r.data.error.status, spendLimit: details?.error_code === 'enforced_spend_limit_reached' };
}

export function classifyAnthropicError(label: string, status: number, headers: HeaderBag, text: string, now: number): RouteError {
  const base = classifyHttpError(label, status, headers, text, now);
  const { code, spendLimit } = errorCodes(text);
  const words = readErrorBody(text).message ?? 'no details';
  let kind = base.kind;
  let retryAfterMs = base.retryAfterMs;
  if (code === 'overloaded_error' || code === 'rate_limit_error') kind = 'rate_limited';
  if (kind === 'rate_limited' && retryAfterMs === undefined) retryAfterMs = rateLimitResetMs(headers, now);
  // An empty account answers 400 invalid_request_error, which would stop the whole plan; like a
  // spend limit it lifts when someone pays, not after a backoff, so other routes should be tried.
  const noCredit = status === 400 && /credit balance is too low/i.test(words);
  if (spendLimit || noCredit) {
    kind = 'rate_limited';
    retryAfterMs = Number.POSITIVE_INFINITY;
  }
  const shown = spendLimit ? 'enforced_spend_limit_reached' : noCredit ? 'credit_balance_too_low' : code;
  return routeError(kind, `${label}: HTTP ${status}${shown ? ` ${shown}` : ''}: ${words}`, {
    status,
    ...(shown ? { code: shown } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

// ---------------------------------------------------------------- the two hosts

export interface AnthropicAdapterOptions {
  /** Where signed thinking waits for the next turn: the router's, or a fresh one. */
  cache?: ThinkingCache;
}

/** A base URL with or without the trailing `/v1`, so either spelling in settings works. */
function root(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function family(cache: ThinkingCache): Omit<ProviderAdapter, 'buildRequest'> {
  return {
    family: 'anthropic',
    parseCompletion: (text, call) => parseMessage(text, call, cache),
    streamChunks: (body, call, limits) => streamMessages(body, call, limits, cache),
    classifyError: (status, headers, text, now) => classifyAnthropicError('anthropic', status, headers, text, now),
  };
}

function directBase(call: AdapterCall): string {
  return root(call.options.baseUrl ?? call.baseUrl ?? ANTHROPIC_BASE_URL);
}

function directHeaders(call: AdapterCall): Record<string, string> {
  return { ...call.options.headers, ...call.extraHeaders, 'x-api-key': call.secret, 'anthropic-version': ANTHROPIC_VERSION };
}

export function anthropicAdapter(_provider: ProviderId, state: Pick<ProviderState, 'thinking'>): ProviderAdapter {
  const cache = state.thinking;
  return {
    ...family(cache),

    buildRequest(call): HttpRequestSpec {
      return {
        url: `${directBase(call)}/v1/messages`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json', ...directHeaders(call) },
        body: JSON.stringify(buildMessagesBody(call, DIRECT, cache)),
      };
    },

    validationRequest(call): HttpRequestSpec {
      return { url: `${directBase(call)}/v1/models?limit=1`, method: 'GET', headers: { accept: 'application/json', ...directHeaders(call) } };
    },
  };
}

/** Fetches (and caches) the OAuth access token for a Vertex key; vertex-auth.ts provides it. */
export type VertexTokenSource = (call: AdapterCall) => Promise<string>;

const serviceAccountSchema = z.object({ project_id: z.string().min(1) });

function projectOf(call: AdapterCall): string {
  if (call.options.project) return call.options.project;
  try {
    const r = serviceAccountSchema.safeParse(JSON.parse(call.secret));
    if (r.success) return r.data.project_id;
  } catch {
    // not JSON; fall through to the message below, which never quotes the secret
  }
  // The same kind as the Gemini path (vertex.ts): the key cannot be used as configured.
  throw new RouteFailure(routeError('auth', `${call.provider}: set options.project, or use a service-account key that has project_id`));
}

/** Vertex's host for a region: `global`, the `us`/`eu` multi-regions, or a regional host. */
export function vertexRoot(call: AdapterCall): string {
  if (call.options.baseUrl) return root(call.options.baseUrl);
  const region = call.options.region ?? 'global';
  if (region === 'global') return 'https://aiplatform.googleapis.com';
  if (region === 'us' || region === 'eu') return `https://aiplatform.${region}.rep.googleapis.com`;
  return `https://${region}-aiplatform.googleapis.com`;
}

/** Claude on Vertex: `…/publishers/anthropic/models/{model}:rawPredict`, or `:streamRawPredict` for a stream. */
export function vertexClaudeUrl(call: AdapterCall): string {
  const region = call.options.region ?? 'global';
  const method = call.stream ? 'streamRawPredict' : 'rawPredict';
  const project = pathSegment(projectOf(call), 'project', call.provider);
  const model = pathSegment(call.nativeModel, 'model id', call.provider);
  return `${vertexRoot(call)}/v1/projects/${project}/locations/${pathSegment(region, 'region', call.provider)}/publishers/anthropic/models/${model}:${method}`;
}

/**
 * Claude on Vertex: the Messages body without `model`, with `anthropic_version`, behind a Bearer
 * token. The google-vertex adapter dispatches here for native ids starting with `claude`.
 */
export function anthropicVertexAdapter(token: VertexTokenSource, opts: AnthropicAdapterOptions = {}): ProviderAdapter {
  const cache = opts.cache ?? new ThinkingCache();
  return {
    ...family(cache),
    classifyError: (status, headers, text, now) => classifyAnthropicError('google-vertex', status, headers, text, now),

    async buildRequest(call): Promise<HttpRequestSpec> {
      const url = vertexClaudeUrl(call);
      const accessToken = await token(call);
      return {
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: call.stream ? 'text/event-stream' : 'application/json',
          ...call.options.headers,
          authorization: `Bearer ${accessToken}`,
        },
        body: JSON.stringify(buildMessagesBody(call, VERTEX, cache)),
      };
    },
  };
}
