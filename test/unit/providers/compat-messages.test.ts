import assert from 'node:assert/strict';
import type { ChatMessage } from '../../../src/core/chat';
import { fitCompatMessages } from '../../../src/core/providers/openai-compatible/messages';
import { FORMAT } from '../../../src/core/reasoning';

const mark = { type: 'ephemeral' };
const img = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };
const history = (): ChatMessage[] =>
  [
    { role: 'system', content: [{ type: 'text', text: 'sys', cache_control: mark }] },
    { role: 'user', content: 'q' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      reasoning_details: [{ type: 'reasoning.text', text: 'thought', format: FORMAT.openai }],
      cache_control: mark,
    },
    { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'out' }, img] },
    { role: 'user', content: 'next' },
  ] as ChatMessage[];

describe('fitting editor messages to an OpenAI-compatible wire', () => {
  it('strips cache marks and reasoning details for providers that cache on their own', () => {
    const out = fitCompatMessages(history(), 'openai') as any[];
    assert.ok(!JSON.stringify(out).includes('cache_control'));
    assert.ok(!JSON.stringify(out).includes('reasoning'));
  });

  it('moves a tool’s images into a user message right after the tool results', () => {
    const out = fitCompatMessages(history(), 'groq') as any[];
    assert.deepEqual(
      out.map((m) => m.role),
      ['system', 'user', 'assistant', 'tool', 'user', 'user'],
    );
    assert.deepEqual(out[3].content, [{ type: 'text', text: 'out' }]);
    assert.deepEqual(out[4].content[1], img);
  });

  it('keeps cache marks and reasoning details for OpenRouter, which honours both', () => {
    const out = fitCompatMessages(history(), 'openrouter') as any[];
    assert.deepEqual(out[0].content[0].cache_control, mark);
    assert.equal(out[2].reasoning_details[0].text, 'thought');
    assert.equal(out[2].cache_control, undefined, 'a message-level mark is ours, not OpenRouter’s');
  });

  it('gives DeepSeek its reasoning back as reasoning_content on a tool-calling turn', () => {
    const out = fitCompatMessages(history(), 'deepseek') as any[];
    assert.equal(out[2].reasoning_content, 'thought');
    assert.equal(out[2].reasoning_details, undefined);
  });

  it('sends a conversation with nothing to remove or move as it came, without copying its turns', () => {
    const plain = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'q' }, img] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'out' }] },
      { role: 'assistant', content: 'a', reasoning_details: [{ type: 'reasoning.text', text: 't', format: FORMAT.openai }] },
    ] as ChatMessage[];
    // OpenRouter keeps reasoning details, so for it nothing needs changing.
    assert.equal(fitCompatMessages(plain, 'openrouter'), plain);
    const noReasoning = plain.slice(0, 4);
    assert.equal(fitCompatMessages(noReasoning, 'groq'), noReasoning);
    // Other providers get the reasoning details folded away, so that turn makes a copy.
    const fitted = fitCompatMessages(plain, 'groq');
    assert.notEqual(fitted, plain);
    assert.deepEqual(fitted.slice(0, 4), noReasoning);
  });

  it('copies the conversation, leaving the caller’s untouched, as soon as one turn needs a change', () => {
    for (let i = 0; i < history().length; i++) {
      const plain: ChatMessage[] = [{ role: 'user', content: 'a' }, history()[i]!, { role: 'user', content: 'b' }];
      const before = JSON.stringify(plain);
      const out = fitCompatMessages(plain, 'openai');
      if (i === 1 || i === 4) {
        assert.equal(out, plain, `turn ${i} needs nothing`);
        continue;
      }
      assert.notEqual(out, plain, `turn ${i} needs a change`);
      assert.equal(JSON.stringify(plain), before);
      assert.ok(!JSON.stringify(out).includes('cache_control') && !JSON.stringify(out).includes('reasoning_details'));
    }
  });
});
