import assert from 'node:assert/strict';
import { COMPAT_ROWS, type CompatRow, type KeyCheck } from '../../../src/core/providers/openai-compatible/rows';

// Every field a row may have, and every member of each string union in it: the compiler checks
// these lists are the type's, whole and nothing more, so a row in rows.json is held to them here.
const FIELDS: Record<keyof CompatRow, true> = {
  baseUrl: true,
  auth: true,
  keyCheck: true,
  quotaCodes: true,
  accepts: true,
  maxTokensField: true,
  streamOptions: true,
  tools: true,
  toolIdStyle: true,
  dropMessageName: true,
  seedField: true,
  toolChoiceRequired: true,
  omitToolChoiceAuto: true,
  note: true,
};
const AUTH: Record<CompatRow['auth'], true> = { bearer: true, 'api-key': true };
const KEY_CHECK: Record<KeyCheck['kind'], true> = { get: true, post: true, chat: true, none: true };
const MAX_TOKENS_FIELD: Record<CompatRow['maxTokensField'], true> = { max_tokens: true, max_completion_tokens: true };
const TOOL_ID_STYLE: Record<NonNullable<CompatRow['toolIdStyle']>, true> = { alnum9: true };
const SEED_FIELD: Record<NonNullable<CompatRow['seedField']>, true> = { random_seed: true };
const TOOL_CHOICE_REQUIRED: Record<NonNullable<CompatRow['toolChoiceRequired']>, true> = { any: true };

const optionalMember = (set: Record<string, true>, value: string | undefined) => value === undefined || Object.hasOwn(set, value);

describe('OpenAI-compatible rows (rows.json)', () => {
  it('gives every row only known fields, each string union one of its members', () => {
    const rows = Object.entries(COMPAT_ROWS) as [string, CompatRow][];
    assert.ok(rows.length >= 30, `only ${rows.length} rows`);
    for (const [provider, row] of rows) {
      for (const field of Object.keys(row)) assert.ok(Object.hasOwn(FIELDS, field), `${provider}: unknown field ${field}`);
      assert.ok(Object.hasOwn(AUTH, row.auth), `${provider}: auth ${row.auth}`);
      assert.ok(Object.hasOwn(KEY_CHECK, row.keyCheck.kind), `${provider}: keyCheck.kind ${row.keyCheck.kind}`);
      assert.ok(Object.hasOwn(MAX_TOKENS_FIELD, row.maxTokensField), `${provider}: maxTokensField ${row.maxTokensField}`);
      assert.ok(optionalMember(TOOL_ID_STYLE, row.toolIdStyle), `${provider}: toolIdStyle ${row.toolIdStyle}`);
      assert.ok(optionalMember(SEED_FIELD, row.seedField), `${provider}: seedField ${row.seedField}`);
      assert.ok(optionalMember(TOOL_CHOICE_REQUIRED, row.toolChoiceRequired), `${provider}: toolChoiceRequired ${row.toolChoiceRequired}`);
    }
  });

  it('fills the common case in where a row leaves it out: bearer auth, max_tokens, tools, usage sent unasked', () => {
    assert.deepEqual(
      {
        auth: COMPAT_ROWS.together.auth,
        maxTokensField: COMPAT_ROWS.together.maxTokensField,
        tools: COMPAT_ROWS.together.tools,
        streamOptions: COMPAT_ROWS.together.streamOptions,
      },
      { auth: 'bearer', maxTokensField: 'max_tokens', tools: true, streamOptions: false },
    );
    assert.equal(COMPAT_ROWS.azure.auth, 'api-key');
    assert.equal(COMPAT_ROWS.openai.maxTokensField, 'max_completion_tokens');
    assert.equal(COMPAT_ROWS.perplexity.tools, false);
  });

  it('lists each accepted request field once per row', () => {
    for (const [provider, row] of Object.entries(COMPAT_ROWS)) assert.equal(new Set(row.accepts).size, row.accepts.length, provider);
  });
});
