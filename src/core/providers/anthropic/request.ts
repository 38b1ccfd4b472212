/**
 * Canonical (OpenAI Chat Completions) request → Anthropic Messages body.
 * What Claude insists on and OpenAI does not: the system prompt apart, `max_tokens` always,
 * strict user/assistant alternation starting with user, every tool result of a turn in the one
 * user message after it, and signed thinking blocks replayed before the tool calls they led to.
 */
import type { ChatMessage, ChatRequest } from '../../chat';
import { detailsIn, FORMAT, type ReasoningDetail } from '../../reasoning';
import { ThinkingCache, type ThinkingBlock } from './thinking-cache';
import type { AdapterCall } from '../types';
import { alternatingTurns, type Turn as TurnOf } from '../turns';

/** How a host wraps the body: Vertex and Bedrock name the model in the URL and the version in the body. */
export interface MessagesVariant {
  model: boolean;
  anthropicVersion?: string;
}

export const DIRECT: MessagesVariant = { model: true };
export const VERTEX: MessagesVariant = { model: false, anthropicVersion: 'vertex-2023-10-16' };

export const DEFAULT_MAX_TOKENS = 4096;
const MIN_THINKING_BUDGET = 1024;

type Block = Record<string, unknown> & { type: string };
type Turn = TurnOf<Block>;

type Part = { type: string; text?: string; image_url?: { url: string }; cache_control?: unknown };

function parts(content: unknown): Part[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return Array.isArray(content) ? (content as Part[]) : [];
}

/** Prompt-caching marks ride along on content parts (OpenRouter's convention). */
function withCache(block: Block, p: Part): Block {
  return p.cache_control ? { ...block, cache_control: p.cache_control } : block;
}

function imageBlock(url: string): Block {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

/** Text and image parts; Claude refuses empty text blocks, so they are dropped. */
function contentBlocks(content: unknown): Block[] {
  const out: Block[] = [];
  for (const p of parts(content)) {
    if (p.type === 'text' && p.text) out.push(withCache({ type: 'text', text: p.text }, p));
    else if (p.type === 'image_url' && p.image_url?.url) out.push(withCache(imageBlock(p.image_url.url), p));
  }
  return out;
}

function toolInput(args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args || '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {}; // the model's own broken JSON; Claude needs an object to accept the turn at all
  }
}

/** Signed thinking as `reasoning_details` (what the consumer echoed back) → Claude's blocks. */
export function thinkingFromDetails(details: readonly ReasoningDetail[]): ThinkingBlock[] {
  const out: ThinkingBlock[] = [];
  for (const d of details) {
    if (d.type === 'reasoning.text' && d.signature) out.push({ type: 'thinking', thinking: d.text, signature: d.signature });
    else if (d.type === 'reasoning.encrypted') out.push({ type: 'redacted_thinking', data: d.data });
  }
  return out;
}

/** Claude's signed thinking → `reasoning_details`, so a consumer can carry them to the next turn. */
export function detailsFromThinking(blocks: readonly ThinkingBlock[], format: string = FORMAT.anthropic): ReasoningDetail[] {
  return blocks.map((b) =>
    b.type === 'thinking'
      ? { type: 'reasoning.text', text: b.thinking, signature: b.signature, format }
      : { type: 'reasoning.encrypted', data: b.data, format },
  );
}

function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, cache: ThinkingCache): Block[] {
  const calls = m.tool_calls ?? [];
  // What the consumer echoed wins; the process-wide cache serves hosts that do not echo.
  const echoed = calls.length ? thinkingFromDetails(detailsIn(m, FORMAT.anthropic)) : [];
  const thinking: ThinkingBlock[] = echoed.length ? echoed : calls.length ? (cache.recall(calls.map((c) => c.id)) ?? []) : [];
  const blocks: Block[] = [
    ...thinking.map((b) => ({ ...b })),
    ...contentBlocks(m.content),
    ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.function.name, input: toolInput(c.function.arguments) })),
  ];
  // A breakpoint after a tool call rides on the message (a tool call has no content part to carry it).
  const mark = (m as { cache_control?: unknown }).cache_control;
  const last = blocks[blocks.length - 1];
  if (mark && last && last.type !== 'thinking' && last.type !== 'redacted_thinking') last.cache_control = mark;
  return blocks;
}

function toolResult(m: Extract<ChatMessage, { role: 'tool' }>): Block {
  const blocks = contentBlocks(m.content);
  // A breakpoint at the end of a tool's output marks the tool_result block itself.
  const tail = blocks[blocks.length - 1];
  const mark = tail?.cache_control ?? (m as { cache_control?: unknown }).cache_control;
  if (tail?.cache_control) delete tail.cache_control;
  const onlyText = blocks.every((b) => b.type === 'text' && !b.cache_control);
  const content = onlyText ? blocks.map((b) => b.text as string).join('') : blocks;
  return {
    type: 'tool_result',
    tool_use_id: m.tool_call_id,
    ...(blocks.length ? { content } : {}), // a tool that printed nothing: Claude wants no content rather than an empty one
    ...((m as { is_error?: boolean }).is_error ? { is_error: true } : {}),
    ...(mark ? { cache_control: mark } : {}),
  };
}

/** Anthropic's limit on cache breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

/**
 * Keeps the last four breakpoints (system, then turns, in prompt order) and drops the earlier
 * ones: the latest marks cover the longest prefixes, so they save the most.
 */
