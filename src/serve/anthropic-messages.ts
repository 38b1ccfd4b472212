/**
 * `POST /v1/messages`: Anthropic Messages in and out, served by whichever family the plan picks.
 * Requests become the core's chat shape (system → system message, tool_result blocks → tool
 * messages, tool_use → tool_calls); chunks become Anthropic's event sequence, message_start …
 * message_stop, with thinking, text and tool_use content blocks.
 */
import { z } from 'zod';
import type { ChatChunk, ChatCompletion, ChatMessage, ChatRequest, ChatTool, FinishReason, Usage } from '../core';
import { mappedParse, parseBody, sseEvent, type ClientApi, type StreamEncoder } from './api';
import { errorBody } from './errors';

const block = z.object({ type: z.string() }).passthrough();
const content = z.union([z.string(), z.array(block)]);

export const messagesRequestSchema = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().positive(),
    // Claude Code also sends `system` turns mid-conversation (reminders); they stay system messages.
    messages: z.array(z.object({ role: z.enum(['user', 'assistant', 'system']), content })).min(1),
    system: content.optional(),
    stream: z.boolean().optional(),
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    top_k: z.number().optional(),
    stop_sequences: z.array(z.string()).optional(),
    tools: z
      .array(
        z
          .object({
            name: z.string(),
            description: z.string().optional(),
            input_schema: z.record(z.string(), z.unknown()).optional(),
            type: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
    tool_choice: z
      .object({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() })
      .optional(),
    thinking: z.object({ type: z.string() }).passthrough().optional(),
    metadata: z.unknown().optional(),
  })
  .passthrough();

/** A content block as far as it is read here; the schema checks only its `type`. */
type Block = z.infer<typeof block> & {
  text?: unknown;
  source?: { type: 'base64'; media_type?: unknown; data?: unknown } | { type: 'url'; url: string } | { type: 'text'; data?: unknown };
  content?: unknown;
  tool_use_id?: unknown;
  is_error?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
};
type UserParts = Exclude<Extract<ChatMessage, { role: 'user' }>['content'], string>;
type TextPart = Extract<UserParts[number], { type: 'text' }>;

function blocks(c: string | Block[]): Block[] {
  return typeof c === 'string' ? [{ type: 'text', text: c }] : c;
}

function textOf(c: unknown): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  return c
    .map((b: Block | null | undefined) => (b?.type === 'text' ? String(b.text ?? '') : b?.type === 'image' ? '[image]' : ''))
    .filter(Boolean)
    .join('\n');
}

function userParts(bs: Block[]): UserParts {
  const parts: UserParts = [];
  for (const b of bs) {
    if (b.type === 'text') parts.push({ type: 'text', text: String(b.text ?? '') });
    else if (b.type === 'image' && b.source?.type === 'base64')
      parts.push({ type: 'image_url', image_url: { url: `data:${b.source.media_type};base64,${b.source.data}` } });
    else if (b.type === 'image' && b.source?.type === 'url') parts.push({ type: 'image_url', image_url: { url: b.source.url } });
    else if (b.type === 'document' && b.source?.type === 'text') parts.push({ type: 'text', text: String(b.source.data ?? '') });
  }
  return parts;
}

export function toChatRequest(body: z.infer<typeof messagesRequestSchema>, model: string): ChatRequest {
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    const text = textOf(body.system);
    if (text) messages.push({ role: 'system', content: text });
  }
  for (const m of body.messages) {
    const bs = blocks(m.content as string | Block[]);
    if (m.role === 'system') {
      const text = textOf(bs);
      if (text) messages.push({ role: 'system', content: text });
    } else if (m.role === 'user') {
      // Tool results answer the previous turn's calls, so they come before the user's own words.
      for (const b of bs) {
        if (b.type !== 'tool_result') continue;
        const text = textOf(b.content);
        messages.push({ role: 'tool', tool_call_id: String(b.tool_use_id), content: b.is_error ? `Error: ${text}` : text });
      }
      const parts = userParts(bs.filter((b) => b.type !== 'tool_result'));
      if (parts.length)
        messages.push({ role: 'user', content: parts.every((p): p is TextPart => p.type === 'text') ? parts.map((p) => p.text).join('\n') : parts });
    } else {
      const text = bs
        .filter((b) => b.type === 'text')
        .map((b) => String(b.text ?? ''))
        .join('');
      const calls = bs
        .filter((b) => b.type === 'tool_use')
        .map((b) => ({ id: String(b.id), type: 'function' as const, function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } }));
      messages.push({ role: 'assistant', content: text || (calls.length ? null : ''), ...(calls.length ? { tool_calls: calls } : {}) });
    }
  }
  // Server tools (web search, computer use, …) have a `type` and no schema; only client tools translate.
  const tools: ChatTool[] = (body.tools ?? [])
    .filter((t) => !t.type || t.type === 'custom')
    .map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: (t.input_schema as Record<string, unknown>) ?? { type: 'object', properties: {} },
      },
    }));
  const choice = body.tool_choice;
  const req: ChatRequest = {
    model,
    messages,
    max_tokens: body.max_tokens,
    ...(body.stream !== undefined ? { stream: body.stream } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
    ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
    ...(tools.length ? { tools } : {}),
    ...(tools.length && choice
      ? {
          tool_choice:
            choice.type === 'any'
              ? 'required'
              : choice.type === 'tool' && choice.name
                ? { type: 'function', function: { name: choice.name } }
                : choice.type === 'none'
                  ? 'none'
                  : 'auto',
          ...(choice.disable_parallel_tool_use ? { parallel_tool_calls: false } : {}),
        }
      : {}),
    ...(body.thinking?.type === 'enabled' ? { thinking: body.thinking } : {}),
  };
  return req;
}

