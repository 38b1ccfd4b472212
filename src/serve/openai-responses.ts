/**
 * `POST /v1/responses`: the OpenAI Responses API (Codex CLI, newer OpenAI clients). Input items
 * become chat messages; chunks become Responses streaming events (response.created …
 * response.completed), with message and function_call output items.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ChatChunk, ChatCompletion, ChatMessage, ChatRequest, ChatTool, Usage } from '../core';
import { BadRequest, mappedParse, nowSeconds, sseEvent, type ClientApi, type StreamEncoder } from './api';
import { errorBody } from './errors';

const item = z.object({ type: z.string().optional() }).passthrough();

export const responsesRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(item)]),
    instructions: z.string().nullish(),
    stream: z.boolean().optional(),
    max_output_tokens: z.number().int().positive().nullish(),
    temperature: z.number().nullish(),
    top_p: z.number().nullish(),
    tools: z.array(z.object({ type: z.string() }).passthrough()).optional(),
    tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.string(), name: z.string().optional() }).passthrough()]).optional(),
    parallel_tool_calls: z.boolean().nullish(),
    reasoning: z.object({ effort: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough();

/** An input item as far as it is read here; the schema checks only its `type`. */
type InputItem = z.infer<typeof item> & { role?: unknown; content?: unknown; call_id?: unknown; name?: unknown; arguments?: unknown; output?: unknown };
/** An output item as built here: a message, or a function call whose `arguments` grow as the stream goes. */
type OutputItem = Record<string, unknown> & { id: string };
type CallItem = OutputItem & { arguments: string };

type UserParts = Exclude<Extract<ChatMessage, { role: 'user' }>['content'], string>;
type TextPart = Extract<UserParts[number], { type: 'text' }>;
type InputPart = { type?: unknown; text?: unknown; image_url?: unknown } | null | undefined;

function partsText(content: unknown): string | UserParts {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: UserParts = [];
  for (const p of content as InputPart[]) {
    if (p?.type === 'input_text' || p?.type === 'output_text' || p?.type === 'text') parts.push({ type: 'text', text: String(p.text ?? '') });
    else if (p?.type === 'input_image' && typeof p.image_url === 'string') parts.push({ type: 'image_url', image_url: { url: p.image_url } });
  }
  return parts.every((p): p is TextPart => p.type === 'text') ? parts.map((p) => p.text).join('') : parts;
}

