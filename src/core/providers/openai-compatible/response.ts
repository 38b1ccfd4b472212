/**
 * A compatible provider's body or SSE stream → canonical completion or chunks.
 */
import { drainBriefly, DRAIN_AFTER_END_MS } from '../../http/drain';
import { chunkHasContent, type ChatChunk, type ChatCompletion, type ChunkDelta, type FinishReason, type ToolCall } from '../../chat';
import { routeError, RouteFailure } from '../../errors';
import { parseJsonFrame, SSE_SLICE_BYTES, SseDecoder, type SseEvent } from '../../http/sse';
import type { Limits } from '../../config/schema';
import { keepShape } from '../../keep-shape';
import { TextFrames } from './text-frames';
import { baseRespError, bodyError, readUsage, streamError, type WireChoice, type WireFrame, type WireMessage } from './wire';

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};
/** A provider's finish reason under its canonical name; one we do not know passes as sent. */
const finishOf = (fr: string): FinishReason => FINISH[fr] ?? (fr as FinishReason);
/** What a stream event maps to when it is the `[DONE]` sentinel. */
const DONE = Symbol('done');

export function parseCompatCompletion(provider: string, text: string): ChatCompletion {
  // DeepSeek pads non-streaming answers with blank lines while it thinks.
  const o = parseJsonFrame(text.trim(), provider) as WireFrame | null;
  if (o?.error) throw new RouteFailure(streamError(provider, o.error));
  const inBody = baseRespError(provider, o);
  if (inBody) throw new RouteFailure(inBody);
  if (!Array.isArray(o?.choices)) throw new RouteFailure(routeError('server', `${provider}: response has no choices`));
  const completion: ChatCompletion = {
    id: o.id ?? '',
    object: 'chat.completion',
    created: o.created ?? 0,
    model: o.model ?? '',
    choices: o.choices.map((c, i) => {
      const fr = c.finish_reason;
      const choice: ChatCompletion['choices'][number] = {
        index: c.index ?? i,
        message: readMessage(c.message),
        finish_reason: fr ? finishOf(fr) : null,
      };
      if (c.logprobs != null) choice.logprobs = c.logprobs;
      return choice;
    }),
  };
  const usage = readUsage(o);
  if (usage) completion.usage = usage;
  return completion;
}

function readMessage(m: WireMessage | undefined): ChatCompletion['choices'][number]['message'] {
  const out: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: m?.content ?? null };
  if (!m) return out;
  const reasoning = m.reasoning ?? m.reasoning_content;
  if (reasoning != null) out.reasoning = reasoning;
  if (m.reasoning_details !== undefined) out.reasoning_details = m.reasoning_details;
  if (m.tool_calls !== undefined) out.tool_calls = m.tool_calls as ToolCall[];
  if (m.refusal != null) out.refusal = m.refusal;
  if (m.annotations !== undefined) out.annotations = m.annotations;
  return out;
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
  const r = new EventReader(provider);
  // Until the first event, the raw text: a 200 that is a JSON error instead of a stream
  // (MiniMax's base_resp) is then classified for what it says, not as a cut-off stream.
  let head: string | undefined = '';
  const it = body[Symbol.asyncIterator]();
  let ended = false;
  try {
    while (!ended && !r.done) {
      const n = await it.next();
      ended = n.done === true;
      if (!ended) sse.write(n.value);
      do {
        // Until the first content, a read is decoded and parsed a slice at a time: a read holding
        // the first token and a burst behind it hands the token over before the burst is read.
        // At the end of the body, whatever a last unterminated event held.
        const events = ended ? sse.end() : sse.feed(r.spoke ? Infinity : SSE_SLICE_BYTES);
        if (events.length) head = undefined;
        else if (head !== undefined && head.length < 65_536) head += sse.text;
        r.start(events);
        while (r.more()) {
          const batch = r.take();
          if (batch.length) yield batch;
          if (r.failure !== undefined) throw r.failure;
        }
      } while (sse.buffered && !r.done);
    }
  } catch (e) {
    if (!r.done) throw e; // the answer was complete; what happened to the rest does not matter
  }
  if (r.done) {
    // The answer is over at [DONE], whatever the server does with its socket. Servers close
    // right after it, and reading that close keeps Node from aborting the body (an AbortError
    // whose stack it formats, a measurable cost per stream); one that keeps the socket open,
    // or keeps sending comments, is let go after a moment and the router releases it.
    if (!ended) await drainBriefly(it, DRAIN_AFTER_END_MS);
    return;
  }
  const inBody = head ? bodyError(provider, head, 0) : undefined;
  if (inBody) throw new RouteFailure(inBody);
  // Some gateways omit [DONE]; a stream that said why it finished is complete.
  if (!r.finished) throw new RouteFailure(routeError('network', `${provider}: the stream ended before it finished (no finish_reason, no [DONE])`));
}

/**
 * The events of one read → batches of chunks. The per-event loop lives here, in a plain method,
 * not in the generator above: V8 cannot optimize a generator's loop while it runs (no on-stack
 * replacement), so after a full GC throws its optimized code away, a long read would parse
 * the rest of its events interpreted. A plain loop is re-optimized within a few events.
 */
