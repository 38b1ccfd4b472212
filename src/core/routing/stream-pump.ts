/**
 * The per-chunk half of a streamed attempt, kept out of `Router.attempt`: chunks go into the
 * completion builder and, once one carries content, to the caller (the chunks before it wait, so
 * a route that fails before saying anything can still fall back unseen).
 *
 * Why a class of its own: this loop is the hottest code in the router. V8 throws optimized code
 * away when a full GC frees the objects it was specialised for (a stream's parsed chunks), and a
 * small loop is re-optimized within a few chunks where one inside a long function runs the rest
 * of the stream interpreted. Adapters that can hand over every chunk one read completed as one
 * batch (`streamBatches`) also save an async-generator hop per chunk.
 */
import type { ChatChunk } from '../chat';
import { chunkHasContent } from '../chat';
import type { Limits } from '../config/schema';
import type { AdapterCall, ProviderAdapter } from '../providers/types';
import { CompletionBuilder } from './completion-builder';

export class StreamPump {
  readonly builder = new CompletionBuilder();
  /** True once anything reached the caller (or, at the end, once the answer had content). */
  committed = false;
  private pending: ChatChunk[] = [];

  constructor(private readonly deliver: ((chunk: ChatChunk) => void) | undefined) {}

  async run(adapter: ProviderAdapter, body: AsyncIterable<Uint8Array>, call: AdapterCall, limits: Limits): Promise<void> {
    if (adapter.streamBatches) {
      for await (const batch of adapter.streamBatches(body, call, limits)) for (let i = 0; i < batch.length; i++) this.take(batch[i]!);
    } else {
      for await (const chunk of adapter.streamChunks(body, call, limits)) this.take(chunk);
    }
    const deliver = this.deliver;
    if (deliver) for (const p of this.pending) deliver(p);
    this.pending = [];
    this.committed ||= this.builder.chars > 0;
  }

  private take(chunk: ChatChunk): void {
    this.builder.add(chunk);
    const deliver = this.deliver;
    if (!deliver) return;
    if (this.committed) return deliver(chunk);
    if (!chunkHasContent(chunk)) return void this.pending.push(chunk);
    this.committed = true;
    for (const p of this.pending) deliver(p);
    this.pending = [];
    deliver(chunk);
  }
}
