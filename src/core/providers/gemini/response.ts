/**
 * Gemini answers and streams → canonical completion or chunks, keeping thought signatures.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  completionOf,
  type ChatChunk,
  type ChatCompletion,
  type ChunkDelta,
  type FinishReason,
  type ToolCall,
  type ToolCallDelta,
  type Usage,
} from '../../chat';
import type { Limits } from '../../config/schema';
import { routeError, RouteFailure } from '../../errors';
import { parseJsonFrame, sseEvents } from '../../http/sse';
import { keepShape } from '../../keep-shape';
import { FORMAT, type ReasoningDetail } from '../../reasoning';
import { ThoughtSignatureCache } from './signatures';
import { GeminiResponse, classifyGeminiError, responseSchema, usageSchema } from './wire';

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);
/** The model broke its own tool call: nothing usable came back, another route may do better. */
const BROKEN_CALL = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

export function geminiUsage(u: z.infer<typeof usageSchema>): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.totalTokenCount ?? prompt + completion };
  if (u.cachedContentTokenCount !== undefined) usage.prompt_tokens_details = { cached_tokens: u.cachedContentTokenCount };
  if (u.thoughtsTokenCount !== undefined) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/** Who is reading: the provider for messages, where signatures go, the model until Gemini names its version. */
export interface GeminiReadContext {
  provider: string;
  signatures: ThoughtSignatureCache;
  model: string;
}

/**
 * What one Gemini response (a whole answer or one stream event) adds, with the state that spans a
 * stream: how many tool calls so far (their indexes and synthesized ids) and whether output began.
 */
class ResponseReader {
  toolCalls = 0;
  produced = false;
  finish: FinishReason | null = null;
  usage: Usage | undefined;
  id: string;
  model: string;
  private readonly provider: string;
  private readonly signatures: ThoughtSignatureCache;
  private readonly salt = randomUUID();

  constructor(ctx: GeminiReadContext) {
    this.provider = ctx.provider;
    this.signatures = ctx.signatures;
    this.model = ctx.model;
    this.id = `gen-${randomUUID()}`;
  }

  read(raw: unknown): ChunkDelta {
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) throw new RouteFailure(routeError('server', `${this.provider} sent a response in an unexpected shape`));
    const r: GeminiResponse = parsed.data;
    if (r.responseId) this.id = r.responseId;
    if (r.modelVersion) this.model = r.modelVersion;
    if (r.usageMetadata) this.usage = geminiUsage(r.usageMetadata);
    const delta: ChunkDelta = {};
    const candidate = r.candidates?.[0];
    const tools: ToolCallDelta[] = [];
    const details: ReasoningDetail[] = [];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall) {
        const fc = part.functionCall;
        const index = this.toolCalls++;
        const id = fc.id || this.syntheticId(r.responseId, index);
        if (part.thoughtSignature) {
          this.signatures.remember(id, part.thoughtSignature);
          // Out to the consumer too, keyed by the call, so an echoing host restores it without the cache.
          details.push({ type: 'reasoning.encrypted', data: part.thoughtSignature, id, format: FORMAT.gemini });
        }
        tools.push({ index, id, type: 'function', function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) } });
      } else if (typeof part.text === 'string' && part.text) {
        if (part.thought) delta.reasoning = (delta.reasoning ?? '') + part.text;
        else delta.content = (delta.content ?? '') + part.text;
      }
    }
    if (tools.length) delta.tool_calls = tools;
    if (details.length) delta.reasoning_details = details;
    if (delta.content || delta.reasoning || tools.length) this.produced = true;
    const reason = candidate?.finishReason;
    if (reason && reason !== 'FINISH_REASON_UNSPECIFIED') this.finish = this.mapFinish(reason);
    else if (!candidate && r.promptFeedback?.blockReason) this.finish = 'content_filter';
    return delta;
  }

  private mapFinish(reason: string): FinishReason {
    if (reason === 'MAX_TOKENS') return 'length';
    if (FILTERED.has(reason)) return 'content_filter';
    if (BROKEN_CALL.has(reason) && !this.produced) {
      throw new RouteFailure(routeError('server', `${this.provider}: the model ended with ${reason} and produced nothing usable`, { code: reason }));
    }
    return this.toolCalls > 0 ? 'tool_calls' : 'stop';
  }

  /** Gemini may omit call ids. Derived from the response id when there is one, so one answer names its calls the same way every time it is read. */
  private syntheticId(responseId: string | null | undefined, index: number): string {
    const seed = `${responseId || this.salt}:${index}`;
    return `call_${createHash('sha256').update(seed).digest('base64url').slice(0, 24)}`;
  }
}
keepShape(new ResponseReader({ provider: '', signatures: new ThoughtSignatureCache(1), model: '' }));

/** A response or stream event, as far as it is read before the schema: Gemini reports some failures in the body. */
type Frame = { error?: unknown } | null | undefined;

function failureFromBodyError(provider: string, e: unknown): RouteFailure {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  const status = typeof code === 'number' ? code : 500;
  return new RouteFailure(classifyGeminiError(provider, status, {}, JSON.stringify({ error: e }), Date.now()));
}