class EventReader {
  /** A finish_reason was seen: a stream without [DONE] is then still complete. */
  finished = false;
  /** [DONE] was read. */
  done = false;
  /** Up to the first content, each chunk goes out alone (see take). */
  spoke = false;
  /** An error inside the stream, met after chunks that go out first. */
  failure: unknown;
  /** Text deltas read against the last one's layout instead of parsed whole. */
  readonly text = new TextFrames();
  private events: SseEvent[] = [];
  private next = 0;
  private frames = 0;

  constructor(readonly provider: string) {}

  start(events: SseEvent[]): void {
    this.events = events;
    this.next = 0;
  }

  /**
   * Keeps a stream's first two frames and its last two, with their chunks, until the next
   * stream replaces them. JSON.parse lays frames out by their keys, as a constructor does
   * (see keep-shape.ts): with no frame alive, a full GC would free those layouts and the
   * optimized reader with them. The first frames carry the role, the last ones the finish and
   * the usage; the ones between look like the second.
   */
  remember(frame: unknown, chunk: ChatChunk): void {
    const n = this.frames++;
    const slot = n < 2 ? n : 2 + (n & 1);
    RECENT[2 * slot] = frame;
    RECENT[2 * slot + 1] = chunk;
  }

  more(): boolean {
    return !this.done && this.next < this.events.length;
  }

  /** The chunks of the events left, up to [DONE], an error, or (until then) the first content. */
  take(): ChatChunk[] {
    const batch: ChatChunk[] = [];
    const events = this.events;
    while (this.next < events.length) {
      let chunk: ChatChunk | typeof DONE | undefined;
      try {
        chunk = toChunk(events[this.next++]!, this);
      } catch (e) {
        // The chunks before a mid-stream error still reach the caller first, as one by one.
        if (!batch.length) throw e;
        this.failure = e;
        break;
      }
      if (chunk === DONE) {
        this.done = true;
        break;
      }
      if (!chunk) continue;
      batch.push(chunk);
      // A read holding a whole burst must not hold the first token back behind the parse of
      // all the rest.
      if (!this.spoke && chunkHasContent(chunk)) {
        this.spoke = true;
        break;
      }
    }
    return batch;
  }
}

keepShape(new EventReader(''));
keepShape(new TextFrames());
const RECENT: unknown[] = new Array(8);

/** One event → a chunk, nothing (no choices, no usage), or the end. Throws for an error in the stream. */
function toChunk(ev: SseEvent, reader: EventReader): ChatChunk | typeof DONE | undefined {
  const provider = reader.provider;
  const data = ev.data;
  if (data === '[DONE]') return DONE;
  if (ev.event === 'error') throw new RouteFailure(streamError(provider, (parseJsonFrame(data, provider) as WireFrame | null)?.error ?? data));
  const text = reader.text.read(data);
  if (text) return text;
  const o = parseJsonFrame(data, provider) as WireFrame;
  if (o.error) throw new RouteFailure(streamError(provider, o.error));
  if (o.x_groq?.error) throw new RouteFailure(streamError(provider, o.x_groq.error));
  const inBody = baseRespError(provider, o);
  if (inBody) throw new RouteFailure(inBody);
  const usage = readUsage(o);
  const wire = o.choices;
  // Azure's prompt-filter preamble and OpenAI's usage chunk both carry no choices.
  if ((!wire || wire.length === 0) && !usage) return undefined;
  // One choice is nearly every chunk; an array literal of it is sized exactly, where push
  // would allocate room for sixteen.
  const choices: ChatChunk['choices'] = !wire?.length
    ? []
    : wire.length === 1
      ? [readChoice(o, wire[0]!, 0, reader)]
      : wire.map((c, i) => readChoice(o, c, i, reader));
  const chunk: ChatChunk = { id: o.id ?? '', object: 'chat.completion.chunk', created: o.created ?? 0, model: o.model ?? '', choices };
  if (usage) chunk.usage = usage;
  reader.remember(o, chunk);
  reader.text.learn(data, chunk);
  return chunk;
}

function readChoice(o: WireFrame, c: WireChoice, i: number, reader: EventReader): ChatChunk['choices'][number] {
  const fr = c.finish_reason;
  let finish: FinishReason | null = null;
  if (fr) {
    if (fr === 'error') throw new RouteFailure(streamError(reader.provider, o.error ?? 'the stream ended with finish_reason "error"'));
    finish = finishOf(fr);
    reader.finished = true;
  }
  const choice: ChatChunk['choices'][number] = { index: c.index ?? i, delta: c.delta ? readDelta(c.delta) : {}, finish_reason: finish };
  if (c.logprobs != null) choice.logprobs = c.logprobs;
  return choice;
}

/** The delta's fields under their canonical names; DeepSeek's `reasoning_content` is the reasoning. */
function readDelta(d: WireMessage): ChunkDelta {
  const out: ChunkDelta = {};
  if (d.role === 'assistant') out.role = 'assistant';
  if (d.content !== undefined) out.content = d.content;
  const reasoning = d.reasoning_content ?? d.reasoning;
  if (reasoning != null) out.reasoning = reasoning;
  if (d.reasoning_details !== undefined) out.reasoning_details = d.reasoning_details;
  if (d.tool_calls !== undefined) out.tool_calls = d.tool_calls;
  if (d.refusal != null) out.refusal = d.refusal;
  if (d.annotations !== undefined) out.annotations = d.annotations;
  return out;
}
