/**
 * The editor's message parts, already sorted by kind, → the core's OpenAI-shaped messages, with
 * every part VS Code persists kept or accounted for. Free of `vscode` so it runs in plain Node:
 * lm-messages.ts sorts the editor's part classes into these kinds.
 *
 * The data-part conventions are the ones Copilot Chat and the BYOK providers built on it use:
 * `image/*` is an image, `cache_control` (data `ephemeral`) marks the block before it as a cache
 * breakpoint, `thinking` carries reasoning to send back, `stateful_marker`, `context_management`
 * and `usage` are the host's own bookkeeping.
 */
import { type ChatMessage, detailsOf, FORMAT, mergeDetails, type ReasoningDetail } from '../core';

export const MIME = {
  cacheControl: 'cache_control',
  thinking: 'thinking',
  statefulMarker: 'stateful_marker',
  contextManagement: 'context_management',
  usage: 'usage',
} as const;

export type InPart =
  | { kind: 'text'; text: string }
  | { kind: 'call'; id: string; name: string; input: unknown }
  | { kind: 'result'; callId: string; content: InPart[] }
  | { kind: 'data'; mimeType: string; data: Uint8Array }
  /** A part this layer does not know (a prompt-tsx tree, a newer API's part): `what` names it for the log. */
  | { kind: 'other'; what: string };

export interface InMessage {
  role: 'user' | 'assistant' | 'system';
  content: InPart[];
  name?: string | undefined;
}

export interface Converted {
  messages: ChatMessage[];
  /** Images sent, in messages and tool results. */
  images: number;
  /** Why a part was not sent, one line per kind of part, for the log. */
  notes: string[];
  /** The same for parts that are never sent by design (the host's bookkeeping): every turn has them, so they log quietly. */
  bookkeeping: string[];
}

type Part = { type: 'text'; text: string; cache_control?: Mark } | { type: 'image_url'; image_url: { url: string }; cache_control?: Mark };
type Mark = { type: 'ephemeral' };

/** What a cache mark lands on: a content part, or a whole message (a tool call or tool result has no part of its own). */
type Markable = { cache_control?: Mark };

const EPHEMERAL: Mark = { type: 'ephemeral' };

const decoder = new TextDecoder();

/** Text of a data part whose mime type is text; undefined for binary data. */
function dataText(p: { mimeType: string; data: Uint8Array }): string | undefined {
  const base = p.mimeType.split(';')[0]!.trim().toLowerCase();
  if (base.startsWith('text/') || base === 'application/json' || base.endsWith('+json')) return decoder.decode(p.data);
  return undefined;
}

function imageUrl(p: { mimeType: string; data: Uint8Array }): string {
  return `data:${p.mimeType.split(';')[0]!.trim()};base64,${Buffer.from(p.data).toString('base64')}`;
}

/** The payload of the `thinking` parts this provider sends out (see thinkingPayload). */
function thinkingDetails(data: Uint8Array): ReasoningDetail[] | undefined {
  try {
    const o = JSON.parse(decoder.decode(data)) as { metadata?: unknown };
    const details = detailsOf(o?.metadata);
    return details.length ? details : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `thinking` part's bytes: Copilot's ThinkingData shape (`id`, `text`), so hosts that read it
 * see the reasoning, with the wire details under `metadata.reasoning_details`.
 */
export function thinkingPayload(id: string, text: string, details: readonly ReasoningDetail[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ id, text, metadata: { reasoning_details: details } }));
}

/**
 * The reasoning a response sends out: the family's own details, whole; else, for providers that
 * return only reasoning text, that text (which some want back on a tool-calling turn).
 */
export function reasoningOut(details: readonly ReasoningDetail[], reasoningText: string): ReasoningDetail[] {
  if (details.length) return mergeDetails(details);
  return reasoningText ? [{ type: 'reasoning.text', text: reasoningText, format: FORMAT.openai }] : [];
}

class Notes {
  private readonly counts = new Map<string, number>();
  add(reason: string) {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }
  list(): string[] {
    return [...this.counts].map(([reason, n]) => (n > 1 ? `${reason} (×${n})` : reason));
  }
}

/** Text parts next to each other merge; a mark stays on the part it followed. */
function pushText(parts: Part[], text: string) {
  const last = parts[parts.length - 1];
  if (last?.type === 'text' && !last.cache_control) last.text += text;
  else parts.push({ type: 'text', text });
}

/** Parts as a plain string when nothing but unmarked text is in them (the shape every provider takes). */
function content(parts: Part[]): string | Part[] {
  return parts.every((p) => p.type === 'text' && !p.cache_control) ? parts.map((p) => (p as { text: string }).text).join('') : parts;
}