const STOP: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

function stopReason(f: FinishReason | null | undefined, hasCalls: boolean): string {
  if (f) return STOP[f] ?? 'end_turn';
  return hasCalls ? 'tool_use' : 'end_turn';
}

function usageOut(u: Usage | undefined) {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached),
    output_tokens: u?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: u?.prompt_tokens_details?.cache_write_tokens ?? 0,
  };
}

function messageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id.replace(/[^A-Za-z0-9]/g, '').slice(-24) || Date.now().toString(36)}`;
}

function parseArgs(s: string): unknown {
  try {
    const v = JSON.parse(s || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export const anthropicMessages: ClientApi = {
  family: 'anthropic',

  parse: mappedParse(messagesRequestSchema, toChatRequest),

  complete(response: ChatCompletion, parsed) {
    const choice = response.choices[0];
    const msg = choice?.message;
    const content: Record<string, unknown>[] = [];
    if (msg?.reasoning) content.push({ type: 'thinking', thinking: msg.reasoning, signature: '' });
    if (msg?.content) content.push({ type: 'text', text: msg.content });
    for (const c of msg?.tool_calls ?? []) content.push({ type: 'tool_use', id: c.id, name: c.function.name, input: parseArgs(c.function.arguments) });
    return {
      id: messageId(response.id),
      type: 'message',
      role: 'assistant',
      model: parsed.clientModel,
      content,
      stop_reason: stopReason(choice?.finish_reason, !!msg?.tool_calls?.length),
      stop_sequence: null,
      usage: usageOut(response.usage),
    };
  },

  stream(parsed): StreamEncoder {
    let started = false;
    let index = -1;
    let open: 'thinking' | 'text' | 'tool' | undefined;
    let openTool: number | undefined;
    let finish: FinishReason | null = null;
    let sawCalls = false;
    const toolBlocks = new Map<number, number>();
    const start = (c: { id: string }) => {
      if (started) return '';
      started = true;
      return sseEvent('message_start', {
        type: 'message_start',
        message: {
          id: messageId(c.id),
          type: 'message',
          role: 'assistant',
          model: parsed.clientModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      });
    };
    const close = () => {
      if (open === undefined) return '';
      const out = sseEvent('content_block_stop', { type: 'content_block_stop', index });
      open = undefined;
      openTool = undefined;
      return out;
    };
    const openBlock = (kind: 'thinking' | 'text' | 'tool', contentBlock: Record<string, unknown>) => {
      let out = close();
      index += 1;
      open = kind;
      out += sseEvent('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
      return out;
    };
    return {
      chunk(c: ChatChunk) {
        let out = start(c);
        const choice = c.choices[0];
        if (!choice) return out;
        const d = choice.delta;
        if (d.reasoning) {
          if (open !== 'thinking') out += openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
          out += blockDelta(index, 'thinking_delta', 'thinking', d.reasoning);
        }
        if (d.content) {
          if (open !== 'text') out += openBlock('text', { type: 'text', text: '' });
          out += blockDelta(index, 'text_delta', 'text', d.content);
        }
        for (const t of d.tool_calls ?? []) {
          sawCalls = true;
          if (!toolBlocks.has(t.index) && (t.id || t.function?.name)) {
            out += openBlock('tool', { type: 'tool_use', id: t.id ?? `toolu_${index + 1}`, name: t.function?.name ?? '', input: {} });
            toolBlocks.set(t.index, index);
            openTool = t.index;
          }
          const args = t.function?.arguments;
          if (args && toolBlocks.has(t.index)) {
            // Interleaved argument deltas for an earlier call cannot be expressed once its block closed; they are rare and dropped.
            if (openTool !== t.index) continue;
            out += blockDelta(index, 'input_json_delta', 'partial_json', args);
          }
        }
        if (choice.finish_reason) finish = choice.finish_reason;
        return out;
      },
      end(response) {
        let out = start(response);
        out += close();
        const choice = response.choices[0];
        const u = usageOut(response.usage);
        out += sseEvent('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReason(finish ?? choice?.finish_reason, sawCalls || !!choice?.message.tool_calls?.length), stop_sequence: null },
          usage: u,
        });
        out += sseEvent('message_stop', { type: 'message_stop' });
        return out;
      },
      error(e) {
        return sseEvent('error', errorBody('anthropic', e));
      },
    };
  },
};

/** `POST /v1/messages/count_tokens`: a character estimate (about four per token), which is what clients use it for. */
const countRequestSchema = messagesRequestSchema.omit({ max_tokens: true });

export function countTokens(body: unknown): { input_tokens: number } {
  const data = parseBody(countRequestSchema, body);
  const chars = JSON.stringify(data.messages).length + JSON.stringify(data.system ?? '').length + JSON.stringify(data.tools ?? []).length;
  return { input_tokens: Math.max(1, Math.ceil(chars / 4)) };
}

/**
 * A `content_block_delta` event, written as text around the one string that changes: it is sent
 * once per streamed token, and building and stringifying two objects for it cost more than the
 * escaping. The same bytes as `sseEvent` of the event object (unit-tested).
 */
export function blockDelta(
  index: number,
  type: 'text_delta' | 'thinking_delta' | 'input_json_delta',
  field: 'text' | 'thinking' | 'partial_json',
  value: string,
): string {
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${JSON.stringify(index)},"delta":{"type":"${type}","${field}":${JSON.stringify(value)}}}\n\n`;
}
