import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sseEvent } from '../../../src/serve/api';
import { outputTextDelta } from '../../../src/serve/openai-responses';

describe('the OpenAI Responses stream encoder', () => {
  it('writes an output_text delta byte for byte as the generic event would, whatever the item id and text', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string({ unit: 'binary' }), fc.nat(20), fc.string({ unit: 'binary' }), (seq, itemId, outputIndex, delta) => {
        const type = 'response.output_text.delta';
        const generic = sseEvent(type, { type, sequence_number: seq, item_id: itemId, output_index: outputIndex, content_index: 0, delta, logprobs: [] });
        assert.equal(outputTextDelta(seq, itemId, outputIndex, delta), generic);
      }),
      { numRuns: 300 },
    );
  });
});
