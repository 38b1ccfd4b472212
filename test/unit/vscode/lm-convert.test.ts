import assert from 'node:assert/strict';
import { FORMAT } from '../../../src/core/reasoning';
import { convertMessages, countable, reasoningOut, thinkingPayload, type InMessage, type InPart } from '../../../src/vscode/lm-convert';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const text = (t: string): InPart => ({ kind: 'text', text: t });
const data = (mimeType: string, bytes: Uint8Array | string): InPart => ({
  kind: 'data',
  mimeType,
  data: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
});
const cache = () => data('cache_control', 'ephemeral');
const image = () => data('image/png', PNG);
const dataUrl = `data:image/png;base64,${PNG.toString('base64')}`;

describe('converting vscode.lm messages to the router’s requests', () => {
  it('keeps plain text messages as strings, the system prompt first among them', () => {
    const c = convertMessages([
      { role: 'system', content: [text('Be brief.')] },
      { role: 'user', content: [text('Hello '), text('there')], name: 'ann' },
    ]);
    assert.deepEqual(c.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello there', name: 'ann' },
    ]);
    assert.equal(c.images, 0);
    assert.deepEqual(c.notes, []);
    assert.deepEqual(c.bookkeeping, []);
  });

  it('turns an image data part into an image_url data URL, in a message and in a tool result', () => {
    const c = convertMessages([
      { role: 'user', content: [text('What is this?'), image()] },
      { role: 'assistant', content: [{ kind: 'call', id: 'c1', name: 'screenshot', input: {} }] },
      { role: 'user', content: [{ kind: 'result', callId: 'c1', content: [text('here'), image()] }] },
    ]);
    assert.deepEqual(c.messages[0], {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: dataUrl } },
      ],
    });
    assert.deepEqual(c.messages[2], {
      role: 'tool',
      tool_call_id: 'c1',
      content: [
        { type: 'text', text: 'here' },
        { type: 'image_url', image_url: { url: dataUrl } },
      ],
    });
    assert.equal(c.images, 2);
  });

  it('puts a cache_control mark on the block before it: system text, an image, a tool call’s message, a tool result', () => {
    const c = convertMessages([
      { role: 'system', content: [text('System prompt'), cache()] },
      { role: 'user', content: [text('Look'), image(), cache(), text(' and answer')] },
      { role: 'assistant', content: [{ kind: 'call', id: 'c1', name: 'f', input: { a: 1 } }, cache()] },
      { role: 'user', content: [{ kind: 'result', callId: 'c1', content: [text('result')] }, cache()] },
    ]);
    const [system, user, assistant, tool] = c.messages as any[];
    assert.deepEqual(system.content, [{ type: 'text', text: 'System prompt', cache_control: { type: 'ephemeral' } }]);
    assert.deepEqual(user.content[1].cache_control, { type: 'ephemeral' });
    assert.equal(user.content[0].cache_control, undefined);
    assert.deepEqual(user.content[2], { type: 'text', text: ' and answer' });
    assert.deepEqual(assistant.cache_control, { type: 'ephemeral' });
    assert.deepEqual(tool.content, [{ type: 'text', text: 'result', cache_control: { type: 'ephemeral' } }]);
  });

  it('restores the reasoning details a thinking part carries onto the assistant message', () => {
    const details = [{ type: 'reasoning.text' as const, text: 'think', signature: 'sig', format: FORMAT.anthropic }];
    const c = convertMessages([
      { role: 'user', content: [text('q')] },
      { role: 'assistant', content: [data('thinking', thinkingPayload('msg_1', 'think', details)), { kind: 'call', id: 'c1', name: 'f', input: {} }] },
    ]);
    assert.deepEqual((c.messages[1] as any).reasoning_details, details);
    assert.deepEqual((c.messages[1] as any).tool_calls[0].id, 'c1');
  });

  it('explains every part it leaves out, and never sends the host’s own markers', () => {
    const c = convertMessages([
      {
        role: 'user',
        content: [
          text('q'),
          data('stateful_marker', 'model\\{"marker":"x"}'),
          data('application/octet-stream', new Uint8Array([1, 2])),
          { kind: 'other', what: 'LanguageModelPromptTsxPart' },
        ],
      },
      { role: 'assistant', content: [text('a'), data('thinking', '{"id":"x","text":"no details"}'), data('usage', '{"prompt_tokens":1}')] },
    ] as InMessage[]);
    assert.deepEqual(c.messages, [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
    assert.equal(c.notes.length, 3, c.notes.join('\n'));
    assert.equal(c.bookkeeping.length, 2, c.bookkeeping.join('\n'));
    assert.ok(c.bookkeeping.some((n) => n.includes('stateful_marker')));
    assert.ok(c.bookkeeping.some((n) => n.includes('usage')));
    assert.ok(c.notes.some((n) => n.includes('application/octet-stream')));
    assert.ok(c.notes.some((n) => n.includes('LanguageModelPromptTsxPart')));
    assert.ok(c.notes.some((n) => n.includes('thinking part')));
  });

  it('reads text and JSON data parts as text', () => {
    const c = convertMessages([{ role: 'user', content: [{ kind: 'result', callId: 'c1', content: [data('application/json', '{"ok":true}')] }] }]);
    assert.deepEqual(c.messages, [{ role: 'tool', tool_call_id: 'c1', content: '{"ok":true}' }]);
  });

  it('sends out merged reasoning details, or plain reasoning text when the family gave no details', () => {
    assert.deepEqual(reasoningOut([], 'because'), [{ type: 'reasoning.text', text: 'because', format: FORMAT.openai }]);
    assert.deepEqual(
      reasoningOut(
        [
          { type: 'reasoning.text', text: 'a', format: 'anthropic-claude-v1', index: 0 } as any,
          { type: 'reasoning.text', text: 'b', signature: 's', format: 'anthropic-claude-v1', index: 0 } as any,
        ],
        'ab',
      ),
      [{ type: 'reasoning.text', text: 'ab', signature: 's', format: 'anthropic-claude-v1', index: 0 }],
    );
    assert.deepEqual(reasoningOut([], ''), []);
  });

  it('counts the text of calls, results and echoed reasoning, and images apart', () => {
    const details = [{ type: 'reasoning.text' as const, text: 'xyz', format: FORMAT.anthropic }];
    const c = countable([
      text('ab'),
      { kind: 'call', id: '1', name: 'f', input: { a: 1 } },
      { kind: 'result', callId: '1', content: [text('r'), image()] },
      data('thinking', thinkingPayload('', 'xyz', details)),
      cache(),
    ]);
    assert.equal(c.text, 'abf{"a":1}rxyz');
    assert.equal(c.images, 1);
  });
});
