import assert from 'node:assert/strict';
import type { ChatChunk } from '../../../src/core/chat';
import { limitsSchema } from '../../../src/core/config/schema';
import { Adapters } from '../../../src/core/providers/registry';
import type { AdapterCall } from '../../../src/core/providers/types';
import { CompletionBuilder } from '../../../src/core/routing/completion-builder';
import { pumpChunks } from '../../../src/core/routing/stream-pump';

const call: AdapterCall = {
  provider: 'openai',
  request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true },
  nativeModel: 'gpt-4o-mini',
  secret: 'sk-pump-test-0001',
  stream: true,
  options: {},
};
const limits = limitsSchema.parse({});
const openai = new Adapters().get('openai');

const frame = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A body whose reads are exactly these strings, as a socket could hand them over. */
function body(reads: string[]): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const r of reads) yield Buffer.from(r, 'utf8');
    },
  };
}

describe('the stream pump', () => {
  it('gets the chunks one read completed from an OpenAI-compatible stream as one batch, the first content on its own', async () => {
    const reads = [
      frame({ role: 'assistant', content: '' }),
      frame({ content: 'a' }) + frame({ content: 'b' }) + frame({ content: 'c' }).slice(0, 20),
      frame({ content: 'c' }).slice(20) + frame({}, 'stop') + 'data: [DONE]\n\n',
    ];
    const batches: number[] = [];
    for await (const b of openai.streamBatches!(body(reads), call, limits)) batches.push(b.length);
    // Read 2 completes a, b: a (the first content) goes out at once, b after it; read 3 completes c and the finish.
    assert.deepEqual(batches, [1, 1, 1, 2]);
    const one: ChatChunk[] = [];
    for await (const c of openai.streamChunks(body(reads), call, limits)) one.push(c);
    assert.equal(one.length, 5, 'streamChunks hands over the same chunks one by one');
  });

  it('hands over the first content of a read holding a burst before it parses the rest of the read', async () => {
    // The first token, then an event growing past the limit in the same read: the token reaches
    // the caller first, and the failure comes after it, as if the two had come in two reads.
    const tight = limitsSchema.parse({ maxEventBytes: 4096 });
    const read = frame({ role: 'assistant', content: '' }) + frame({ content: 'first' }) + frame({ content: 'more' }).repeat(20) + `data: ${'x'.repeat(8000)}`;
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const b of openai.streamBatches!(body([read]), call, tight)) for (const c of b) got.push(c.choices[0]?.delta.content ?? '');
    }, /exceeded the 4096-byte limit/);
    assert.deepEqual(got.slice(0, 2), ['', 'first']);
  });

  it('hands every chunk to the builder and the caller in order, batch or not', async () => {
    const reads = [frame({ role: 'assistant', content: '' }) + frame({ content: 'Hel' }), frame({ content: 'lo' }) + frame({}, 'stop') + 'data: [DONE]\n\n'];
    const seen: string[] = [];
    const builder = new CompletionBuilder();
    await pumpChunks(openai, body(reads), call, limits, builder, (c) => seen.push(c.choices[0]?.delta.content ?? `(${c.choices[0]?.finish_reason})`));
    assert.deepEqual(seen, ['', 'Hel', 'lo', '(stop)']);
    assert.equal(builder.build('openai/gpt-4o-mini', 0).choices[0]!.message.content, 'Hello');
  });

  it('takes a stream that said why it finished as complete when the body ends without [DONE]', async () => {
    const reads = [frame({ role: 'assistant', content: '' }) + frame({ content: 'x' }), frame({ content: 'y' }) + frame({}, 'stop')];
    const seen: string[] = [];
    const builder = new CompletionBuilder();
    await pumpChunks(openai, body(reads), call, limits, builder, (c) => seen.push(c.choices[0]?.delta.content ?? `(${c.choices[0]?.finish_reason})`));
    assert.deepEqual(seen, ['', 'x', 'y', '(stop)']);
    assert.equal(builder.build('openai/gpt-4o-mini', 0).choices[0]!.finish_reason, 'stop');
  });

  it('fails a body cut off inside an event, after delivering the events it completed, and drops the cut one', async () => {
    // The SSE rule: an event the body ended inside is discarded, even one that would have said "stop".
    const reads = [frame({ role: 'assistant', content: '' }) + frame({ content: 'whole' }), frame({}, 'stop').trimEnd()];
    const seen: string[] = [];
    await assert.rejects(
      pumpChunks(openai, body(reads), call, limits, new CompletionBuilder(), (c) =>
        seen.push(c.choices[0]?.delta.content ?? `(${c.choices[0]?.finish_reason})`),
      ),
      /ended before it finished/,
    );
    assert.deepEqual(seen, ['', 'whole']);
  });

  it('delivers the chunks read before a mid-stream error, then throws it', async () => {
    const reads = [frame({ content: 'partial' }) + `data: ${JSON.stringify({ error: { message: 'upstream fell over', type: 'server_error' } })}\n\n`];
    const seen: string[] = [];
    const builder = new CompletionBuilder();
    await assert.rejects(
      pumpChunks(openai, body(reads), call, limits, builder, (c) => seen.push(c.choices[0]?.delta.content ?? '')),
      /fell over/,
    );
    assert.deepEqual(seen, ['partial'], 'output had started, so the router must not fall back silently');
    assert.equal(builder.chars, 7);
  });
});
