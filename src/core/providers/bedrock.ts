/**
 * Amazon Bedrock through the Converse API: one request shape for every model
 * Bedrock hosts. The key's secret is either a Bedrock API key, sent as a bearer token, or AWS
 * credentials as JSON, which sign each request with SigV4. Streams come as binary event-stream
 * frames whose exceptions arrive inside an HTTP 200.
 */
import { drainBriefly, DRAIN_AFTER_END_MS } from '../http/drain';
import { pathSegment } from '../http/url';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ChatChunk, ChatCompletion, ChatMessage, ChatRequest, FinishReason, ToolCall, Usage } from '../chat';
import type { Limits } from '../config/schema';
import { routeError, RouteFailure, type ErrorKind, type RouteError } from '../errors';
import type { HttpRequestSpec } from '../http/client';
import { eventStreamMessages, headerString, type EventStreamMessage } from '../http/eventstream';
import { header, parseRetryAfter, type HeaderBag } from '../http/retry-after';
import { parseJsonFrame } from '../http/sse';
import { ThinkingCache, type ThinkingBlock } from './anthropic-thinking-cache';
import { detailsFromThinking, MAX_CACHE_BREAKPOINTS, thinkingFromDetails } from './anthropic-request';
import { detailsIn, FORMAT } from '../reasoning';
import { kindForStatus, readErrorBody } from './classify';
import { signRequest, type AwsCredentials } from './sigv4';
import type { AdapterCall, ProviderAdapter, ProviderState } from './types';
import type { ProviderId } from './ids';
import { alternatingTurns, type Turn as TurnOf } from './turns';

const PROVIDER = 'amazon-bedrock';
export const DEFAULT_REGION = 'us-east-1';
const SERVICE = 'bedrock';
const EVENTSTREAM = 'application/vnd.amazon.eventstream';

// ---------------------------------------------------------------------------------------------
// Credentials and endpoints

export type BedrockAuth = { kind: 'bearer'; token: string } | { kind: 'sigv4'; credentials: AwsCredentials };

const credentialsSchema = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
});

/** What `aws sts get-session-token` and `aws configure export-credentials` print, besides our own shape. */
const pascalCredentialsSchema = z.object({
  AccessKeyId: z.string().min(1),
  SecretAccessKey: z.string().min(1),
  SessionToken: z.string().min(1).optional(),
});

function credentialsFromJson(j: unknown): AwsCredentials | undefined {
  const own = credentialsSchema.safeParse(j);
  if (own.success) return own.data;
  const wrapped = (j as { Credentials?: unknown } | null)?.Credentials ?? j;
  const pascal = pascalCredentialsSchema.safeParse(wrapped);
  if (pascal.success) {
    const { AccessKeyId, SecretAccessKey, SessionToken } = pascal.data;
    return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, ...(SessionToken ? { sessionToken: SessionToken } : {}) };
  }
  return undefined;
}

/**
 * A secret that is not JSON is a Bedrock API key; JSON is AWS credentials. `options.auth` makes the
 * choice explicit. The messages never quote the secret, not even a fragment of it.
 */
export function bedrockAuth(secret: string, mode: 'sigv4' | 'bearer' | undefined): BedrockAuth {
  const s = secret.trim();
  if (mode === 'bearer') return { kind: 'bearer', token: s };
  const looksJson = s.startsWith('{');
  if (!looksJson) {
    if (mode === 'sigv4') {
      throw new RouteFailure(
        routeError('auth', `${PROVIDER}: the key is set to SigV4 but its secret is not JSON {"accessKeyId", "secretAccessKey", "sessionToken"?}`),
      );
    }
    return { kind: 'bearer', token: s };
  }
  let j: unknown;
  try {
    j = JSON.parse(s);
  } catch {
    throw new RouteFailure(routeError('auth', `${PROVIDER}: the key's secret starts like JSON credentials but is not valid JSON`));
  }
  const credentials = credentialsFromJson(j);
  if (!credentials) {
    throw new RouteFailure(
      routeError('auth', `${PROVIDER}: the key's JSON secret needs "accessKeyId" and "secretAccessKey" strings ("sessionToken" optional)`),
    );
  }
  return { kind: 'sigv4', credentials };
}

