/**
 * Anthropic Messages answers and streams → canonical completion or chunks; signed thinking is
 * kept for the next turn of a tool loop.
 */
import { completionOf, type ChatChunk, type ChatCompletion, type ChunkDelta, type FinishReason, type ToolCall, type Usage } from '../../chat';
import type { Limits } from '../../config/schema';
import { routeError, RouteFailure, type ErrorKind, type RouteError } from '../../errors';
import { parseJsonFrame, sseEvents } from '../../http/sse';
import { detailsFromThinking } from './request';
import { ThinkingCache, type ThinkingBlock } from './thinking-cache';
import type { AdapterCall } from '../types';
import { EVENTS, RawBlock, RawUsage, errorEventSchema, messageSchema, read } from './wire';

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

export function parseMessage(text: string, call: AdapterCall, cache: ThinkingCache): ChatCompletion {
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
  return completionOf({
    id: m.id,
    model: m.model ?? call.nativeModel,
    text: text_,
    reasoning,
    details: detailsFromThinking(thinking),
    toolCalls,
    finish: finishReason(m.stop_reason),
    ...(m.usage ? { usage: toUsage(m.usage) } : {}),
  });
}

/**
 * Typed SSE → OpenAI chunks. Content-block indexes count every block (text, thinking, tool use),
 * while OpenAI's tool-call index counts tool calls only, hence the map between them.
 */
interface ChunkHead {
  id: string;
  created: number;
  model: string;
}

function chunkOf(head: ChunkHead, delta: ChunkDelta, finish: FinishReason | null, u?: Usage): ChatChunk {
  return {
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(u ? { usage: u } : {}),
  };
}

export async function* streamMessages(body: AsyncIterable<Uint8Array>, call: AdapterCall, limits: Limits, cache: ThinkingCache): AsyncIterable<ChatChunk> {
  const label = call.provider;
  const head: ChunkHead = { id: '', created: Math.floor(Date.now() / 1000), model: call.nativeModel };
  let stop: string | null | undefined;
  const usage: RawUsage = {};
  const toolIndex = new Map<number, number>();
  const toolIds: string[] = [];
  const thinking = new Map<number, RawBlock>();
  const chunk = (delta: ChunkDelta, finish: FinishReason | null = null, u?: Usage): ChatChunk => chunkOf(head, delta, finish, u);

  for await (const ev of sseEvents(body, limits.maxEventBytes)) {
    const o = parseJsonFrame(ev.data, label) as { type?: unknown };
    const type = typeof o?.type === 'string' ? o.type : ev.event;
    switch (type) {
      case 'message_start': {
        const m = read(EVENTS.message_start, o, label, 'message_start event').message;
        head.id = m.id;
        head.model = m.model ?? head.model;
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
