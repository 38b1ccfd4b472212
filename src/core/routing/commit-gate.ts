/**
 * The commit point: chunks without content (role, empty deltas) wait until the first content
 * delta, because until then another route could still serve the request. From the first content on,
 * every chunk goes straight to the caller and no fallback is possible.
 */
import { chunkHasContent, type ChatChunk } from '../chat';
import { keepShape } from '../keep-shape';

export class CommitGate {
  committed = false;
  private readonly pending: ChatChunk[] = [];

  constructor(private readonly deliver?: (chunk: ChatChunk) => void) {}

  push(chunk: ChatChunk): void {
    const deliver = this.deliver;
    if (!deliver) return;
    if (this.committed) return deliver(chunk);
    if (!chunkHasContent(chunk)) {
      this.pending.push(chunk);
      return;
    }
    this.committed = true;
    this.flush();
    deliver(chunk);
  }

  /** The stream ended well: whatever waited goes out (a stream without content still reaches the caller). */
  flush(): void {
    for (const p of this.pending) this.deliver?.(p);
    this.pending.length = 0;
  }
}
keepShape(new CommitGate(() => undefined));
