import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatChunk } from '../../../src/core';
import { sseData } from '../../../src/serve/api';
import { TextChunkEncoder } from '../../../src/serve/openai-chat';

/** What the endpoint wrote for every chunk before the text fast path: the chunk with the client's model, stringified. */
const generic = (c: ChatChunk, model: string) => sseData({ id: c.id, object: c.object, created: c.created, model, choices: c.choices });

const chunk = (id: string, created: number, index: number, delta: ChatChunk['choices'][number]['delta'], extra: object = {}): ChatChunk => ({
  id,
  object: 'chat.completion.chunk',
  created,
  model: 'upstream-model',
  choices: [{ index, delta, finish_reason: null, ...extra }],
});

describe('the OpenAI chat stream encoder', () => {
  it('writes a text chunk byte for byte as JSON.stringify of the whole chunk would, whatever the text, id and model', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.nat(3),
        fc.array(fc.string({ unit: 'binary' })),
        (model, id, created, index, texts) => {
          const enc = new TextChunkEncoder(model);
          for (const t of texts) {
            const c = chunk(id, created, index, { content: t });
            assert.equal(enc.encode(c), generic(c, model));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows a change of id, created or index within one stream', () => {
    const enc = new TextChunkEncoder('m');
    for (const c of [
      chunk('a', 1, 0, { content: 'x' }),
      chunk('b', 1, 0, { content: 'y' }),
      chunk('b', 2, 0, { content: 'z' }),
      chunk('b', 2, 1, { content: '"q"\n' }),
    ])
      assert.equal(enc.encode(c), generic(c, 'm'));
  });

  it('leaves every other chunk to JSON.stringify: a role, tool calls, reasoning, a finish, logprobs, two choices, extra fields', () => {
    const enc = new TextChunkEncoder('m');
    const others: ChatChunk[] = [
      chunk('a', 1, 0, { role: 'assistant', content: '' }),
      chunk('a', 1, 0, { content: null }),
      chunk('a', 1, 0, { tool_calls: [{ index: 0, function: { arguments: '{' } }] }),
      chunk('a', 1, 0, { content: 'x', reasoning: 'why' }),
      chunk('a', 1, 0, { content: 'x' }, { logprobs: { content: [] } }),
      { ...chunk('a', 1, 0, { content: 'x' }), choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] },
      { ...chunk('a', 1, 0, { content: 'x' }), choices: [0, 1].map((index) => ({ index, delta: { content: 'x' }, finish_reason: null })) },
      chunk('a', 1, 0, { content: 'x' }, { native_finish_reason: 'x' }),
    ];
    for (const c of others) assert.equal(enc.encode(c), undefined, JSON.stringify(c));
    assert.equal(enc.encode(chunk('a', 1, 0, { content: 'x' }, { logprobs: undefined })), generic(chunk('a', 1, 0, { content: 'x' }), 'm'));
  });
});
