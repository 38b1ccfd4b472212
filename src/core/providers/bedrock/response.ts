/**
 * Converse answers and ConverseStream events → canonical completion or chunks.
 */
import { drainBriefly, DRAIN_AFTER_END_MS } from '../../http/drain';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { completionOf, type ChatChunk, type ChatCompletion, type FinishReason, type ToolCall, type Usage } from '../../chat';
import type { Limits } from '../../config/schema';
import { routeError, RouteFailure } from '../../errors';
import { eventStreamMessages, headerString, type EventStreamMessage } from '../../http/eventstream';
import { parseJsonFrame } from '../../http/sse';
import { keepShape } from '../../keep-shape';
import { ThinkingCache, type ThinkingBlock } from '../anthropic/thinking-cache';
import { detailsFromThinking } from '../anthropic/request';
import { FORMAT } from '../../reasoning';
import type { AdapterCall } from '../types';
import { PROVIDER } from './request';
import { streamFailure } from './wire';

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
  return completionOf({
    id: completionId(),
    model: call.nativeModel,
    text: texts,
    reasoning,
    details: detailsFromThinking(signed(thinking), FORMAT.bedrock),
    toolCalls,
    finish: finishReason(o.stopReason),
    ...(o.usage ? { usage: toUsage(o.usage) } : {}),
  });
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
  const stream = new ConverseStream(call.nativeModel, cache);
  const messages = eventStreamMessages(body, limits.maxEventBytes);
  for (;;) {
    const next = await messages.next();
    if (next.done) break;
    const m = next.value;
    const messageType = headerString(m, ':message-type') ?? 'event';
    if (messageType !== 'event') throw streamFailure(m, messageType);
    yield* stream.on(headerString(m, ':event-type'), m);
    // metadata after messageStop is the last event: the answer is over, whatever the socket does.
    if (stream.over) return void (await drainBriefly(messages, DRAIN_AFTER_END_MS));
  }
  if (!stream.stopped) throw new RouteFailure(routeError('network', `${PROVIDER}: the stream ended before messageStop`));
}

/** One ConverseStream answer being read: each event in, the chunks it makes out. */
class ConverseStream {
  private readonly id = completionId();
  private readonly created = Math.floor(Date.now() / 1000);
  /** contentBlockIndex → tool call ordinal, and whether its input has begun. */
  private readonly tools = new Map<number, { index: number; id: string; args: boolean }>();
  private readonly thinking: ThinkingBlock[] = [];
  private reasoningText = '';
  private signature = '';
  stopped = false;
  over = false;

  constructor(
    private readonly model: string,
    private readonly cache: ThinkingCache,
  ) {}

  private chunk(delta: ChatChunk['choices'][0]['delta'], finish: FinishReason | null = null): ChatChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  on(event: string | undefined, m: EventStreamMessage): ChatChunk[] {
    switch (event) {
      case 'messageStart':
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'contentBlockStart':
        return this.blockStart(eventPayload(blockStartSchema, m, event));
      case 'contentBlockDelta':
        return this.blockDelta(eventPayload(blockDeltaSchema, m, event));
      case 'contentBlockStop':
        return this.blockStop(eventPayload(blockStopSchema, m, event).contentBlockIndex);
      case 'messageStop':
        return this.messageStop(eventPayload(messageStopSchema, m, event).stopReason);
      case 'metadata': {
        const { usage } = eventPayload(metadataSchema, m, event);
        this.over = this.stopped;
        return usage ? [{ ...this.chunk({}), choices: [], usage: toUsage(usage) }] : [];
      }
      default:
        return []; // events newer than this adapter (citations, guardrail traces) carry nothing we map
    }
  }

  private toolSlot(blockIndex: number, start?: { toolUseId: string; name: string }) {
    let slot = this.tools.get(blockIndex);
    const fresh = !slot;
    if (!slot) {
      // A delta for a block that never started: keep its input under a made-up id rather than lose it.
      slot = { index: this.tools.size, id: start?.toolUseId ?? `tooluse_${randomUUID().replace(/-/g, '').slice(0, 22)}`, args: false };
      this.tools.set(blockIndex, slot);
    }
    return { slot, fresh };
  }

  private blockStart(e: z.infer<typeof blockStartSchema>): ChatChunk[] {
    const use = e.start?.toolUse;
    if (!use) return [];
    const { slot } = this.toolSlot(e.contentBlockIndex, use);
    return [this.chunk({ tool_calls: [{ index: slot.index, id: use.toolUseId, type: 'function', function: { name: use.name, arguments: '' } }] })];
  }

  private blockDelta({ contentBlockIndex, delta }: z.infer<typeof blockDeltaSchema>): ChatChunk[] {
    const out: ChatChunk[] = [];
    if (delta.text) out.push(this.chunk({ content: delta.text }));
    if (delta.toolUse) {
      const { slot, fresh } = this.toolSlot(contentBlockIndex);
      if (delta.toolUse.input) slot.args = true;
      const head = fresh ? { id: slot.id, type: 'function' as const } : {};
      out.push(this.chunk({ tool_calls: [{ index: slot.index, ...head, function: { arguments: delta.toolUse.input } }] }));
    }
    const r = delta.reasoningContent;
    if (r?.text) {
      this.reasoningText += r.text;
      out.push(this.chunk({ reasoning: r.text }));
    }
    if (r?.signature) this.signature += r.signature;
    if (r?.redactedContent) this.thinking.push({ type: 'redacted_thinking', data: r.redactedContent });
    return out;
  }

  private blockStop(blockIndex: number): ChatChunk[] {
    const out: ChatChunk[] = [];
    const slot = this.tools.get(blockIndex);
    // A tool without parameters streams no input at all; OpenAI callers expect "{}".
    if (slot && !slot.args) {
      slot.args = true;
      out.push(this.chunk({ tool_calls: [{ index: slot.index, function: { arguments: '{}' } }] }));
    }
    if (this.reasoningText && this.signature) {
      this.thinking.push({ type: 'thinking', thinking: this.reasoningText, signature: this.signature });
      this.reasoningText = '';
      this.signature = '';
    }
    return out;
  }

  private messageStop(stopReason: string): ChatChunk[] {
    this.stopped = true;
    rememberReasoning(
      this.cache,
      [...this.tools.values()].map((t) => t.id),
      this.thinking,
    );
    const kept = signed(this.thinking);
    // The signed blocks go out whole, once, so a consumer can echo them on the next turn.
    return [this.chunk(kept.length ? { reasoning_details: detailsFromThinking(kept, FORMAT.bedrock) } : {}, finishReason(stopReason))];
  }
}
keepShape(new ConverseStream('', new ThinkingCache(1)));
