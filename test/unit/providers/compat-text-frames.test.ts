import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatChunk } from '../../../src/core/chat';
import { streamCompatChunks } from '../../../src/core/providers/openai-compatible/response';
import { literalEnd, TextFrames } from '../../../src/core/providers/openai-compatible/text-frames';

const limits = { maxBodyBytes: 1 << 24, maxEventBytes: 1 << 20 } as never;

/** A text delta as OpenAI-compatible providers send it, fields in their usual order. */
function frame(content: string, over: { id?: string; created?: number; model?: string; index?: number; extra?: Record<string, unknown> } = {}): string {
  return JSON.stringify({
    id: over.id ?? 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: over.created ?? 1700000000,
    model: over.model ?? 'm',
    system_fingerprint: null,
    choices: [{ index: over.index ?? 0, delta: { content }, logprobs: null, finish_reason: null }],
    ...over.extra,
  });
}

/** The usual frame with its one choice replaced. */
function withChoice(choice: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(frame('')) as Record<string, unknown>), choices: [choice] });
}

/** The canonical chunk a whole parse makes of such a frame. */
function canonical(data: string): ChatChunk {
  const o = JSON.parse(data) as { id: string; created: number; model: string; choices: { index: number; delta: { content: string } }[] };
  const c = o.choices[0]!;
  return {
    id: o.id,
    object: 'chat.completion.chunk',
    created: o.created,
    model: o.model,
    choices: [{ index: c.index, delta: { content: c.delta.content }, finish_reason: null }],
  };
}

function learned(first: string): TextFrames {
  const t = new TextFrames();
  t.learn(first, canonical(first));
  return t;
}

describe('reading compatible text deltas against the last one’s layout', () => {
  it('reads any content string exactly as a whole parse would: quotes, backslashes, escapes, lone surrogates', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { minLength: 1, maxLength: 20 }),
        (first, rest) => {
          const t = learned(frame(first));
          for (const content of rest) {
            const data = frame(content);
            assert.deepEqual(t.read(data), canonical(data));
          }
        },
      ),
    );
  });

  it('reads nothing when anything but the content changed, so the whole parse decides', () => {
    const t = learned(frame('a'));
    const changed = [
      frame('b', { id: 'chatcmpl-2' }),
      frame('b', { created: 1700000001 }),
      frame('b', { model: 'n' }),
      frame('b', { index: 1 }),
      frame('b', { extra: { usage: { prompt_tokens: 1 } } }),
      withChoice({ index: 0, delta: { content: 'b' }, logprobs: null, finish_reason: 'stop' }),
      withChoice({ index: 0, delta: { role: 'assistant', content: 'b' }, logprobs: null, finish_reason: null }),
    ];
    for (const data of changed) assert.equal(t.read(data), undefined, data);
    // A field after the content that changes but keeps its length (OpenAI's random `obfuscation`).
    const padded = learned(frame('a', { extra: { obfuscation: 'abcd' } }));
    assert.equal(padded.read(frame('b', { extra: { obfuscation: 'wxyz' } })), undefined);
    assert.deepEqual(padded.read(frame('b', { extra: { obfuscation: 'abcd' } })), canonical(frame('b')));
  });

  it('reads nothing when the text between is not exactly one valid string literal', () => {
    const t = learned(frame('a'));
    const good = frame('b');
    const at = good.indexOf('"content":"') + '"content":'.length;
    const tail = good.slice(literalEnd(good, at));
    for (const literal of ['"b","role":"user"', '"b\\q"', '"b', 'null', '"a" "b"', '"\u0001"']) {
      assert.equal(t.read(good.slice(0, at) + literal + tail), undefined, literal);
    }
  });

  it('learns no layout when the content key it finds is not the delta’s', () => {
    // The delta's key is escaped, so the only plain "content" key belongs to another object.
    const tricky = `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","note":{"content":"a"},"choices":[{"index":0,"delta":{"\\u0063ontent":"a"},"finish_reason":null}]}`;
    const t = new TextFrames();
    t.learn(tricky, canonical(tricky));
    assert.equal(t.read(tricky.replace('"note":{"content":"a"}', '"note":{"content":"b"}')), undefined);
  });

  it('finds where a string literal ends, past escaped quotes and backslash runs', () => {
    for (const value of ['', 'a', '"', '\\', '\\"', 'a\\\\', '\\\\\\"x', '\n\t\u2028']) {
      const text = `${JSON.stringify(value)},"next":1`;
      assert.equal(literalEnd(text, 0), JSON.stringify(value).length, JSON.stringify(value));
    }
    assert.equal(literalEnd('"abc', 0), -1);
  });

  it('gives a stream the same chunks as a whole parse of every frame, whatever changes midway', async () => {
    const pieces = fc.array(fc.record({ content: fc.string(), id: fc.constantFrom('a', 'a', 'a', 'b'), model: fc.constantFrom('m', 'm', 'n') }), {
      minLength: 1,
      maxLength: 40,
    });
    await fc.assert(
      fc.asyncProperty(pieces, async (ps) => {
        const frames = ps.map((p) => frame(p.content, { id: p.id, model: p.model }));
        const finish = JSON.stringify({
          id: 'a',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        });
        const text = [...frames, finish].map((f) => `data: ${f}\n\n`).join('') + 'data: [DONE]\n\n';
        async function* body() {
          yield Buffer.from(text);
        }
        const got: ChatChunk[] = [];
        for await (const c of streamCompatChunks('openai', body(), limits)) got.push(c);
        assert.deepEqual(
          got.slice(0, frames.length),
          frames.map((f) => canonical(f)),
        );
        assert.equal(got[frames.length]?.choices[0]?.finish_reason, 'stop');
      }),
      { numRuns: 200 },
    );
  });
});
