/**
 * Between the editor's language-model shapes and the core's OpenAI-shaped request: messages and
 * tools in, text and complete tool calls out.
 */
import * as vscode from 'vscode';
import type { ChatMessage, ChatTool } from '../core/chat';

type Part = vscode.LanguageModelInputPart | unknown;

/** `LanguageModelChatRequestMessage[]` (or `LanguageModelChatMessage[]`) → chat messages. */
export function toChatMessages(messages: readonly { role: vscode.LanguageModelChatMessageRole; content: ReadonlyArray<Part>; name?: string | undefined }[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const text: string[] = [];
    const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
    const results: ChatMessage[] = [];
    for (const part of m.content) {
      if (part instanceof vscode.LanguageModelTextPart) text.push(part.value);
      else if (part instanceof vscode.LanguageModelToolCallPart) {
        calls.push({ id: part.callId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) } });
      } else if (part instanceof vscode.LanguageModelToolResultPart) {
        results.push({ role: 'tool', tool_call_id: part.callId, content: partsText(part.content) });
      } else if (typeof part === 'string') text.push(part);
      // Other parts (images, prompt-tsx data) have no place in a text request and are left out.
    }
    const content = text.join('');
    if (m.role === vscode.LanguageModelChatMessageRole.Assistant) {
      if (content || calls.length) out.push({ role: 'assistant', content: content || null, ...(calls.length ? { tool_calls: calls } : {}) });
    } else if (m.role === vscode.LanguageModelChatMessageRole.User) {
      // Tool results answer the previous assistant turn, so they go before any new user text.
      out.push(...results);
      if (content) out.push({ role: 'user', content, ...(m.name ? { name: m.name } : {}) });
    } else if (content) {
      // Roles the stable API does not name (the system prompt) arrive as other numbers.
      out.push({ role: 'system', content });
    }
  }
  return out;
}

function partsText(parts: readonly unknown[]): string {
  return parts
    .map((p) => {
      if (p instanceof vscode.LanguageModelTextPart) return p.value;
      if (typeof p === 'string') return p;
      if (typeof p === 'object' && p !== null && 'value' in p && typeof (p as { value: unknown }).value === 'string') return (p as { value: string }).value;
      return '';
    })
    .join('');
}

export function toChatTools(tools: readonly vscode.LanguageModelChatTool[] | undefined): ChatTool[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({
    type: 'function' as const,
    function: {
      name: t.name,
      description: t.description,
      parameters: (t.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
    },
  }));
}

/**
 * A token estimate for budgeting, not billing: about four characters per token for prose and
 * code, plus a few tokens of framing per message. Errs high, so a caller trims before a provider refuses.
 */
export function estimateTokens(input: string | { content: ReadonlyArray<Part> }): number {
  if (typeof input === 'string') return Math.ceil(input.length / 4);
  let chars = 0;
  for (const p of input.content) {
    if (p instanceof vscode.LanguageModelTextPart) chars += p.value.length;
    else if (p instanceof vscode.LanguageModelToolCallPart) chars += p.name.length + JSON.stringify(p.input ?? {}).length;
    else if (p instanceof vscode.LanguageModelToolResultPart) chars += partsText(p.content).length;
    else if (typeof p === 'string') chars += p.length;
  }
  return Math.ceil(chars / 4) + 4;
}
