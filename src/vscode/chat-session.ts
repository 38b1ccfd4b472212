/**
 * A stable id for an `@byok` conversation, for stickiness. The chat API of the VS Code version we
 * build against (@types/vscode 1.104) gives a participant no session id: `ChatContext` holds only
 * `history`, and `ChatRequest` and its turns carry no id. So the id is derived from the
 * conversation's first request, which every later turn finds first in `context.history`. The
 * prompt-hash fallback of the core would not do: the first turn's message carries the text of the
 * files attached to it, while later turns replay that request as its bare prompt, so the
 * conversation would look new on its second turn. Only a hash leaves this module.
 */
import { createHash } from 'node:crypto';

/** A turn of `ChatContext.history` as far as this needs: request turns have a prompt. */
export interface TurnLike {
  readonly participant: string;
  readonly prompt?: string;
  readonly command?: string;
}

/** Turns that never reach a provider (`/route` shows a plan) do not start a conversation. */
const SILENT = new Set(['route']);

export function chatSessionId(history: readonly TurnLike[], request: { prompt: string; command?: string }, participant: string): string {
  const first = history.find((t) => t.participant === participant && typeof t.prompt === 'string' && !SILENT.has(t.command ?? ''));
  const prompt = first?.prompt ?? request.prompt;
  const command = first ? (first.command ?? '') : (request.command ?? '');
  return `chat-${createHash('sha256').update(`${participant}\0${command}\0${prompt}`).digest('hex').slice(0, 32)}`;
}