export function bedrockRegion(options: AdapterCall['options']): string {
  return options.region ?? DEFAULT_REGION;
}

function runtimeBase(call: Pick<AdapterCall, 'options'>): string {
  return (call.options.baseUrl ?? `https://bedrock-runtime.${bedrockRegion(call.options)}.amazonaws.com`).replace(/\/+$/, '');
}

function controlBase(call: Pick<AdapterCall, 'options'>): string {
  return (call.options.baseUrl ?? `https://bedrock.${bedrockRegion(call.options)}.amazonaws.com`).replace(/\/+$/, '');
}

/** Model ids and inference profiles contain `:`, ARNs also `/`: one path segment, percent-encoded. */
export function converseUrl(call: Pick<AdapterCall, 'options' | 'nativeModel' | 'stream'>): string {
  return `${runtimeBase(call)}/model/${pathSegment(call.nativeModel, 'model id', PROVIDER)}/${call.stream ? 'converse-stream' : 'converse'}`;
}

/** Adds authentication to a request about to be sent; SigV4 signs its exact URL, headers and body. */
export function authorize(spec: HttpRequestSpec, auth: BedrockAuth, region: string, now: Date): HttpRequestSpec {
  if (auth.kind === 'bearer') return { ...spec, headers: { ...spec.headers, authorization: `Bearer ${auth.token}` } };
  const body = typeof spec.body === 'string' || spec.body === undefined ? spec.body : Buffer.from(spec.body).toString('utf8');
  const headers = signRequest({
    method: spec.method,
    url: spec.url,
    headers: spec.headers,
    body,
    region,
    service: SERVICE,
    credentials: auth.credentials,
    date: now,
  });
  return { ...spec, headers };
}