export function toChatRequest(body: z.infer<typeof responsesRequestSchema>, model: string): ChatRequest {
  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: 'system', content: body.instructions });
  const input: InputItem[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : body.input;
  for (const it of input) {
    const type = it.type ?? (it.role ? 'message' : undefined);
    if (type === 'message') {
      const content = partsText(it.content);
      if (it.role === 'assistant')
        messages.push({ role: 'assistant', content: typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('') });
      else if (it.role === 'system' || it.role === 'developer')
        messages.push({ role: 'system', content: typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('') });
      else messages.push({ role: 'user', content });
    } else if (type === 'function_call') {
      const call = { id: String(it.call_id), type: 'function' as const, function: { name: String(it.name), arguments: String(it.arguments ?? '{}') } };
      const last = messages[messages.length - 1];
      // Parallel calls arrive as consecutive items; the chat shape holds them in one assistant turn.
      if (last?.role === 'assistant' && (last.tool_calls?.length || !last.content)) last.tool_calls = [...(last.tool_calls ?? []), call];
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: String(it.call_id), content: typeof it.output === 'string' ? it.output : JSON.stringify(it.output) });
    }
    // reasoning items and other built-in tool items have no chat equivalent and are left out.
  }
  if (!messages.some((m) => m.role !== 'system')) throw new BadRequest('input: at least one message is required');
  const tools: ChatTool[] = (body.tools ?? [])
    .filter((t) => t.type === 'function')
    .map((t) => ({
      type: 'function',
      function: {
        name: String(t.name),
        ...(t.description ? { description: String(t.description) } : {}),
        parameters: (t.parameters as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
      },
    }));
  const choice = body.tool_choice;
  return {
    model,
    messages,
    ...(body.stream !== undefined ? { stream: body.stream } : {}),
    ...(body.max_output_tokens ? { max_tokens: body.max_output_tokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(tools.length ? { tools } : {}),
    ...(tools.length && choice
      ? {
          tool_choice:
            typeof choice === 'string' ? choice : choice.type === 'function' && choice.name ? { type: 'function', function: { name: choice.name } } : 'auto',
        }
      : {}),
    ...(tools.length && body.parallel_tool_calls != null ? { parallel_tool_calls: body.parallel_tool_calls } : {}),
    ...(body.reasoning?.effort ? { reasoning_effort: body.reasoning.effort } : {}),
  } as ChatRequest;
}

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

function usageOut(u: Usage | undefined) {
  if (!u) return null;
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens,
  };
}

function responseObject(id: string, created: number, model: string, status: string, output: OutputItem[], usage: Usage | undefined, incomplete?: boolean) {
  return {
    id,
    object: 'response',
    created_at: created,
    status,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    usage: usageOut(usage),
    metadata: {},
  };
}

function messageItem(id: string, text: string, status = 'completed'): OutputItem {
  return { type: 'message', id, status, role: 'assistant', content: status === 'completed' || text ? [{ type: 'output_text', text, annotations: [] }] : [] };
}

export const openAIResponses: ClientApi = {
  family: 'openai',

  parse: mappedParse(responsesRequestSchema, toChatRequest),

  complete(response: ChatCompletion, parsed) {
    const msg = response.choices[0]?.message;
    const output: OutputItem[] = [];
    if (msg?.content) output.push(messageItem(rid('msg'), msg.content));
    for (const c of msg?.tool_calls ?? [])
      output.push({ type: 'function_call', id: rid('fc'), call_id: c.id, name: c.function.name, arguments: c.function.arguments, status: 'completed' });
    const incomplete = response.choices[0]?.finish_reason === 'length';
    return responseObject(
      rid('resp'),
      response.created || nowSeconds(),
      parsed.clientModel,
      incomplete ? 'incomplete' : 'completed',
      output,
      response.usage,
      incomplete,
    );
  },

  stream(parsed): StreamEncoder {
    const id = rid('resp');
    const created = nowSeconds();
    let seq = 0;
    const ev = (type: string, payload: Record<string, unknown>) => sseEvent(type, { type, sequence_number: seq++, ...payload });
    let started = false;
    const output: OutputItem[] = [];
    let text: { item: OutputItem; index: number; text: string } | undefined;
    const calls = new Map<number, { item: CallItem; index: number }>();
    let openCall: number | undefined;
    const begin = () => {
      if (started) return '';
      started = true;
      const r = responseObject(id, created, parsed.clientModel, 'in_progress', [], undefined);
      return ev('response.created', { response: r }) + ev('response.in_progress', { response: r });
    };
    const closeText = () => {
      if (!text) return '';
      const t = text;
      text = undefined;
      const part = { type: 'output_text', text: t.text, annotations: [] };
      t.item.status = 'completed';
      t.item.content = [part];
      return (
        ev('response.output_text.done', { item_id: t.item.id, output_index: t.index, content_index: 0, text: t.text, logprobs: [] }) +
        ev('response.content_part.done', { item_id: t.item.id, output_index: t.index, content_index: 0, part }) +
        ev('response.output_item.done', { output_index: t.index, item: t.item })
      );
    };
    const closeCall = () => {
      if (openCall === undefined) return '';
      const c = calls.get(openCall)!;
      openCall = undefined;
      c.item.status = 'completed';
      return (
        ev('response.function_call_arguments.done', { item_id: c.item.id, output_index: c.index, arguments: c.item.arguments }) +
        ev('response.output_item.done', { output_index: c.index, item: c.item })
      );
    };
    return {
      chunk(c: ChatChunk) {
        let out = begin();
        const d = c.choices[0]?.delta;
        if (!d) return out;
        if (d.content) {
          if (!text) {
            out += closeCall();
            const item = messageItem(rid('msg'), '', 'in_progress');
            text = { item, index: output.length, text: '' };
            output.push(item);
            out += ev('response.output_item.added', { output_index: text.index, item: { ...item, content: [] } });
            out += ev('response.content_part.added', {
              item_id: item.id,
              output_index: text.index,
              content_index: 0,
              part: { type: 'output_text', text: '', annotations: [] },
            });
          }
          text.text += d.content;
          out += outputTextDelta(seq++, text.item.id, text.index, d.content);
        }
        for (const t of d.tool_calls ?? []) {
          if (!calls.has(t.index)) {
            out += closeText() + closeCall();
            const item: CallItem = {
              type: 'function_call',
              id: rid('fc'),
              call_id: t.id ?? rid('call'),
              name: t.function?.name ?? '',
              arguments: '',
              status: 'in_progress',
            };
            calls.set(t.index, { item, index: output.length });
            output.push(item);
            openCall = t.index;
            out += ev('response.output_item.added', { output_index: output.length - 1, item: { ...item } });
          }
          const call = calls.get(t.index)!;
          if (t.function?.arguments && openCall === t.index) {
            call.item.arguments += t.function.arguments;
            out += ev('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.index, delta: t.function.arguments });
          }
        }
        return out;
      },
      end(response) {
        let out = begin() + closeText() + closeCall();
        const incomplete = response.choices[0]?.finish_reason === 'length';
        const r = responseObject(id, created, parsed.clientModel, incomplete ? 'incomplete' : 'completed', output, response.usage, incomplete);
        out += ev(incomplete ? 'response.incomplete' : 'response.completed', { response: r });
        return out;
      },
      error(e) {
        const body = errorBody('openai', e) as { error: { message: string; code: string | null } };
        const r = {
          ...responseObject(id, created, parsed.clientModel, 'failed', output, undefined),
          error: { code: body.error.code ?? 'server_error', message: body.error.message },
        };
        return begin() + ev('response.failed', { response: r });
      },
    };
  },
};

/**
 * A `response.output_text.delta` event, written as text around the values that change: it is sent
 * once per streamed token, and a spread, an object and a whole stringify per token cost more than
 * the escaping. The same bytes as the generic event (unit-tested).
 */
export function outputTextDelta(sequence: number, itemId: string, outputIndex: number, delta: string): string {
  const type = 'response.output_text.delta';
  return `event: ${type}\ndata: {"type":"${type}","sequence_number":${JSON.stringify(sequence)},"item_id":${JSON.stringify(itemId)},"output_index":${JSON.stringify(outputIndex)},"content_index":0,"delta":${JSON.stringify(delta)},"logprobs":[]}\n\n`;
}
