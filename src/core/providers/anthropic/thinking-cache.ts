/**
 * Claude's signed thinking blocks must come back, verbatim, in the assistant turn that carries the
 * tool calls they led to, or the next request of the tool loop fails with a 400. The canonical
 * OpenAI shape (and VS Code's LM API) has nowhere to keep them, but tool-call ids survive the round
 * trip; so the blocks wait here, keyed by those ids, until that turn is sent again.
 */

export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/** A bounded LRU: old tool loops fall out; a hit refreshes the entry. */
export class ThinkingCache {
  private readonly entries = new Map<string, ThinkingBlock[]>();

  constructor(readonly capacity = 256) {}

  get size(): number {
    return this.entries.size;
  }

  /** Every tool call of one turn shares the same blocks, so any of their ids finds them. */
  remember(toolCallIds: readonly string[], blocks: readonly ThinkingBlock[]): void {
    if (!toolCallIds.length || !blocks.length) return;
    const kept = blocks.map((b) => ({ ...b }));
    for (const id of toolCallIds) {
      this.entries.delete(id);
      this.entries.set(id, kept);
    }
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The blocks of the turn that made one of these tool calls, if still held. */
  recall(toolCallIds: readonly string[]): ThinkingBlock[] | undefined {
    for (const id of toolCallIds) {
      const blocks = this.entries.get(id);
      if (!blocks) continue;
      this.entries.delete(id);
      this.entries.set(id, blocks);
      return blocks;
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }
}