function lowerCaseHeaders(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Request translation: OpenAI chat → Converse

type Block = Record<string, unknown>;
type Turn = TurnOf<Block>;

type Part = { type: string; text?: string; image_url?: { url: string }; cache_control?: unknown };

/** Converse's prompt-cache breakpoint: a block of its own after the content it closes. */
const CACHE_POINT: Block = { cachePoint: { type: 'default' } };

function parts(content: unknown): Part[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return Array.isArray(content) ? (content as Part[]) : [];
}

const IMAGE_FORMATS: Record<string, string> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', gif: 'gif', webp: 'webp' };

function imageBlock(url: string): Block {
  const m = /^data:image\/([a-z0-9.+-]+);base64,(.*)$/is.exec(url);
  const format = m ? IMAGE_FORMATS[m[1]!.toLowerCase()] : undefined;
  if (!m || !format) {
    // Converse takes image bytes or S3 locations, never a URL to fetch.
    const what = m ? `image/${m[1]}` : url.startsWith('data:') ? 'a non-image data URL' : 'an image URL';
    throw new RouteFailure(routeError('bad_request', `${PROVIDER}: images must be base64 data: URLs of PNG, JPEG, GIF or WebP; got ${what}`));
  }
  return { image: { format, source: { bytes: m[2]!.replace(/\s+/g, '') } } };
}

/** Text and image blocks, and a cachePoint after each part marked for caching; Converse refuses blank text blocks, so they are dropped. */
function contentBlocks(content: unknown, cachePoints = true): Block[] {
  const out: Block[] = [];
  for (const p of parts(content)) {
    if (p.type === 'text' && p.text?.trim()) out.push({ text: p.text });
    else if (p.type === 'image_url' && p.image_url?.url) out.push(imageBlock(p.image_url.url));
    else continue;
    if (cachePoints && p.cache_control) out.push({ ...CACHE_POINT });
  }
  return out;
}

function toolInput(args: string): unknown {
  try {
    const v: unknown = JSON.parse(args || '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {}; // the model's own broken JSON; Converse needs an object to accept the turn at all
  }
}

function reasoningBlock(b: ThinkingBlock): Block {
  return b.type === 'thinking'
    ? { reasoningContent: { reasoningText: { text: b.thinking, signature: b.signature } } }
    : { reasoningContent: { redactedContent: b.data } };
}

function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, cache: ThinkingCache): Block[] {
  const calls = m.tool_calls ?? [];
  // What the consumer echoed wins; the process-wide cache serves hosts that do not echo.
  const echoed = calls.length ? thinkingFromDetails(detailsIn(m, FORMAT.bedrock)) : [];
  const reasoning = echoed.length ? echoed : calls.length ? (cache.recall(calls.map((c) => c.id)) ?? []) : [];
  const blocks = [
    ...reasoning.map(reasoningBlock),
    ...contentBlocks(m.content),
    ...calls.map((c) => ({ toolUse: { toolUseId: c.id, name: c.function.name, input: toolInput(c.function.arguments) } })),
  ];
  if ((m as { cache_control?: unknown }).cache_control && blocks.length && !('cachePoint' in blocks[blocks.length - 1]!)) blocks.push({ ...CACHE_POINT });
  return blocks;
}

/** A breakpoint at the end of a tool's output, which Converse takes as a cachePoint after the toolResult. */
function toolResultMarked(m: Extract<ChatMessage, { role: 'tool' }>): boolean {
  const ps = parts(m.content);
  return !!(ps[ps.length - 1]?.cache_control ?? (m as { cache_control?: unknown }).cache_control);
}

/** Anthropic's limit of four breakpoints holds for Claude on Bedrock: the last four stay. */
export function keepLastCachePoints(system: Block[], turns: Turn[], max = MAX_CACHE_BREAKPOINTS): void {
  let seen = 0;
  for (const list of [...turns.map((t) => t.content)].reverse().concat([system])) {
    for (let i = list.length - 1; i >= 0; i--) {
      if (!('cachePoint' in list[i]!)) continue;
      if (++seen > max) list.splice(i, 1);
    }
  }
}

function toolResult(m: Extract<ChatMessage, { role: 'tool' }>): Block {
  const blocks = contentBlocks(m.content, false);
  const error = (m as { is_error?: boolean }).is_error === true;
  return {
    toolResult: {
      toolUseId: m.tool_call_id,
      // A tool that printed nothing still answered; an empty content list is refused.
      content: blocks.length ? blocks : [{ text: '(no output)' }],
      ...(error ? { status: 'error' } : {}),
    },
  };
}

/** System prompt gathered from wherever it appeared, and alternating turns that start with the user. */
export function toConverseMessages(messages: ChatMessage[], cache: ThinkingCache = new ThinkingCache()): { system: Block[]; turns: Turn[] } {
  const turns = alternatingTurns<Block>(messages, {
    system: (m) => contentBlocks(m.content).filter((b) => 'text' in b || 'cachePoint' in b),
    user: (m) => contentBlocks(m.content),
    assistant: (m) => assistantBlocks(m, cache),
    tool: toolResult,
    isToolResult: (b) => 'toolResult' in b,
    opener: { text: '(conversation start)' },
  });
  // Tool results lead their user turn (alternatingTurns sorts them), so their cachePoints are placed afterwards.
  const marked = new Set(messages.filter((m) => m.role === 'tool' && toolResultMarked(m)).map((m) => (m as { tool_call_id: string }).tool_call_id));
  if (marked.size) {
    for (const t of turns.turns) {
      for (let i = t.content.length - 1; i >= 0; i--) {
        const r = (t.content[i] as { toolResult?: { toolUseId: string } }).toolResult;
        if (r && marked.has(r.toolUseId)) t.content.splice(i + 1, 0, { ...CACHE_POINT });
      }
    }
  }
  keepLastCachePoints(turns.system, turns.turns);
  return turns;
}

function toolChoice(c: ChatRequest['tool_choice']): Block | undefined {
  if (c === 'required') return { any: {} };
  if (typeof c === 'object') return { tool: { name: c.function.name } };
  if (c === 'auto') return { auto: {} };
  return undefined;
}

/**
 * Converse has no "none" tool choice, and refuses history with toolUse/toolResult blocks unless
 * toolConfig is present. So: tools the request declares, else stubs named after the history's
 * tool calls; no toolChoice when the caller said "none" (the closest Converse offers).
 */
function toolConfig(req: ChatRequest, turns: Turn[]): Block | undefined {
  const historyNames = new Set<string>();
  let historyHasTools = false;
  for (const t of turns) {
    for (const b of t.content) {
      if ('toolUse' in b) historyNames.add((b.toolUse as { name: string }).name);
      if ('toolUse' in b || 'toolResult' in b) historyHasTools = true;
    }
  }
  const declared = req.tools ?? [];
  if (req.tool_choice === 'none' && !historyHasTools) return undefined;
  let tools: Block[];
  if (declared.length) {
    tools = declared.map((t) => ({
      toolSpec: {
        name: t.function.name,
        ...(t.function.description ? { description: t.function.description } : {}),
        inputSchema: { json: { type: 'object', properties: {}, ...t.function.parameters } },
      },
    }));
  } else if (historyHasTools) {
    const names = historyNames.size ? [...historyNames] : ['tool'];
    tools = names.map((name) => ({ toolSpec: { name, inputSchema: { json: { type: 'object', properties: {} } } } }));
  } else return undefined;
  const choice = req.tool_choice === 'none' || !declared.length ? undefined : toolChoice(req.tool_choice);
  return { tools, ...(choice ? { toolChoice: choice } : {}) };
}

/** Converse takes cachePoint blocks for Claude and Nova only; other models refuse them. */
function takesCachePoints(nativeModel: string | undefined): boolean {
  return nativeModel === undefined || /anthropic\.claude|amazon\.nova/.test(nativeModel);
}

export function buildConverseBody(
  call: Pick<AdapterCall, 'request'> & Partial<Pick<AdapterCall, 'nativeModel'>>,
  cache: ThinkingCache = new ThinkingCache(),
): Record<string, unknown> {
  const req = call.request;
  const { system, turns } = toConverseMessages(req.messages, cache);
  if (!takesCachePoints(call.nativeModel)) keepLastCachePoints(system, turns, 0);
  if (!turns.length) throw new RouteFailure(routeError('bad_request', `${PROVIDER}: the request has no user or assistant message with content`));
  const body: Record<string, unknown> = { messages: turns };
  if (system.length) body.system = system;
  const inference: Record<string, unknown> = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  // Bedrock's models take 0–1; OpenAI's range is 0–2.
  if (req.temperature !== undefined) inference.temperature = Math.min(Math.max(req.temperature, 0), 1);
  if (req.top_p !== undefined) inference.topP = req.top_p;
  const stops = (typeof req.stop === 'string' ? [req.stop] : (req.stop ?? [])).filter((s) => s.length > 0);
  if (stops.length) inference.stopSequences = stops;
  if (Object.keys(inference).length) body.inferenceConfig = inference;
  const tools = toolConfig(req, turns);
  if (tools) body.toolConfig = tools;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Responses: Converse → OpenAI chat

const STOP: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** A stop reason → finish reason; the model's malformed output is a failure, not a finish. */
function finishReason(stopReason: string): FinishReason {
  if (stopReason === 'malformed_model_output' || stopReason === 'malformed_tool_use') {
    throw new RouteFailure(routeError('server', `${PROVIDER}: the model produced malformed output (${stopReason})`, { code: stopReason }));
  }
  return STOP[stopReason] ?? 'stop';
}

const tokenUsageSchema = z.object({
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  totalTokens: z.number().optional(),
  cacheReadInputTokens: z.number().optional(),
  cacheWriteInputTokens: z.number().optional(),
});

/** OpenAI counts cached prompt tokens inside prompt_tokens; Bedrock reports them apart. */
export function toUsage(u: z.infer<typeof tokenUsageSchema>): Usage {
  const cacheRead = u.cacheReadInputTokens ?? 0;
  const cacheWrite = u.cacheWriteInputTokens ?? 0;
  const prompt = (u.inputTokens ?? 0) + cacheRead + cacheWrite;
  const completion = u.outputTokens ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: Math.max(u.totalTokens ?? 0, prompt + completion) };
  if (cacheRead || cacheWrite) {
    usage.prompt_tokens_details = { cached_tokens: cacheRead, ...(cacheWrite ? { cache_write_tokens: cacheWrite } : {}) };
  }
  return usage;
}

const outputBlockSchema = z.object({
  text: z.string().optional(),
  toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
  reasoningContent: z
    .object({
      reasoningText: z.object({ text: z.string(), signature: z.string().optional() }).optional(),
      redactedContent: z.string().optional(),
    })
    .optional(),
});

const converseResponseSchema = z.object({
  output: z.object({ message: z.object({ content: z.array(outputBlockSchema) }) }),
  stopReason: z.string(),
  usage: tokenUsageSchema.optional(),
});

function completionId(): string {
  return `bedrock-${randomUUID()}`;
}

/** Only signed reasoning can go back: Claude refuses unsigned thinking, other models need none. */
function signed(blocks: ThinkingBlock[]): ThinkingBlock[] {
  return blocks.filter((b) => b.type === 'redacted_thinking' || b.signature);
}

function rememberReasoning(cache: ThinkingCache, toolCallIds: string[], blocks: ThinkingBlock[]) {
  if (toolCallIds.length && blocks.some((b) => b.type === 'redacted_thinking' || b.signature)) cache.remember(toolCallIds, blocks);
}

export function parseConverseResponse(text: string, call: Pick<AdapterCall, 'nativeModel'>, cache: ThinkingCache = new ThinkingCache()): ChatCompletion {
  const parsed = converseResponseSchema.safeParse(parseJsonFrame(text, PROVIDER));
  if (!parsed.success) throw new RouteFailure(routeError('server', `${PROVIDER}: the Converse response has no output message`));
  const o = parsed.data;
  const texts: string[] = [];
  const reasoning: string[] = [];
  const thinking: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const b of o.output.message.content) {
    if (b.text !== undefined) texts.push(b.text);
    if (b.toolUse) {
      toolCalls.push({ id: b.toolUse.toolUseId, type: 'function', function: { name: b.toolUse.name, arguments: JSON.stringify(b.toolUse.input ?? {}) } });
    }
    const r = b.reasoningContent;
    if (r?.reasoningText) {
      reasoning.push(r.reasoningText.text);
      thinking.push({ type: 'thinking', thinking: r.reasoningText.text, signature: r.reasoningText.signature ?? '' });
    }
    if (r?.redactedContent) thinking.push({ type: 'redacted_thinking', data: r.redactedContent });
  }
  rememberReasoning(
    cache,
    toolCalls.map((t) => t.id),
    thinking,
  );
  return {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: call.nativeModel,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.length ? texts.join('') : toolCalls.length ? null : '',
          ...(reasoning.length ? { reasoning: reasoning.join('') } : {}),
          ...(signed(thinking).length ? { reasoning_details: detailsFromThinking(signed(thinking), FORMAT.bedrock) } : {}),
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason(o.stopReason),
      },
    ],
    ...(o.usage ? { usage: toUsage(o.usage) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

const KIND_BY_TYPE: Record<string, ErrorKind> = {
  throttlingexception: 'rate_limited',
  servicequotaexceededexception: 'rate_limited',
  modelnotreadyexception: 'rate_limited',
  toomanyrequestsexception: 'rate_limited',
  internalserverexception: 'server',
  serviceunavailableexception: 'server',
  modelstreamerrorexception: 'server',
  modelerrorexception: 'server',
  modeltimeoutexception: 'timeout',
  validationexception: 'bad_request',
  conflictexception: 'bad_request',
  resourcenotfoundexception: 'bad_request',
  accessdeniedexception: 'auth',
  unrecognizedclientexception: 'auth',
  invalidsignatureexception: 'auth',
  incompletesignatureexception: 'auth',
  missingauthenticationtokenexception: 'auth',
  expiredtokenexception: 'auth',
  invalidclienttokenid: 'auth',
};

/** `ThrottlingException:http://internal.amazon.com/…` and `com.amazon.coral#ThrottlingException` → `ThrottlingException`. */
function bareType(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const s = t.split(':')[0]!.split('#').pop()!.trim();
  return s || undefined;
}

export function kindForException(type: string | undefined, status?: number): ErrorKind {
  const known = type ? KIND_BY_TYPE[type.toLowerCase()] : undefined;
  return known ?? (status ? kindForStatus(status) : 'server');
}

/** AWS's signature errors append the whole canonical request; the first paragraph is the message. */
function firstParagraph(s: string): string {
  return s.split(/\n\s*\n/)[0]!.trim();
}

function hintFor(type: string | undefined, message: string): string {
  if (/signature expired|signature not yet current/i.test(message)) return ' (check the system clock)';
  if (type === 'InvalidSignatureException') return ' (check the secret access key)';
  if (type === 'UnrecognizedClientException') return ' (the access key id or API key is not valid)';
  return '';
}

export function classifyBedrockError(status: number, headers: HeaderBag, text: string, now: number): RouteError {
  let body: Record<string, unknown> = {};
  try {
    const j: unknown = JSON.parse(text);
    if (j && typeof j === 'object' && !Array.isArray(j)) body = j as Record<string, unknown>;
  } catch {
    /* not JSON: readErrorBody below still finds words */
  }
  const type =
    bareType(header(headers, 'x-amzn-errortype')) ??
    bareType(typeof body.__type === 'string' ? body.__type : undefined) ??
    bareType(typeof body.code === 'string' ? body.code : undefined);
  const raw = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : readErrorBody(text).message;
  const message = raw ? firstParagraph(raw) : undefined;
  const kind = kindForException(type, status);
  const words = message ?? (kind === 'rate_limited' ? 'the key is rate-limited' : kind === 'auth' ? 'check or rotate the key' : 'no details');
  // Bedrock sends no Retry-After (the router backs off); honour one if a proxy in front of it does.
  const retryAfterMs = parseRetryAfter(headers, now);
  return routeError(kind, `${PROVIDER}: HTTP ${status}${type ? ` ${type}` : ''}: ${words}${hintFor(type, words)}`, {
    status,
    ...(type ? { code: type } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** An exception or error frame inside a 200 stream. */
function streamFailure(m: EventStreamMessage, messageType: string): RouteFailure {
  if (messageType === 'exception') {
    const type = headerString(m, ':exception-type') ?? 'exception';
    let message: string | undefined;
    try {
      const j = JSON.parse(Buffer.from(m.payload).toString('utf8')) as { message?: unknown; Message?: unknown };
      const v = j.message ?? j.Message;
      if (typeof v === 'string') message = firstParagraph(v);
    } catch {
      /* a payload that is not JSON: the type alone says what happened */
    }
    return new RouteFailure(
      routeError(kindForException(type), `${PROVIDER}: error during the stream (${type})${message ? `: ${message}` : ''}`, { code: type }),
    );
  }
  const code = headerString(m, ':error-code') ?? 'error';
  const message = headerString(m, ':error-message');
  return new RouteFailure(
    routeError(kindForException(code), `${PROVIDER}: error during the stream (${code})${message ? `: ${firstParagraph(message)}` : ''}`, { code }),
  );
}

// ---------------------------------------------------------------------------------------------
// Streaming: ConverseStream events → chunks

const blockStartSchema = z.object({
  contentBlockIndex: z.number(),
  start: z.object({ toolUse: z.object({ toolUseId: z.string(), name: z.string() }).optional() }).optional(),
});

const blockDeltaSchema = z.object({
  contentBlockIndex: z.number(),
  delta: z.object({
    text: z.string().optional(),
    toolUse: z.object({ input: z.string() }).optional(),
    reasoningContent: z.object({ text: z.string().optional(), signature: z.string().optional(), redactedContent: z.string().optional() }).optional(),
  }),
});

const blockStopSchema = z.object({ contentBlockIndex: z.number() });
const messageStopSchema = z.object({ stopReason: z.string() });
const metadataSchema = z.object({ usage: tokenUsageSchema.optional() });

function eventPayload<T extends z.ZodType>(schema: T, m: EventStreamMessage, event: string): z.infer<T> {
  const json = parseJsonFrame(Buffer.from(m.payload).toString('utf8'), PROVIDER);
  const r = schema.safeParse(json);
  if (!r.success) throw new RouteFailure(routeError('server', `${PROVIDER} sent a malformed ${event} event`));
  return r.data;
}

export async function* converseStreamChunks(
  body: AsyncIterable<Uint8Array>,
  call: Pick<AdapterCall, 'nativeModel'>,
  limits: Pick<Limits, 'maxEventBytes'>,
  cache: ThinkingCache = new ThinkingCache(),
): AsyncGenerator<ChatChunk> {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: ChatChunk['choices'][0]['delta'], finish: FinishReason | null = null): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: call.nativeModel,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  /** contentBlockIndex → tool call ordinal, and whether its input has begun. */
  const tools = new Map<number, { index: number; id: string; args: boolean }>();
  const thinking: ThinkingBlock[] = [];
  let reasoningText = '';
  let signature = '';
  let stopped = false;

  const toolSlot = (blockIndex: number, start?: { toolUseId: string; name: string }) => {
    let slot = tools.get(blockIndex);
    const fresh = !slot;
    if (!slot) {
      // A delta for a block that never started: keep its input under a made-up id rather than lose it.
      slot = { index: tools.size, id: start?.toolUseId ?? `tooluse_${randomUUID().replace(/-/g, '').slice(0, 22)}`, args: false };
      tools.set(blockIndex, slot);
    }
    return { slot, fresh };
  };

  const messages = eventStreamMessages(body, limits.maxEventBytes);
  for (;;) {
    const next = await messages.next();
    if (next.done) break;
    const m = next.value;
    const messageType = headerString(m, ':message-type') ?? 'event';
    if (messageType !== 'event') throw streamFailure(m, messageType);
    const event = headerString(m, ':event-type');
    switch (event) {
      case 'messageStart':
        yield chunk({ role: 'assistant', content: '' });
        break;
      case 'contentBlockStart': {
        const e = eventPayload(blockStartSchema, m, event);
        const use = e.start?.toolUse;
        if (!use) break;
        const { slot } = toolSlot(e.contentBlockIndex, use);
        yield chunk({ tool_calls: [{ index: slot.index, id: use.toolUseId, type: 'function', function: { name: use.name, arguments: '' } }] });
        break;
      }
      case 'contentBlockDelta': {
        const { contentBlockIndex, delta } = eventPayload(blockDeltaSchema, m, event);
        if (delta.text) yield chunk({ content: delta.text });
        if (delta.toolUse) {
          const { slot, fresh } = toolSlot(contentBlockIndex);
          if (delta.toolUse.input) slot.args = true;
          const head = fresh ? { id: slot.id, type: 'function' as const } : {};
          yield chunk({ tool_calls: [{ index: slot.index, ...head, function: { arguments: delta.toolUse.input } }] });
        }
        const r = delta.reasoningContent;
        if (r?.text) {
          reasoningText += r.text;
          yield chunk({ reasoning: r.text });
        }
        if (r?.signature) signature += r.signature;
        if (r?.redactedContent) thinking.push({ type: 'redacted_thinking', data: r.redactedContent });
        break;
      }
      case 'contentBlockStop': {
        const { contentBlockIndex } = eventPayload(blockStopSchema, m, event);
        const slot = tools.get(contentBlockIndex);
        // A tool without parameters streams no input at all; OpenAI callers expect "{}".
        if (slot && !slot.args) {
          slot.args = true;
          yield chunk({ tool_calls: [{ index: slot.index, function: { arguments: '{}' } }] });
        }
        if (reasoningText && signature) {
          thinking.push({ type: 'thinking', thinking: reasoningText, signature });
          reasoningText = '';
          signature = '';
        }
        break;
      }
      case 'messageStop': {
        const { stopReason } = eventPayload(messageStopSchema, m, event);
        stopped = true;
        rememberReasoning(
          cache,
          [...tools.values()].map((t) => t.id),
          thinking,
        );
        const kept = signed(thinking);
        // The signed blocks go out whole, once, so a consumer can echo them on the next turn.
        yield chunk(kept.length ? { reasoning_details: detailsFromThinking(kept, FORMAT.bedrock) } : {}, finishReason(stopReason));
        break;
      }
      case 'metadata': {
        const { usage } = eventPayload(metadataSchema, m, event);
        if (usage) yield { ...chunk({}), choices: [], usage: toUsage(usage) };
        // metadata after messageStop is the last event: the answer is over, whatever the socket does.
        if (stopped) return void (await drainBriefly(messages, DRAIN_AFTER_END_MS));
        break;
      }
      default:
        break; // events newer than this adapter (citations, guardrail traces) carry nothing we map
    }
  }
  if (!stopped) throw new RouteFailure(routeError('network', `${PROVIDER}: the stream ended before messageStop`));
}

// ---------------------------------------------------------------------------------------------
// The adapter

function baseHeaders(call: Pick<AdapterCall, 'options'>, accept: string, json: boolean): Record<string, string> {
  return { ...lowerCaseHeaders(call.options.headers), ...(json ? { 'content-type': 'application/json' } : {}), accept };
}

/** `cache`: Claude's signed reasoning, kept by tool-call id until the tool loop sends that turn back. */
export function buildBedrockRequest(call: AdapterCall, now: Date, cache: ThinkingCache = new ThinkingCache()): HttpRequestSpec {
  const auth = bedrockAuth(call.secret, call.options.auth);
  const spec: HttpRequestSpec = {
    url: converseUrl(call),
    method: 'POST',
    headers: baseHeaders(call, call.stream ? EVENTSTREAM : 'application/json', true),
    body: JSON.stringify(buildConverseBody(call, cache)),
  };
  return authorize(spec, auth, bedrockRegion(call.options), now);
}

/** ListFoundationModels on the control plane: free, and proves the credentials (needs bedrock:ListFoundationModels). */
export function buildValidationRequest(call: Pick<AdapterCall, 'options' | 'secret'>, now: Date): HttpRequestSpec {
  const auth = bedrockAuth(call.secret, call.options.auth);
  const spec: HttpRequestSpec = {
    url: `${controlBase(call)}/foundation-models?byOutputModality=TEXT`,
    method: 'GET',
    headers: baseHeaders(call, 'application/json', false),
  };
  return authorize(spec, auth, bedrockRegion(call.options), now);
}

export function bedrockAdapter(_provider: ProviderId, state: ProviderState): ProviderAdapter {
  const cache = state.bedrockReasoning;
  return {
    family: 'bedrock',
    buildRequest: (call) => buildBedrockRequest(call, new Date(), cache),
    parseCompletion: (text, call) => parseConverseResponse(text, call, cache),
    streamChunks: (body, call, limits) => converseStreamChunks(body, call, limits, cache),
    classifyError: classifyBedrockError,
    validationRequest: (call) => buildValidationRequest(call, new Date()),
  };
}
