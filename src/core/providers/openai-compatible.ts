/**
 * The OpenAI-compatible family as table rows: one row per provider with its base URL, auth header
 * and what it accepts. The body is rebuilt from an allow-list, because "compatible" providers
 * reject fields they don't know (Mistral 422s, Groq and Cerebras 400).
 */
import { createHash } from 'node:crypto';
import type { ChatChunk, ChatCompletion, ChatMessage, ChatRequest, FinishReason, Usage } from '../chat';
import { routeError, RouteFailure, type RouteError } from '../errors';
import type { HttpRequestSpec } from '../http/client';
import type { HeaderBag } from '../http/retry-after';
import { parseJsonFrame, SseDecoder, type SseEvent } from '../http/sse';
import type { Limits } from '../config/schema';
import { classifyHttpError, kindForStatus } from './classify';
import type { AdapterCall, ProviderAdapter } from './types';
import { fitCompatMessages } from './compat-messages';

export interface CompatRow {
  baseUrl: string;
  auth: 'bearer' | 'api-key';
  /** Request fields the provider accepts besides model/messages/stream. */
  accepts: readonly string[];
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** OpenAI-style opt-in for usage on the last chunk; others send it unasked. */
  streamOptions: boolean;
  tools: boolean;
  /** Mistral wants 9 alphanumerics as tool-call ids. */
  toolIdStyle?: 'alnum9';
  /** Drop `name` on user messages (Mistral 422, Groq 400). */
  dropMessageName?: boolean;
  seedField?: 'random_seed';
  toolChoiceRequired?: 'any';
}

const COMMON = ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'user'] as const;

export const COMPAT_ROWS = {
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'n', 'reasoning_effort', 'service_tier', 'metadata', 'store'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: true,
    tools: true,
  },
  azure: {
    baseUrl: '', // from the key's resource or baseUrl
    auth: 'api-key',
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'n', 'reasoning_effort'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: true,
    tools: true,
  },
  mistral: {
    baseUrl: 'https://api.mistral.ai/v1',
    auth: 'bearer',
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'n', 'safe_prompt', 'seed'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
    toolIdStyle: 'alnum9',
    dropMessageName: true,
    seedField: 'random_seed',
    toolChoiceRequired: 'any',
  },
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'reasoning_effort', 'reasoning_format', 'service_tier'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: false,
    tools: true,
    dropMessageName: true,
  },
  xai: {
    baseUrl: 'https://api.x.ai/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs', 'n', 'reasoning_effort'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  deepseek: {
    baseUrl: 'https://api.deepseek.com',
    auth: 'bearer',
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs'],
    maxTokensField: 'max_tokens',
    streamOptions: true,
    tools: true,
  },
  together: {
    baseUrl: 'https://api.together.xyz/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  fireworks: {
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'n'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
  cerebras: {
    baseUrl: 'https://api.cerebras.ai/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'logprobs', 'top_logprobs', 'reasoning_effort'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: false,
    tools: true,
  },
  perplexity: {
    baseUrl: 'https://api.perplexity.ai',
    auth: 'bearer',
    accepts: ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'response_format', 'search_domain_filter', 'search_recency_filter', 'return_images', 'return_related_questions', 'search_mode'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: false,
  },
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    auth: 'bearer',
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'n', 'reasoning', 'reasoning_effort', 'provider', 'transforms', 'models', 'top_k', 'min_p', 'repetition_penalty'],
    maxTokensField: 'max_tokens',
    streamOptions: false,
    tools: true,
  },
} satisfies Record<string, CompatRow>;

export type CompatProvider = keyof typeof COMPAT_ROWS;

export function compatBaseUrl(provider: CompatProvider, call: AdapterCall): string {
  if (call.baseUrl) return call.baseUrl.replace(/\/+$/, '');
  if (call.options.baseUrl) return call.options.baseUrl.replace(/\/+$/, '');
  if (provider === 'azure') {
    if (!call.options.resource) throw new RouteFailure(routeError('bad_request', 'azure key needs options.resource or options.baseUrl'));
    return `https://${call.options.resource}.openai.azure.com/openai/v1`;
  }
  return COMPAT_ROWS[provider].baseUrl;
}