export function keepLastBreakpoints(system: Block[], turns: Turn[], max = MAX_CACHE_BREAKPOINTS): number {
  const marked = [...system, ...turns.flatMap((t) => t.content)].filter((b) => b.cache_control);
  const drop = marked.slice(0, Math.max(0, marked.length - max));
  for (const b of drop) delete b.cache_control;
  return drop.length;
}

/** Messages → alternating turns plus the system prompt gathered from wherever it appeared. */
export function toMessages(messages: ChatMessage[], cache: ThinkingCache = new ThinkingCache()): { system: Block[]; turns: Turn[] } {
  return alternatingTurns<Block>(messages, {
    system: (m) => contentBlocks(m.content).filter((b) => b.type === 'text'),
    user: (m) => contentBlocks(m.content),
    assistant: (m) => assistantBlocks(m, cache),
    tool: toolResult,
    isToolResult: (b) => b.type === 'tool_result',
    opener: { type: 'text', text: '(conversation start)' },
  });
}

function toolChoice(req: ChatRequest): Record<string, unknown> | undefined {
  const c = req.tool_choice;
  const parallel = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (c === 'none') return { type: 'none' };
  if (c === 'required') return { type: 'any', ...parallel };
  if (typeof c === 'object') return { type: 'tool', name: c.function.name, ...parallel };
  if (c === 'auto' || req.parallel_tool_calls === false) return { type: 'auto', ...parallel };
  return undefined;
}

const EFFORT_SHARE: Record<string, number> = { minimal: 0.2, low: 0.2, medium: 0.5, high: 0.8 };

/** The reasoning knobs clients send beside the canonical fields: Anthropic's, OpenRouter's and OpenAI's. */
interface ReasoningKnobs {
  thinking?: unknown;
  reasoning?: { enabled?: boolean; effort?: string; max_tokens?: unknown } | null;
  reasoning_effort?: string;
}

/**
 * Extended thinking from an Anthropic-native `thinking` field, or OpenRouter's `reasoning` /
 * OpenAI's `reasoning_effort`, as a share of max_tokens the way OpenRouter maps effort.
 */
function thinking(req: ChatRequest & ReasoningKnobs, maxTokens: number): Record<string, unknown> | undefined {
  if (req.thinking && typeof req.thinking === 'object') return req.thinking as Record<string, unknown>;
  const r = req.reasoning;
  if (r?.enabled === false || r?.effort === 'none' || req.reasoning_effort === 'none') return undefined;
  const effort: string | undefined = r?.effort ?? req.reasoning_effort ?? (r?.enabled ? 'medium' : undefined);
  let budget: number | undefined = typeof r?.max_tokens === 'number' ? r.max_tokens : undefined;
  if (budget === undefined && effort) budget = Math.floor(maxTokens * (EFFORT_SHARE[effort] ?? 0.5));
  if (budget === undefined) return undefined;
  budget = Math.min(Math.max(budget, MIN_THINKING_BUDGET), maxTokens - 1);
  return budget >= MIN_THINKING_BUDGET ? { type: 'enabled', budget_tokens: budget } : undefined;
}

export function maxTokensFor(call: AdapterCall): number {
  const r = call.request;
  return r.max_completion_tokens ?? r.max_tokens ?? call.model?.providers[call.provider]?.maxOutput ?? call.model?.maxOutput ?? DEFAULT_MAX_TOKENS;
}

export function buildMessagesBody(call: AdapterCall, variant: MessagesVariant = DIRECT, cache: ThinkingCache = new ThinkingCache()): Record<string, unknown> {
  const req = call.request as ChatRequest & ReasoningKnobs;
  const { system, turns } = toMessages(req.messages, cache);
  keepLastBreakpoints(system, turns);
  const maxTokens = maxTokensFor(call);
  const body: Record<string, unknown> = {};
  if (variant.model) body.model = call.nativeModel;
  if (variant.anthropicVersion) body.anthropic_version = variant.anthropicVersion;
  body.max_tokens = maxTokens;
  if (system.length) body.system = system.some((b) => b.cache_control) ? system : system.map((b) => b.text).join('\n\n');
  body.messages = turns;

  const choice = req.tools?.length ? toolChoice(req) : undefined;
  // Claude refuses thinking together with a forced tool call; the forced call wins.
  const think = choice?.type === 'any' || choice?.type === 'tool' ? undefined : thinking(req, maxTokens);
  if (think) body.thinking = think;
  else {
    // Claude's range is 0–1; OpenAI's is 0–2. With thinking on, Claude wants neither knob.
    if (req.temperature !== undefined) body.temperature = Math.min(Math.max(req.temperature, 0), 1);
    if (req.top_p !== undefined) body.top_p = req.top_p;
    if (typeof req.top_k === 'number') body.top_k = req.top_k;
  }
  const stops = (typeof req.stop === 'string' ? [req.stop] : (req.stop ?? [])).filter((s) => s.trim());
  if (stops.length) body.stop_sequences = stops;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      // Claude requires an object schema; OpenAI tolerates a bare or missing one.
      input_schema: { type: 'object', properties: {}, ...t.function.parameters },
    }));
    if (choice) body.tool_choice = choice;
  }
  if (req.user) body.metadata = { user_id: req.user };
  if (call.stream) body.stream = true;
  return body;
}
