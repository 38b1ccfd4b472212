/**
 * What the editor's richer messages become on an OpenAI-compatible wire. OpenRouter takes
 * Anthropic's cache marks on content parts and its own `reasoning_details` back; other providers
 * cache on their own and may refuse fields they do not know, so both are removed for them.
 * Chat Completions allows only text in a tool message, so a tool's images follow the tool
 * results as a user message.
 */
import type { ChatMessage } from '../../chat';
import { detailsIn, FORMAT } from '../../reasoning';

type Part = { type: string; cache_control?: unknown } & Record<string, unknown>;

function withoutCacheMarks(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return (content as Part[]).map((p) => {
    if (!p || typeof p !== 'object' || !('cache_control' in p)) return p;
    const { cache_control: _drop, ...rest } = p;
    return rest;
  });
}

/** Whether `fitCompatMessages` changes this turn: a cache mark to drop, a tool's images to move, reasoning details to fold. */
function needsFitting(m: ChatMessage, pooled: boolean): boolean {
  if ('cache_control' in m) return true;
  const content: unknown = m.content;
  if (Array.isArray(content)) {
    if (m.role === 'tool' && (content as Part[]).some((p) => p?.type === 'image_url')) return true;
    if (!pooled && (content as Part[]).some((p) => p && typeof p === 'object' && 'cache_control' in p)) return true;
  }
  return !pooled && m.role === 'assistant' && 'reasoning_details' in m;
}

/** Providers that want their reasoning text back on a tool-calling assistant turn. */
const ECHO_REASONING_CONTENT = new Set(['deepseek']);

export function fitCompatMessages(messages: ChatMessage[], provider: string): ChatMessage[] {
  const pooled = provider === 'openrouter';
  // Nearly every conversation has nothing to remove or move: it goes out as it came, without a
  // copy of each of its turns on every request (nothing downstream writes to it).
  if (!messages.some((m) => needsFitting(m, pooled))) return messages;
  const out: ChatMessage[] = [];
  let images: Part[] = [];
  const flushImages = () => {
    if (!images.length) return;
    out.push({ role: 'user', content: [{ type: 'text', text: 'Images from the tool results above:' }, ...images] } as ChatMessage);
    images = [];
  };
  for (const m of messages) {
    if (m.role !== 'tool') flushImages();
    let next = { ...m } as ChatMessage & Record<string, unknown>;
    delete next.cache_control;
    if (!pooled) {
      next.content = withoutCacheMarks(next.content) as never;
      if (next.role === 'assistant' && 'reasoning_details' in next) {
        const text = detailsIn(next, FORMAT.openai)
          .map((d) => (d.type === 'reasoning.text' ? d.text : ''))
          .join('');
        delete next.reasoning_details;
        if (text && next.tool_calls?.length && ECHO_REASONING_CONTENT.has(provider)) next.reasoning_content = text;
      }
    }
    if (next.role === 'tool' && Array.isArray(next.content)) {
      const parts = next.content as Part[];
      const pics = parts.filter((p) => p.type === 'image_url');
      if (pics.length) {
        images.push(...pics);
        next = { ...next, content: parts.filter((p) => p.type !== 'image_url') as never };
      }
    }
    out.push(next);
  }
  flushImages();
  return out;
}
