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
});
