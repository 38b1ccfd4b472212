import assert from 'node:assert/strict';
import { SETUP_CLIENTS, setupSnippet, terminalEnv } from '../../../src/serve/setup-snippets';
import { generateToken } from '../../../src/serve/tokens';

describe('endpoint setup snippets', () => {
  const target = {
    openAIBaseUrl: 'http://127.0.0.1:4111/v1',
    anthropicBaseUrl: 'http://127.0.0.1:4111',
    token: generateToken(),
    caller: 'prod',
    model: 'anthropic/claude-sonnet-4.5',
  };

  it('gives every client its base URL, the caller’s token and the caller’s name', () => {
    for (const c of SETUP_CLIENTS) {
      const s = setupSnippet(c, target);
      assert.ok(s.includes(target.token), c);
      assert.ok(s.includes(c === 'claude-code' ? target.anthropicBaseUrl : target.openAIBaseUrl), c);
      assert.match(s, /caller "prod"/, c);
    }
  });

  it('points Claude Code at the Anthropic base URL without /v1, and Codex at the Responses wire API', () => {
    assert.match(setupSnippet('claude-code', target), /^export ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:4111$/m);
    assert.match(setupSnippet('codex', target), /wire_api = "responses"/);
    const opencode = setupSnippet('opencode', target);
    assert.equal(JSON.parse(opencode.slice(opencode.indexOf('{'))).provider['byok-router'].options.baseURL, target.openAIBaseUrl);
    assert.match(setupSnippet('aider', target), /aider --model openai\/anthropic\/claude-sonnet-4\.5/);
  });

  it('gives terminals both families’ variables with the same token', () => {
    const env = terminalEnv(target);
    assert.equal(env.ANTHROPIC_BASE_URL, target.anthropicBaseUrl);
    assert.equal(env.OPENAI_BASE_URL, target.openAIBaseUrl);
    assert.equal(env.ANTHROPIC_AUTH_TOKEN, target.token);
    assert.equal(env.OPENAI_API_KEY, target.token);
  });
});
