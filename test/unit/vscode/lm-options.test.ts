import assert from 'node:assert/strict';
import { readModelOptions, requestOptions } from '../../../src/vscode/lm-options';

describe('model options a vscode.lm caller passes', () => {
  it('passes the known options on as request fields, maxTokens spelled either way', () => {
    const o = readModelOptions({ temperature: 0.2, top_p: 0.9, maxTokens: 512, stop: ['END'], reasoning_effort: 'high', showReasoning: true });
    assert.deepEqual(requestOptions(o), { temperature: 0.2, top_p: 0.9, max_tokens: 512, stop: ['END'], reasoning_effort: 'high' });
    assert.equal(o.showReasoning, true);
    assert.equal(requestOptions(readModelOptions({ max_tokens: 64, maxTokens: 512 })).max_tokens, 64);
  });

  it('drops a value of the wrong kind alone, keeping the other options', () => {
    const o = readModelOptions({ temperature: '0.2', max_tokens: 256, reasoning_effort: 'extreme', stop: 'END' });
    assert.deepEqual(requestOptions(o), { max_tokens: 256, stop: 'END' });
  });

  it('forwards nothing it does not know, and nothing at all when none are given', () => {
    assert.deepEqual(requestOptions(readModelOptions({ seed: 1, tools_override: [] })), {});
    assert.deepEqual(readModelOptions(undefined), {});
    assert.deepEqual(readModelOptions({}), {});
    assert.deepEqual(readModelOptions('temperature=1'), {});
    assert.deepEqual(readModelOptions([0.2, 512]), {});
  });
});
