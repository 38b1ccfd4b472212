import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../../src/core/chat';
import { conversationKey, SAMPLED_CHARS } from '../../../src/core/routing/stickiness';

const req = (messages: ChatRequest['messages'], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'openai/gpt-4o-mini', messages, ...extra });

describe('naming a conversation for stickiness', () => {
  const opening: ChatRequest['messages'] = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Refactor this.' },
  ];

  it('names it by a hash of its system messages and first user message, whatever follows', () => {
    const first = conversationKey(req(opening));
    const later = conversationKey(req([...opening, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'Now test it.' }]));
    assert.equal(later, first);
    // The hash, never the text: 32 hex digits of SHA-256 over the documented fields.
    const expected = createHash('sha256').update('prompt\0openai/gpt-4o-mini\0You are terse.\0Refactor this.').digest('hex').slice(0, 32);
    assert.equal(first, expected);
  });

  it('tells conversations apart by a later system message, by a developer message and by the model', () => {
    const base = conversationKey(req(opening));
    assert.notEqual(conversationKey(req([...opening, { role: 'system', content: 'Be kind.' }])), base);
    assert.notEqual(conversationKey(req([{ role: 'developer', content: 'You are terse.' }, ...opening.slice(1)])), conversationKey(req(opening.slice(1))));
    assert.notEqual(conversationKey(req(opening), undefined, 'anthropic/claude-sonnet-4.5'), base);
    assert.equal(conversationKey(req(opening), undefined, 'openai/gpt-4o-mini'), base);
  });

  it('prefers a session id, from the surface or the request, over the prompt', () => {
    const a = conversationKey(req(opening), 'chat-1');
    assert.equal(conversationKey(req([{ role: 'user', content: 'Something else entirely.' }]), 'chat-1'), a);
    const fromMetadata = conversationKey(req(opening, { metadata: { session_id: 'chat-1' } } as Partial<ChatRequest>));
    assert.equal(fromMetadata, a);
  });

  it('names a long opening by its length, head and tail, so the hash costs the same for a megabyte of attached files', () => {
    const long = (middle: string, tail = 'Refactor this.') => `${'a'.repeat(SAMPLED_CHARS)}${middle}${'z'.repeat(SAMPLED_CHARS - tail.length)}${tail}`;
    const key = (system: string, user: string) =>
      conversationKey(
        req([
          { role: 'system', content: system },
          { role: 'user', content: user },
        ]),
      );
    const system = 'You are terse. '.repeat(2_000);
    const base = key(system, long('b'.repeat(1_000_000)));
    assert.equal(key(system, long('c'.repeat(1_000_000))), base, 'the middle of a long opening is not read');
    assert.notEqual(key(system, long('b'.repeat(1_000_001))), base, 'its length is');
    assert.notEqual(key(system, long('b'.repeat(1_000_000), 'Explain this.')), base, 'its end is: the typed question follows the attachments');
    assert.notEqual(key(`Be kind. ${system}`, long('b'.repeat(1_000_000))), base, "the system prompt's start is");
    // Short texts are hashed whole, as the first test pins.
    assert.notEqual(key('x'.repeat(2 * SAMPLED_CHARS), 'q'), key(`${'x'.repeat(SAMPLED_CHARS)}y${'x'.repeat(SAMPLED_CHARS - 1)}`, 'q'));
  });

  it('names nothing without a user message', () => {
    assert.equal(conversationKey(req([{ role: 'system', content: 'Only a system prompt.' }])), undefined);
  });
});
