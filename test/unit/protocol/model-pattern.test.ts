import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config/parse';
import { modelPatternProblem } from '../../../src/protocol/providers';

/** Whether the config parser keeps a key whose only model pattern is `pattern`. */
function parserAccepts(pattern: string): boolean {
  const { config } = parseConfig({ keys: [{ id: 'k1', provider: 'openai', name: 'main', tier: 'prioritized', filters: { models: [pattern] } }] });
  return config.keys.length === 1;
}

describe('model patterns in the Providers view (the protocol restating the config parser)', () => {
  const patterns = [
    'anthropic/*',
    'openai/gpt-5*',
    '**',
    '!openai/*',
    'openai/gpt-[45]*',
    '{openai,anthropic}/*',
    'vendor/model@2025:1',
    'anthropic/claude-[*',
    'openai/gpt-]5',
    '{openai,anthropic/*',
    'openai}/*',
    '[[a]]/*',
    'open ai/*',
    'openai/gpt$',
    'ünicode/*',
  ];

  it('refuses in the view exactly the patterns the config parser refuses', () => {
    for (const p of patterns) assert.equal(modelPatternProblem(p) === undefined, parserAccepts(p), p);
  });

  it('says what is wrong: the characters, or the brackets', () => {
    assert.match(modelPatternProblem('open ai/*') ?? '', /glob characters/);
    assert.match(modelPatternProblem('anthropic/claude-[*') ?? '', /Unbalanced brackets/);
  });
});