/** Deterministic, so the same conversation maps the same id on every turn without state. */
function alnum9(id: string): string {
  if (/^[A-Za-z0-9]{9}$/.test(id)) return id;
  const h = createHash('sha256').update(id).digest('base64').replace(/[^A-Za-z0-9]/g, '');
  return h.slice(0, 9).padEnd(9, '0');
}

function sanitiseMessages(messages: ChatMessage[], row: CompatRow): unknown[] {
  if (!row.tools) return flattenToolTurns(messages);
  if (!row.toolIdStyle && !row.dropMessageName) return messages;
  return messages.map((m) => {
    if (m.role === 'user' && row.dropMessageName && 'name' in m) {
      const { name: _drop, ...rest } = m;
      return rest;
    }
    if (row.toolIdStyle === 'alnum9') {
      if (m.role === 'assistant' && m.tool_calls) return { ...m, tool_calls: m.tool_calls.map((t) => ({ ...t, id: alnum9(t.id) })) };
      if (m.role === 'tool') return { ...m, tool_call_id: alnum9(m.tool_call_id) };
    }
    return m;
  });
}

/** For providers without tools: tool turns become plain text, and same-role runs merge. */
function flattenToolTurns(messages: ChatMessage[]): unknown[] {
  const out: { role: string; content: string }[] = [];
  const text = (c: unknown) =>
    typeof c === 'string' ? c : Array.isArray(c) ? c.map((p: any) => (p?.type === 'text' ? p.text : '')).join('') : '';
  for (const m of messages) {
    let role: string = m.role === 'tool' ? 'user' : m.role === 'developer' ? 'system' : m.role;
    let content = text(m.content);
    if (m.role === 'tool') content = `Tool result: ${content}`;
    if (m.role === 'assistant' && m.tool_calls?.length) {
      content += m.tool_calls.map((t) => `\n[called ${t.function.name}(${t.function.arguments})]`).join('');
    }
    const last = out[out.length - 1];
    if (last && last.role === role && role !== 'system') last.content += `\n\n${content}`;
    else out.push({ role, content });
    void role;
  }
  return out;
}

export function buildCompatBody(provider: CompatProvider, call: AdapterCall): Record<string, unknown> {
  const row: CompatRow = COMPAT_ROWS[provider];
  const req = call.request as ChatRequest & Record<string, unknown>;
  const body: Record<string, unknown> = { model: call.nativeModel, messages: sanitiseMessages(fitCompatMessages(req.messages, provider), row) };
  for (const f of row.accepts) {
    if (req[f] === undefined) continue;
    if (!row.tools && (f === 'tools' || f === 'tool_choice')) continue;
    body[f === 'seed' && row.seedField ? row.seedField : f] = req[f];
  }
  if (!row.tools) delete body.tools;
  if (row.toolChoiceRequired && body.tool_choice === 'required') body.tool_choice = row.toolChoiceRequired;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens !== undefined) body[row.maxTokensField] = maxTokens;
  if (call.stream) {
    body.stream = true;
    if (row.streamOptions) body.stream_options = { include_usage: true };
  }
  return body;
}

