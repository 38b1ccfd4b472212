import assert from 'node:assert/strict';
import type { ChatRequest } from '../../../src/core/chat';
import { conversationKey } from '../../../src/core/routing/stickiness';
import { chatSessionId } from '../../../src/vscode/chat-session';

const ME = 'byokRouter.byok';
const MODEL = 'openai/gpt-5-mini';
const ask = (prompt: string, command?: string) => ({ participant: ME, prompt, ...(command ? { command } : {}) });
const answer = { participant: ME, command: undefined };

describe('the @byok conversation id for stickiness', () => {
  it('is the same on every turn of one conversation, named by its first request', () => {
    const first = chatSessionId([], { prompt: 'explain this file' }, ME);
    const second = chatSessionId([ask('explain this file'), answer], { prompt: 'and the tests?' }, ME);
    const third = chatSessionId([ask('explain this file'), answer, ask('and the tests?'), answer], { prompt: 'thanks' }, ME);
    assert.equal(second, first);
    assert.equal(third, first);
    assert.match(first, /^chat-[0-9a-f]{32}$/);
    assert.ok(!first.includes('explain'), 'the prompt itself never leaves as the id');
  });

  it('differs between conversations that start differently, and ignores /route turns and other participants', () => {
    assert.notEqual(chatSessionId([], { prompt: 'a' }, ME), chatSessionId([], { prompt: 'b' }, ME));
    assert.notEqual(chatSessionId([], { prompt: 'a', command: 'web' }, ME), chatSessionId([], { prompt: 'a' }, ME));
    const afterRoute = chatSessionId([ask('', 'route'), answer, { participant: 'other.participant', prompt: 'x' }], { prompt: 'real question' }, ME);
    assert.equal(afterRoute, chatSessionId([], { prompt: 'real question' }, ME));
  });

  it('keeps the conversation on one stickiness key where the prompt hash would lose it on the second turn', () => {
    // Turn 1 sends the attached file's text with the prompt; turn 2 replays turn 1 as its bare prompt.
    const turn1: ChatRequest = { model: MODEL, messages: [{ role: 'user', content: 'explain this file\n\n```ts\nexport const x = 1;\n```' }] };
    const turn2: ChatRequest = {
      model: MODEL,
      messages: [
        { role: 'user', content: 'explain this file' },
        { role: 'assistant', content: 'It exports x.' },
        { role: 'user', content: 'and the tests?' },
      ],
    };
    assert.notEqual(conversationKey(turn1), conversationKey(turn2), 'without an id the two turns look like two conversations');
    const id1 = chatSessionId([], { prompt: 'explain this file' }, ME);
    const id2 = chatSessionId([ask('explain this file'), answer], { prompt: 'and the tests?' }, ME);
    assert.equal(conversationKey(turn1, id1), conversationKey(turn2, id2));
  });
});
