import assert from 'node:assert/strict';
import { PROFILES, type ProviderProfile } from '../../../src/sim/openai-profiles';

// Every field a profile may have, and every member of each string union in it: the compiler checks these lists are the
// unions, whole and nothing more, so a profile in openai-profiles.json is held to them here.
const FIELDS: Record<keyof ProviderProfile, true> = {
  basePath: true,
  auth: true,
  usageMode: true,
  models: true,
  keyCheck: true,
  requiredQuery: true,
  rejects: true,
  envelope: true,
  unauthorized: true,
  rateLimited: true,
  retryAfter: true,
  serverError: true,
  source: true,
  approximate: true,
  note: true,
};
const AUTH: Record<ProviderProfile['auth'], true> = { bearer: true, 'api-key': true };
const USAGE_MODE: Record<ProviderProfile['usageMode'], true> = { include_usage: true, 'final-chunk': true, x_groq: true, 'usage-chunk': true };
const ENVELOPE: Record<ProviderProfile['envelope'], true> = {
  openai: true,
  detail: true,
  message: true,
  'code-message': true,
  problem: true,
  'error-string': true,
};
const RETRY_AFTER: Record<ProviderProfile['retryAfter'], true> = { seconds: true, ms: true, 'http-date': true, none: true };
const KEY_CHECK_METHOD: Record<NonNullable<ProviderProfile['keyCheck']>['method'], true> = { GET: true, POST: true };

describe('OpenAI-compatible simulator profiles (openai-profiles.json)', () => {
  it('gives every profile only known fields, each string union one of its members', () => {
    const profiles = Object.entries(PROFILES);
    assert.ok(profiles.length >= 20, `only ${profiles.length} profiles`);
    for (const [flavor, p] of profiles) {
      for (const field of Object.keys(p)) assert.ok(Object.hasOwn(FIELDS, field), `${flavor}: unknown field ${field}`);
      assert.ok(Object.hasOwn(AUTH, p.auth), `${flavor}: auth ${p.auth}`);
      assert.ok(Object.hasOwn(USAGE_MODE, p.usageMode), `${flavor}: usageMode ${p.usageMode}`);
      assert.ok(Object.hasOwn(ENVELOPE, p.envelope), `${flavor}: envelope ${p.envelope}`);
      assert.ok(Object.hasOwn(RETRY_AFTER, p.retryAfter), `${flavor}: retryAfter ${p.retryAfter}`);
      if (p.keyCheck) assert.ok(Object.hasOwn(KEY_CHECK_METHOD, p.keyCheck.method), `${flavor}: keyCheck.method ${p.keyCheck.method}`);
    }
  });

  it('answers a rate limit with status 429, or 200 where the provider hides errors in the body', () => {
    for (const [flavor, p] of Object.entries(PROFILES)) {
      assert.ok([429, 200].includes(p.rateLimited.status), `${flavor}: ${p.rateLimited.status}`);
      assert.ok(p.unauthorized.status === 401 || p.unauthorized.status === p.rateLimited.status, `${flavor}: unauthorized ${p.unauthorized.status}`);
      assert.ok(p.serverError.status >= 500, `${flavor}: serverError ${p.serverError.status}`);
    }
  });
});
