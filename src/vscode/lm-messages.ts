/**
 * Between the editor's language-model shapes and the core's OpenAI-shaped request: the editor's
 * part classes sorted into kinds (lm-convert.ts does the rest, free of `vscode`), and tools.
 */
import * as vscode from 'vscode';
import type { ChatTool } from '../core';
import { convertMessages, type Converted, type InMessage, type InPart } from './lm-convert';

/**
 * `LanguageModelDataPart` is in VS Code's API from 1.105 on, after the typings this extension
 * builds against: read from the module at run time, absent on older hosts.
 */
export interface DataPart {
  readonly mimeType: string;
  readonly data: Uint8Array;
}
type DataPartClass = (new (data: Uint8Array, mimeType: string) => DataPart) & { json?: unknown };
export const DataPartCtor: DataPartClass | undefined = (vscode as unknown as { LanguageModelDataPart?: DataPartClass }).LanguageModelDataPart;

function isDataPart(p: unknown): p is DataPart {
  if (DataPartCtor && p instanceof DataPartCtor) return true;
  return typeof p === 'object' && p !== null && typeof (p as DataPart).mimeType === 'string' && (p as DataPart).data instanceof Uint8Array;
}

function kindOf(p: unknown): InPart {
  if (typeof p === 'string') return { kind: 'text', text: p };
  if (p instanceof vscode.LanguageModelTextPart) return { kind: 'text', text: p.value };
  if (p instanceof vscode.LanguageModelToolCallPart) return { kind: 'call', id: p.callId, name: p.name, input: p.input };
  if (p instanceof vscode.LanguageModelToolResultPart) return { kind: 'result', callId: p.callId, content: p.content.map(kindOf) };
  if (isDataPart(p)) return { kind: 'data', mimeType: p.mimeType, data: p.data };
  const what = typeof p === 'object' && p !== null ? (p.constructor?.name ?? 'object') : typeof p;
  // A prompt-tsx part (or a plain { value }) inside a tool result still reads as its text.
  if (typeof p === 'object' && p !== null && typeof (p as { value?: unknown }).value === 'string')
    return { kind: 'text', text: (p as { value: string }).value };
  return { kind: 'other', what };
}

function roleOf(role: vscode.LanguageModelChatMessageRole): InMessage['role'] {
  if (role === vscode.LanguageModelChatMessageRole.Assistant) return 'assistant';
  if (role === vscode.LanguageModelChatMessageRole.User) return 'user';
  // Roles the stable API does not name (the system prompt) arrive as other numbers.
  return 'system';
}

/** `LanguageModelChatRequestMessage[]` (or `LanguageModelChatMessage[]`) → chat messages, images counted, dropped parts explained. */
export function toChatMessages(
  messages: readonly { role: vscode.LanguageModelChatMessageRole; content: ReadonlyArray<unknown>; name?: string | undefined }[],
): Converted {
  return convertMessages(messages.map((m) => ({ role: roleOf(m.role), content: m.content.map(kindOf), name: m.name })));
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

/** The message's parts as the token counter reads them. */
export function partsOf(message: { content: ReadonlyArray<unknown> }): InPart[] {
  return message.content.map(kindOf);
}