export function parseGeminiCompletion(text: string, ctx: GeminiReadContext): ChatCompletion {
  const { provider } = ctx;
  const parsed = parseJsonFrame(text.trim(), provider);
  // streamGenerateContent without alt=sse answers a JSON array of responses; be tolerant of it.
  const responses = (Array.isArray(parsed) ? parsed : [parsed]) as Frame[];
  const reader = new ResponseReader(ctx);
  const content: string[] = [];
  const reasoning: string[] = [];
  const details: ReasoningDetail[] = [];
  const toolCalls: ToolCall[] = [];
  for (const o of responses) {
    if (o?.error) throw failureFromBodyError(provider, o.error);
    const d = reader.read(o);
    if (d.content) content.push(d.content);
    if (d.reasoning) reasoning.push(d.reasoning);
    if (d.reasoning_details) details.push(...d.reasoning_details);
    for (const t of d.tool_calls ?? [])
      toolCalls.push({ id: t.id!, type: 'function', function: { name: t.function!.name!, arguments: t.function!.arguments! } });
  }
  return completionOf({
    id: reader.id,
    model: reader.model,
    text: content,
    reasoning,
    details,
    toolCalls,
    finish: reader.finish,
    ...(reader.usage ? { usage: reader.usage } : {}),
  });
}

async function collect(body: AsyncIterable<Uint8Array>, max: number, provider: string): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const b of body) {
    size += b.byteLength;
    if (size > max) throw new RouteFailure(routeError('server', `${provider}: a stream event exceeded the ${max}-byte limit`));
    parts.push(b);
  }
  return Buffer.concat(parts).toString('utf8');
}

export async function* streamGeminiChunks(body: AsyncIterable<Uint8Array>, limits: Limits, ctx: GeminiReadContext): AsyncGenerator<ChatChunk> {
  const { provider } = ctx;
  const reader = new ResponseReader(ctx);
  const created = Math.floor(Date.now() / 1000);
  let sentUsage: Usage | undefined;
  let first = true;
  const chunk = (delta: ChunkDelta, finish: FinishReason | null, withUsage: boolean): ChatChunk => {
    const c: ChatChunk = {
      id: reader.id,
      object: 'chat.completion.chunk',
      created,
      model: reader.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    if (withUsage && reader.usage) {
      c.usage = reader.usage;
      sentUsage = reader.usage;
    }
    return c;
  };
  const handle = function* (o: Frame): Generator<ChatChunk> {
    if (o?.error) throw failureFromBodyError(provider, o.error);
    const hadFinish = reader.finish !== null;
    const delta = reader.read(o);
    const finishing = !hadFinish && reader.finish !== null;
    if (!(delta.content || delta.reasoning || delta.tool_calls || finishing)) return;
    if (first) {
      first = false;
      yield chunk({ role: 'assistant', ...delta }, finishing ? reader.finish : null, finishing);
    } else yield chunk(delta, finishing ? reader.finish : null, finishing);
  };

  for await (const ev of sseEvents(body, limits.maxEventBytes)) {
    if (!ev.data) continue;
    yield* handle(parseJsonFrame(ev.data, provider) as Frame);
  }
  if (reader.finish === null) {
    throw new RouteFailure(routeError('network', `${provider}: the stream ended before it finished (no finishReason)`));
  }
  // usageMetadata are running totals and may keep coming after the finish; the last one counts.
  if (reader.usage && reader.usage !== sentUsage) {
    yield { id: reader.id, object: 'chat.completion.chunk', created, model: reader.model, choices: [], usage: reader.usage };
  }
}

/**
 * A stream whose body is JSON rather than SSE: sniffed from the first bytes and handled whole, so
 * a bare `{"error":…}` becomes a classified error instead of "the stream ended early".
 */
export async function* streamGeminiBody(body: AsyncIterable<Uint8Array>, limits: Limits, ctx: GeminiReadContext): AsyncGenerator<ChatChunk> {
  const it = body[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let text = '';
  let done = false;
  while (!text.trim()) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    head.push(n.value);
    text += Buffer.from(n.value).toString('utf8');
  }
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield* head;
      if (done) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    },
  };
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    const completion = parseGeminiCompletion(await collect(rest, limits.maxEventBytes, ctx.provider), ctx);
    yield* completionAsChunks(completion);
    return;
  }
  yield* streamGeminiChunks(rest, limits, ctx);
}

function* completionAsChunks(c: ChatCompletion): Generator<ChatChunk> {
  const choice = c.choices[0]!;
  const m = choice.message;
  const delta: ChunkDelta = { role: 'assistant' };
  if (m.content) delta.content = m.content;
  if (m.reasoning) delta.reasoning = m.reasoning;
  if (m.tool_calls?.length) delta.tool_calls = m.tool_calls.map((t, index) => ({ index, id: t.id, type: 'function', function: t.function }));
  yield {
    id: c.id,
    object: 'chat.completion.chunk',
    created: c.created,
    model: c.model,
    choices: [{ index: 0, delta, finish_reason: choice.finish_reason }],
    ...(c.usage ? { usage: c.usage } : {}),
  };
}
