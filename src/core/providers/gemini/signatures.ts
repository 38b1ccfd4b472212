// --- thought signatures ---------------------------------------------------------------------

/**
 * Gemini 3 signs the first function call of each step and refuses the next turn (400) unless that
 * signature comes back on the same call. The canonical shape has no field for it, but tool-call ids
 * survive the round trip, so signatures wait here keyed by those ids.
 */
export class ThoughtSignatureCache {
  private readonly entries = new Map<string, string>();

  constructor(readonly capacity = 1024) {}

  get size(): number {
    return this.entries.size;
  }

  remember(toolCallId: string, signature: string): void {
    this.entries.delete(toolCallId);
    this.entries.set(toolCallId, signature);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get(toolCallId: string): string | undefined {
    const sig = this.entries.get(toolCallId);
    if (sig !== undefined) {
      this.entries.delete(toolCallId);
      this.entries.set(toolCallId, sig);
    }
    return sig;
  }

  clear(): void {
    this.entries.clear();
  }
}
