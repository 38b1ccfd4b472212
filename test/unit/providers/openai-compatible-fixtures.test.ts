import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatChunk } from '../../../src/core/chat';
import { limitsSchema } from '../../../src/core/config/schema';
import { isRouteFailure } from '../../../src/core/errors';
import type { ProviderId } from '../../../src/core/providers/ids';
import { Adapters } from '../../../src/core/providers/registry';
import type { AdapterCall } from '../../../src/core/providers/types';
import { CompletionBuilder } from '../../../src/core/routing/completion-builder';

const DIR = join(__dirname, '../../fixtures/openai-compatible');
const limits = limitsSchema.parse({});
const adapters = new Adapters();

/** The recorded bytes in reads of 7 bytes, so frames split across reads as they do on a socket. */
async function* bytes(name: string): AsyncIterable<Uint8Array> {
  const all = readFileSync(join(DIR, name));
  for (let i = 0; i < all.length; i += 7) yield all.subarray(i, i + 7);
}

function call(provider: ProviderId): AdapterCall {
  return { provider, request: { model: 'm', messages: [] }, nativeModel: 'm', secret: 's', stream: true, options: {} };
}

async function collect(provider: ProviderId, fixture: string): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of adapters.get(provider).streamChunks(bytes(fixture), call(provider), limits)) out.push(c);
  return out;
}

describe('OpenAI-compatible adapter on recorded answers, without HTTP', () => {
  it('assembles a streamed tool call and the usage chunk that has no choices', async () => {
    const chunks = await collect('openai', 'stream-tool-call.sse');
    const b = new CompletionBuilder();
    for (const c of chunks) b.add(c);
    const done = b.build('openai/gpt-4.1-mini', 0);
    const msg = done.choices[0]!.message;
    assert.deepEqual(msg.tool_calls, [{ id: 'call_Oslo1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
    assert.equal(done.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(done.usage?.prompt_tokens, 61);
    assert.equal(done.usage?.completion_tokens, 17);
  });

  it("names DeepSeek's reasoning_content reasoning and reads its cache hits as cached tokens", async () => {
    const chunks = await collect('deepseek', 'stream-deepseek-reasoning.sse');
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning ?? '').join('');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(reasoning, 'Two plus two');
    assert.equal(text, '4');
    const last = chunks[chunks.length - 1]!;
    assert.equal(last.choices[0]!.finish_reason, 'stop');
    assert.equal(last.usage?.prompt_tokens_details?.cached_tokens, 8);
  });

  it("reads Groq's usage from x_groq on the finishing chunk", async () => {
    const chunks = await collect('groq', 'stream-groq-usage.sse');
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Hello');
    const usage = chunks.find((c) => c.usage)?.usage;
    assert.equal(usage?.prompt_tokens, 9);
    assert.equal(usage?.completion_tokens, 1);
  });

  it("classifies MiniMax's error inside a 200 body by its code, as a long wait for an empty balance", async () => {
    const text = readFileSync(join(DIR, 'minimax-insufficient-balance.json'), 'utf8');
    assert.throws(
      () => adapters.get('minimax').parseCompletion(text, { ...call('minimax'), stream: false }),
      (e: unknown) => {
        assert.ok(isRouteFailure(e));
        assert.equal(e.error.kind, 'rate_limited');
        assert.equal(e.error.code, '1008');
        assert.equal(e.error.retryAfterMs, Number.POSITIVE_INFINITY);
        return true;
      },
    );
    await assert.rejects(collect('minimax', 'minimax-insufficient-balance.json'), (e: unknown) => isRouteFailure(e) && e.error.kind === 'rate_limited');
  });
});
