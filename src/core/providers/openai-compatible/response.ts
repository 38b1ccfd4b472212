/**
 * A compatible provider's body or SSE stream → canonical completion or chunks.
 */
import { drainBriefly, DRAIN_AFTER_END_MS } from '../../http/drain';
import { chunkHasContent, type ChatChunk, type ChatCompletion, type FinishReason } from '../../chat';
import { routeError, RouteFailure } from '../../errors';
import { parseJsonFrame, SseDecoder, type SseEvent } from '../../http/sse';
import type { Limits } from '../../config/schema';
import { WireFrame, baseRespError, bodyError, readUsage, streamError } from './wire';

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};
/** What a stream event maps to when it is the `[DONE]` sentinel. */
const DONE = Symbol('done');

export function parseCompatCompletion(provider: string, text: string): ChatCompletion {
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
}

/** The chunks one by one, for callers that want them so; the router reads batches. */
export async function* streamCompatChunks(provider: string, body: AsyncIterable<Uint8Array>, limits: Limits): AsyncIterable<ChatChunk> {
  for await (const batch of streamCompatBatches(provider, body, limits)) yield* batch;
}

export async function* streamCompatBatches(provider: string, body: AsyncIterable<Uint8Array>, limits: Limits): AsyncIterable<ChatChunk[]> {
  // The body is read here rather than through sseEvents, and every chunk one read completed
  // goes out as one batch: one async-generator hop per read instead of two per chunk, which
  // was most of this transform's cost over a bare parse.
  const sse = new SseDecoder(limits.maxEventBytes);
  const seen = { finished: false };
  let done = false;
  let spoke = false;
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
      let batch: ChatChunk[] = [];
      let failure: unknown;
      try {
        for (const ev of sse.push(n.value)) {
          head = undefined;
          const chunk = toChunk(provider, ev, seen);
          if (chunk === DONE) {
            done = true;
            break;
          }
          if (!chunk) continue;
          batch.push(chunk);
          // Up to the first content, each chunk goes out at once: a read holding a whole
          // burst must not hold the first token back behind the parse of all the rest.
          if (!spoke && chunkHasContent(chunk)) {
            spoke = true;
            yield batch;
            batch = [];
          }
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
    const chunk = toChunk(provider, ev, seen);
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
  if (!seen.finished) throw new RouteFailure(routeError('network', `${provider}: the stream ended before it finished (no finish_reason, no [DONE])`));
}

/** One event → a chunk, nothing (no choices, no usage), or the end. Throws for an error in the stream. */
function toChunk(provider: string, ev: SseEvent, seen: { finished: boolean }): ChatChunk | typeof DONE | undefined {
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
    seen.finished = true;
  } else if (fr === undefined) choice.finish_reason = null;
  return o as ChatChunk;
}