export function convertMessages(messages: readonly InMessage[]): Converted {
  const out: ChatMessage[] = [];
  const notes = new Notes();
  const bookkeeping = new Notes();
  let images = 0;
  /** The block the next cache_control part marks: the last content part or message produced. */
  let last: Markable | undefined;

  const mark = (where: string) => {
    if (last) last.cache_control = EPHEMERAL;
    else notes.add(`a cache_control part with nothing before it (${where}) was ignored`);
  };

  /** One data part inside message or tool-result content. */
  const data = (p: { mimeType: string; data: Uint8Array }, parts: Part[], where: string) => {
    const mime = p.mimeType.toLowerCase();
    if (mime.startsWith('image/')) {
      const part: Part = { type: 'image_url', image_url: { url: imageUrl(p) } };
      parts.push(part);
      last = part;
      images++;
      return;
    }
    if (mime === MIME.cacheControl) {
      const value = decoder.decode(p.data).trim();
      if (value && value !== 'ephemeral') notes.add(`a cache_control part of type "${value.slice(0, 40)}" was sent as ephemeral`);
      mark(where);
      return;
    }
    if (mime === MIME.statefulMarker || mime === MIME.contextManagement || mime === MIME.usage) {
      bookkeeping.add(`${mime} parts are the host's own bookkeeping; no provider takes them, so they stay in the editor`);
      return;
    }
    const text = dataText(p);
    if (text !== undefined) {
      pushText(parts, text);
      last = parts[parts.length - 1];
      return;
    }
    notes.add(`a ${p.mimeType.slice(0, 60)} data part in ${where} has no place in a chat request and was left out`);
  };

  for (const m of messages) {
    const parts: Part[] = [];
    if (m.role === 'assistant') {
      const calls: { id: string; type: 'function'; function: { name: string; arguments: string }; marked?: boolean }[] = [];
      const details: ReasoningDetail[] = [];
      const msg: ChatMessage & Markable & Record<string, unknown> = { role: 'assistant', content: null };
      for (const p of m.content) {
        if (p.kind === 'text') {
          pushText(parts, p.text);
          last = parts[parts.length - 1];
        } else if (p.kind === 'call') {
          calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: JSON.stringify(p.input ?? {}) } });
          last = msg; // a mark after a tool call closes the message
        } else if (p.kind === 'data' && p.mimeType === MIME.thinking) {
          const d = thinkingDetails(p.data);
          if (d) details.push(...d);
          else notes.add('a thinking part from another provider carries no wire details this router can restore; it was left out');
        } else if (p.kind === 'data') data(p, parts, 'an assistant message');
        else if (p.kind === 'result') notes.add('a tool result inside an assistant message is not valid; it was left out');
        else if (p.kind === 'other') notes.add(`${p.what} parts have no place in a chat request and were left out`);
      }
      if (!parts.length && !calls.length) {
        if (details.length) notes.add('reasoning echoed without any text or tool call was left out');
        continue;
      }
      const c = content(parts);
      msg.content = typeof c === 'string' ? c || null : c;
      if (calls.length) msg.tool_calls = calls;
      if (details.length) msg.reasoning_details = details;
      out.push(msg);
      continue;
    }

    // user and system: tool results answer the previous assistant turn, so they go first.
    const results: ChatMessage[] = [];
    const settle: (() => void)[] = [];
    for (const p of m.content) {
      if (p.kind === 'text') {
        pushText(parts, p.text);
        last = parts[parts.length - 1];
      } else if (p.kind === 'data') data(p, parts, m.role === 'system' ? 'the system prompt' : 'a user message');
      else if (p.kind === 'result') {
        const inner: Part[] = [];
        for (const q of p.content) {
          if (q.kind === 'text') {
            pushText(inner, q.text);
            last = inner[inner.length - 1];
          } else if (q.kind === 'data') data(q, inner, 'a tool result');
          else if (q.kind === 'other') notes.add(`${q.what} parts in a tool result were left out`);
          else notes.add('a tool call or result nested in a tool result was left out');
        }
        // Content settles once the message is read: a mark after the result still lands in it.
        const tool: ChatMessage & Markable = { role: 'tool', tool_call_id: p.callId, content: '' };
        settle.push(() => (tool.content = content(inner)));
        results.push(tool);
        // A mark right after the tool result (outside it) closes the result: its last part, or the message when empty.
        last = inner.length ? inner[inner.length - 1] : tool;
      } else if (p.kind === 'call') notes.add('a tool call inside a user message is not valid; it was left out');
      else notes.add(`${p.what} parts have no place in a chat request and were left out`);
    }
    for (const f of settle) f();
    out.push(...results);
    if (!parts.length) continue;
    const c = content(parts);
    if (m.role === 'user') out.push({ role: 'user', content: c, ...(m.name ? { name: m.name } : {}) });
    else out.push({ role: 'system', content: c });
  }
  return { messages: out, images, notes: notes.list(), bookkeeping: bookkeeping.list() };
}

/** What a token count reads in a message: its text (tool calls and results included) and how many images it holds. */
export function countable(parts: readonly InPart[]): { text: string; images: number } {
  let text = '';
  let images = 0;
  for (const p of parts) {
    if (p.kind === 'text') text += p.text;
    else if (p.kind === 'call') text += p.name + JSON.stringify(p.input ?? {});
    else if (p.kind === 'result') {
      const inner = countable(p.content);
      text += inner.text;
      images += inner.images;
    } else if (p.kind === 'data') {
      if (p.mimeType.toLowerCase().startsWith('image/')) images++;
      else {
        const t = dataText(p);
        // Reasoning sent back costs what its text costs; markers and usage cost nothing.
        if (p.mimeType === MIME.thinking) text += thinkingText(p.data);
        else if (t !== undefined && !Object.values(MIME).includes(p.mimeType as never)) text += t;
      }
    }
  }
  return { text, images };
}

function thinkingText(data: Uint8Array): string {
  const details = thinkingDetails(data) ?? [];
  return details.map((d) => (d.type === 'reasoning.text' ? d.text : d.type === 'reasoning.summary' ? d.summary : '')).join('');
}
