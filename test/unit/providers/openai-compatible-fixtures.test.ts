import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatChunk } from '../../../src/core/chat';
import { limitsSchema } from '../../../src/core/config/schema';
import { isRouteFailure } from '../../../src/core/errors';
import type { ProviderId } from '../../../src/core/providers/ids';
import { Adapters } from '../../../src/core/providers/registry';
import type { AdapterCall } from '../../../src/core/providers/types';
import { parseCompatCompletion } from '../../../src/core/providers/openai-compatible/response';
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

  it('reads each chunk into the canonical shape: both choices, logprobs and citations kept, provider extras and nulls left behind', async () => {
    const chunks = await collect('openrouter', 'stream-openrouter-extras.sse');
    assert.equal(chunks.length, 3);
    const [first, last, usage] = chunks as [ChatChunk, ChatChunk, ChatChunk];
    assert.deepEqual(Object.keys(first).sort(), ['choices', 'created', 'id', 'model', 'object']);
    assert.deepEqual(
      first.choices.map((c) => [c.index, c.delta.content, c.finish_reason]),
      [
        [0, 'Oslo', null],
        [1, 'Bergen', null],
      ],
    );
    // `reasoning: null` and `refusal: null` are absent, not null: the canonical delta has no nulls but content's.
    assert.deepEqual(first.choices[0]!.delta, { role: 'assistant', content: 'Oslo' });
    assert.equal((first.choices[0]!.logprobs as { content: { token: string }[] }).content[0]!.token, 'Oslo');
    assert.equal('logprobs' in first.choices[1]!, false);
    assert.deepEqual(
      last.choices.map((c) => c.finish_reason),
      ['stop', 'length'],
    );
    assert.equal((last.choices[0]!.delta.annotations as { url_citation: { url: string } }[])[0]!.url_citation.url, 'https://example.org/oslo');
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage?.cost, 0.00001);
    for (const c of chunks) assert.equal('provider' in c || 'system_fingerprint' in c || 'native_finish_reason' in (c.choices[0] ?? {}), false);
  });

  it('never writes to the frame it parsed: the usage with DeepSeek cache hits is a new object', () => {
    const wire = {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'deepseek-chat',
      choices: [{ index: 0, message: { role: 'assistant', content: '4', reasoning_content: 'Two plus two' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_cache_hit_tokens: 8 },
    };
    const text = JSON.stringify(wire);
    const done = parseCompatCompletion('deepseek', text);
    assert.equal(done.choices[0]!.message.reasoning, 'Two plus two');
    assert.equal(done.usage?.prompt_tokens_details?.cached_tokens, 8);
    assert.equal('reasoning_content' in done.choices[0]!.message, false);
    // The same text parsed again gives the same answer: nothing shared was changed.
    assert.deepEqual(parseCompatCompletion('deepseek', text), done);
  });
});
