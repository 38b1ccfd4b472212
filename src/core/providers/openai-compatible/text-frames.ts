/**
 * Nearly every frame of a compatible stream is the frame before it with another content string:
 * the same id, model, index and null finish, one text delta. Once a frame of that kind has been
 * parsed whole, the next ones are checked against its text instead: the same text before the
 * content string, the same text after it, and one JSON string literal between. Then only that
 * literal goes through JSON.parse. Parsing the whole frame was most of the router's work per
 * chunk; comparing two stretches of text costs a fraction of it. Anything else (another field
 * changed, a role, a finish, usage, tool calls) is parsed whole, as before.
 *
 * Substituting one JSON string token for another leaves the rest of the document's parse as it
 * was, so the chunk is exactly what parsing the whole frame would give. The layout is learned
 * only after a trial parse with a sentinel in the content's place proves the literal is the
 * delta's content and nothing else's.
 */
import { isPlainTextChunk, type ChatChunk } from '../../chat';

const KEY = '"content":"';
/** A sentinel no provider sends, to prove where the content literal sits. */
const PROBE = '"\\u0000probe"';
const PROBED = '\u0000probe';
/** Layouts a stream may learn: a provider whose every frame differs stops costing a trial parse after these. */
const MAX_LEARNED = 8;

export class TextFrames {
  private head = '';
  private tail = '';
  private base: ChatChunk | undefined;
  private learned = 0;

  /** The chunk for `data` when it is the learned frame with another content string; otherwise undefined. */
  read(data: string): ChatChunk | undefined {
    const base = this.base;
    if (!base) return undefined;
    const head = this.head;
    const end = data.length - this.tail.length;
    if (end <= head.length + 1 || !data.startsWith(head) || !data.endsWith(this.tail)) return undefined;
    if (data.charCodeAt(head.length) !== 34 || literalEnd(data, head.length) !== end) return undefined;
    let content: unknown;
    try {
      content = JSON.parse(data.slice(head.length, end));
    } catch {
      return undefined; // a bad escape: the whole-frame parse reports it
    }
    const choice = base.choices[0]!;
    return {
      id: base.id,
      object: 'chat.completion.chunk',
      created: base.created,
      model: base.model,
      choices: [{ index: choice.index, delta: { content: content as string }, finish_reason: null }],
    };
  }

  /** After `data` was parsed whole into `chunk`: its layout, when it is a text delta and nothing else. */
  learn(data: string, chunk: ChatChunk): void {
    if (this.learned >= MAX_LEARNED || chunk.usage !== undefined || !isPlainTextChunk(chunk)) return;
    const at = data.indexOf(KEY);
    if (at < 0 || data.indexOf('"content"', at + 1) >= 0 || data.lastIndexOf('"content"', at - 1) >= 0) return;
    const start = at + KEY.length - 1;
    const end = literalEnd(data, start);
    if (end < 0) return;
    const head = data.slice(0, start);
    const tail = data.slice(end);
    this.learned++;
    try {
      const probe = JSON.parse(head + PROBE + tail) as { choices?: { delta?: { content?: unknown } }[] };
      if (probe.choices?.[0]?.delta?.content !== PROBED) return;
    } catch {
      return;
    }
    this.head = head;
    this.tail = tail;
    this.base = chunk;
  }
}

/** The index just past the JSON string literal whose opening quote is at `start`, or -1. */
export function literalEnd(s: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    let slashes = 0;
    while (s.charCodeAt(q - 1 - slashes) === 92) slashes++;
    if ((slashes & 1) === 0) return q + 1;
    from = q + 1;
  }
}
