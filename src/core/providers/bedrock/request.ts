/**
 * Bedrock Converse: credentials, endpoints and the request translation (OpenAI chat → Converse).
 */
import { pathSegment } from '../../http/url';
import { z } from 'zod';
import type { ChatMessage, ChatRequest } from '../../chat';
import { routeError, RouteFailure } from '../../errors';
import type { HttpRequestSpec } from '../../http/client';
import { ThinkingCache, type ThinkingBlock } from '../anthropic/thinking-cache';
import { MAX_CACHE_BREAKPOINTS, thinkingFromDetails } from '../anthropic/request';
import { detailsIn, FORMAT } from '../../reasoning';
import { signRequest, type AwsCredentials } from './sigv4';
import type { AdapterCall } from '../types';
import { alternatingTurns, type Turn as TurnOf } from '../turns';

export const PROVIDER = 'amazon-bedrock';
export const DEFAULT_REGION = 'us-east-1';
const SERVICE = 'bedrock';
export const EVENTSTREAM = 'application/vnd.amazon.eventstream';

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

export function controlBase(call: Pick<AdapterCall, 'options'>): string {
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

export function lowerCaseHeaders(h: Record<string, string> | undefined): Record<string, string> {
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
