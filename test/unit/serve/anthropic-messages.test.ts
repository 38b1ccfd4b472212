import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sseEvent } from '../../../src/serve/api';
import { blockDelta } from '../../../src/serve/anthropic-messages';

describe('the Anthropic messages stream encoder', () => {
  it('writes a content_block_delta byte for byte as sseEvent of the event object, for text, thinking and tool arguments', () => {
    const kinds = [
      ['text_delta', 'text'],
      ['thinking_delta', 'thinking'],
      ['input_json_delta', 'partial_json'],
    ] as const;
    fc.assert(
      fc.property(fc.nat(1000), fc.constantFrom(...kinds), fc.string({ unit: 'binary' }), (index, [type, field], value) => {
        assert.equal(
          blockDelta(index, type, field, value),
          sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type, [field]: value } }),
        );
      }),
      { numRuns: 300 },
    );
  });
});
