/**
 * Canonical request → a compatible provider's body. The body is rebuilt from the row's allow-list,
 * because "compatible" providers reject fields they don't know (Mistral 422s, Groq and Cerebras 400).
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../../chat';
import { routeError, RouteFailure } from '../../errors';
import type { AdapterCall } from '../types';
import { fitCompatMessages } from './messages';
import { COMPAT_ROWS, CompatProvider, CompatRow } from './rows';

export function compatBaseUrl(provider: CompatProvider, call: AdapterCall): string {
  if (call.baseUrl) return call.baseUrl.replace(/\/+$/, '');
  if (call.options.baseUrl) return call.options.baseUrl.replace(/\/+$/, '');
  if (provider === 'azure' || provider === 'azure-foundry') {
    if (!call.options.resource) throw new RouteFailure(routeError('bad_request', `${provider} key needs options.resource or options.baseUrl`));
    return provider === 'azure'
      ? `https://${call.options.resource}.openai.azure.com/openai/v1`
      : `https://${call.options.resource}.services.ai.azure.com/models`;
  }
  return COMPAT_ROWS[provider].baseUrl;
}

/** Deterministic, so the same conversation maps the same id on every turn without state. */
function alnum9(id: string): string {
  if (/^[A-Za-z0-9]{9}$/.test(id)) return id;
  const h = createHash('sha256')
    .update(id)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
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
  const text = (c: ChatMessage['content']) => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (p?.type === 'text' ? p.text : '')).join('') : '');
  for (const m of messages) {
    const role: string = m.role === 'tool' ? 'user' : m.role === 'developer' ? 'system' : m.role;
    let content = text(m.content);
    if (m.role === 'tool') content = `Tool result: ${content}`;
    if (m.role === 'assistant' && m.tool_calls?.length) {
      content += m.tool_calls.map((t) => `\n[called ${t.function.name}(${t.function.arguments})]`).join('');
    }
    const last = out[out.length - 1];
    if (last && last.role === role && role !== 'system') last.content += `\n\n${content}`;
    else out.push({ role, content });
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
  if (row.omitToolChoiceAuto && body.tool_choice === 'auto') delete body.tool_choice;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens !== undefined) body[row.maxTokensField] = maxTokens;
  if (call.extraBody) Object.assign(body, call.extraBody);
  if (call.stream) {
    body.stream = true;
    if (row.streamOptions) body.stream_options = { include_usage: true };
  }
  return body;
}

export function authHeaders(row: CompatRow, secret: string): Record<string, string> {
  return putAuth({}, row, secret);
}

/** Writes the key's header into `headers` (last, so no configured header can replace it). */
export function putAuth(headers: Record<string, string>, row: CompatRow, secret: string): Record<string, string> {
  if (row.auth === 'api-key') headers['api-key'] = secret;
  else headers.authorization = `Bearer ${secret}`;
  return headers;
}
