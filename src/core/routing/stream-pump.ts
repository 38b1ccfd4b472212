/**
 * The per-chunk loop of a streamed call: each chunk into the completion builder, then to the
 * caller. It is the hottest code in the router. Adapters that hand over every chunk one read
 * completed as one batch (`streamBatches`) save an async-generator hop per chunk, and their
 * batches run through `deliver`, a plain function V8 can optimize mid-batch (see there, and
 * docs/ARCHITECTURE.md, "Performance").
 */
import type { ChatChunk } from '../chat';
import type { Limits } from '../config/schema';
import type { AdapterCall, ProviderAdapter } from '../providers/types';
import type { CompletionBuilder } from './completion-builder';

export async function pumpChunks(
  adapter: ProviderAdapter,
  body: AsyncIterable<Uint8Array>,
  call: AdapterCall,
  limits: Limits,
  builder: CompletionBuilder,
  onChunk: ((chunk: ChatChunk) => void) | undefined,
): Promise<void> {
  if (!adapter.streamBatches) {
    for await (const chunk of adapter.streamChunks(body, call, limits)) {
      builder.add(chunk);
      onChunk?.(chunk);
    }
    return;
  }
  for await (const batch of adapter.streamBatches(body, call, limits)) deliver(batch, builder, onChunk);
}

/**
 * A batch's loop, in a plain function of its own: an async function's loop cannot be optimized
 * while it runs (no on-stack replacement in generators), so after a full GC threw the optimized
 * code away, a loop inside pumpChunks would run a whole burst interpreted.
 */
function deliver(batch: readonly ChatChunk[], builder: CompletionBuilder, onChunk: ((chunk: ChatChunk) => void) | undefined): void {
  for (let i = 0; i < batch.length; i++) {
    const chunk = batch[i]!;
    builder.add(chunk);
    onChunk?.(chunk);
  }
}