function authHeaders(row: CompatRow, secret: string): Record<string, string> {
  return row.auth === 'api-key' ? { 'api-key': secret } : { authorization: `Bearer ${secret}` };
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

function streamError(provider: string, e: any): RouteError {
  const status = typeof e?.code === 'number' ? e.code : undefined;
  const type: string | undefined = e?.metadata?.error_type ?? (typeof e?.code === 'string' ? e.code : undefined) ?? e?.type;
  let kind = status ? kindForStatus(status) : 'server';
  if (type && /rate_limit|overloaded|capacity/.test(type)) kind = 'rate_limited';
  const message = typeof e === 'string' ? e : (e?.message ?? 'stream ended with an error');
  return routeError(kind, `${provider}: error during the stream${type ? ` (${type})` : ''}: ${String(message).slice(0, 300)}`, { status, code: type });
}

/** Normalise usage in place: Groq's `x_groq.usage`, DeepSeek's cache hits. */
function readUsage(o: any): Usage | undefined {
  const u = o.usage ?? o.x_groq?.usage;
  if (!u) return undefined;
  if (u.prompt_cache_hit_tokens !== undefined && !u.prompt_tokens_details) {
    u.prompt_tokens_details = { cached_tokens: u.prompt_cache_hit_tokens };
  }
  return u as Usage;
}

/** What a stream event maps to when it is the `[DONE]` sentinel. */
const DONE = Symbol('done');

export function compatAdapter(provider: CompatProvider): ProviderAdapter {
  const row: CompatRow = COMPAT_ROWS[provider];
  return {
    family: 'openai-compatible',

    buildRequest(call): HttpRequestSpec {
      return {
        url: `${compatBaseUrl(provider, call)}/chat/completions`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: call.stream ? 'text/event-stream' : 'application/json',
          ...(call.options.organization ? { 'openai-organization': call.options.organization } : {}),
          ...call.options.headers,
          ...call.extraHeaders,
          ...authHeaders(row, call.secret),
        },
        body: JSON.stringify(buildCompatBody(provider, call)),
      };
    },

    parseCompletion(text): ChatCompletion {
      // DeepSeek pads non-streaming answers with blank lines while it thinks.
      const o = parseJsonFrame(text.trim(), provider) as any;
      if (o?.error) throw new RouteFailure(streamError(provider, o.error));
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
    },

    async *streamChunks(body, _call, limits: Limits): AsyncIterable<ChatChunk> {
      // The body is read here rather than through sseEvents: one async-generator hop per chunk
      // fewer, which was most of this transform's cost over a bare parse.
      const sse = new SseDecoder(limits.maxEventBytes);
      let finished = false;
      let done = false;
      try {
        for await (const bytes of body) {
          // After [DONE] the body is read to its end, as the official SDKs do: leaving the loop
          // early makes Node abort the still-open body with an AbortError whose stack it formats,
          // a measurable cost on every stream.
          if (done) continue;
          for (const ev of sse.push(bytes)) {
            const chunk = toChunk(ev);
            if (chunk === DONE) {
              done = true;
              break;
            }
            if (chunk) yield chunk;
          }
        }
      } catch (e) {
        if (!done) throw e; // the answer was complete; what happened to the rest does not matter
      }
      if (done) return;
      for (const ev of sse.end()) {
        const chunk = toChunk(ev);
        if (chunk === DONE) return;
        if (chunk) yield chunk;
      }
      // Some gateways omit [DONE]; a stream that said why it finished is complete.
      if (!finished) throw new RouteFailure(routeError('network', `${provider}: the stream ended before it finished (no finish_reason, no [DONE])`));

      /** One event → a chunk, nothing (no choices, no usage), or the end. Throws for an error in the stream. */
      function toChunk(ev: SseEvent): ChatChunk | typeof DONE | undefined {
        const data = ev.data;
        if (data === '[DONE]') return DONE;
        if (ev.event === 'error') throw new RouteFailure(streamError(provider, (parseJsonFrame(data, provider) as any)?.error ?? data));
        const o = parseJsonFrame(data, provider) as any;
        if (o.error) throw new RouteFailure(streamError(provider, o.error));
        if (o.x_groq?.error) throw new RouteFailure(streamError(provider, o.x_groq.error));
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
        const choice = choices[0];
        if (!choice.delta) choice.delta = {};
        const d = choice.delta;
        if (d.reasoning_content !== undefined) d.reasoning = d.reasoning_content;
        const fr = choice.finish_reason;
        if (fr) {
          if (fr === 'error') throw new RouteFailure(streamError(provider, o.error ?? 'the stream ended with finish_reason "error"'));
          choice.finish_reason = FINISH[fr] ?? fr;
          finished = true;
        } else if (fr === undefined) choice.finish_reason = null;
        return o as ChatChunk;
      }
    },

    classifyError(status, headers: HeaderBag, text, now) {
      return classifyHttpError(provider, status, headers, text, now);
    },

    validationRequest(call) {
      // OpenRouter's and xAI's models lists are public; their key-info endpoints prove the key.
      // Perplexity has no free endpoint at all: its key is validated on first use.
      if (provider === 'perplexity') return undefined;
      const path = provider === 'openrouter' ? '/key' : provider === 'xai' ? '/api-key' : '/models';
      return { url: `${compatBaseUrl(provider, call)}${path}`, method: 'GET', headers: { ...call.options.headers, ...authHeaders(row, call.secret) } };
    },
  };
}
