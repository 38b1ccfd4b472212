/**
 * Messages → the alternating user/assistant turns that Anthropic and Bedrock Converse insist on:
 * system text gathered from wherever it appeared, same-role runs merged, tool results leading the
 * user turn that carries them, and a user turn ahead of a conversation the assistant opened.
 * Each family supplies only how one message becomes its own blocks.
 */
import type { ChatMessage } from '../chat';

export interface Turn<B> {
  role: 'user' | 'assistant';
  content: B[];
}

export interface TurnBlocks<B> {
  system(m: Extract<ChatMessage, { role: 'system' | 'developer' }>): B[];
  user(m: Extract<ChatMessage, { role: 'user' }>): B[];
  assistant(m: Extract<ChatMessage, { role: 'assistant' }>): B[];
  tool(m: Extract<ChatMessage, { role: 'tool' }>): B;
  isToolResult(b: B): boolean;
  /** The placeholder user turn for a conversation the assistant opened. */
  opener: B;
}

export function alternatingTurns<B>(messages: ChatMessage[], blocks: TurnBlocks<B>): { system: B[]; turns: Turn<B>[] } {
  const system: B[] = [];
  const turns: Turn<B>[] = [];
  const push = (role: Turn<B>['role'], content: B[]) => {
    if (!content.length) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(...blocks.system(m));
    else if (m.role === 'user') push('user', blocks.user(m));
    else if (m.role === 'assistant') push('assistant', blocks.assistant(m));
    else push('user', [blocks.tool(m)]);
  }
  for (const t of turns) {
    if (t.role === 'user') t.content.sort((a, b) => Number(blocks.isToolResult(b)) - Number(blocks.isToolResult(a)));
  }
  if (turns[0]?.role === 'assistant') turns.unshift({ role: 'user', content: [blocks.opener] });
  return { system, turns };
}
