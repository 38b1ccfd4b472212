import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { toRow } from '../../../src/vscode/panels/activity-model';
import { fromRouteError } from '../../../src/serve/errors';
import { ModelResolver } from '../../../src/serve/models';
import { clientName } from '../../../src/serve/server';
import { generateToken, isTokenShaped, maskToken, presentedToken, TokenTable } from '../../../src/serve/tokens';

describe('endpoint parts', () => {
  it('makes distinct 256-bit brt_ tokens and masks them to the last four characters', () => {
    const a = generateToken();
    const b = generateToken();
    assert.notEqual(a, b);
    assert.ok(isTokenShaped(a));
    assert.equal(Buffer.from(a.slice(4), 'base64url').length, 32);
    assert.equal(maskToken(a), `brt_…${a.slice(-4)}`);
  });

  it('finds the caller of a token, and none for a near miss, a prefix or nothing', () => {
    const dev = generateToken();
    const t = new TokenTable({ dev, prod: generateToken() });
    assert.equal(t.callerFor(dev), 'dev');
    assert.equal(t.callerFor(dev.slice(0, -1) + (dev.endsWith('A') ? 'B' : 'A')), undefined);
    assert.equal(t.callerFor(dev.slice(0, 20)), undefined);
    assert.equal(t.callerFor(undefined), undefined);
    t.set('dev', generateToken());
    assert.equal(t.callerFor(dev), undefined, 'a rotated token stops working');
  });

  it('reads the token from Bearer or x-api-key', () => {
    assert.equal(presentedToken({ authorization: 'Bearer brt_x' }), 'brt_x');
    assert.equal(presentedToken({ 'x-api-key': 'brt_y' }), 'brt_y');
    assert.equal(presentedToken({ authorization: 'Basic abc' }), undefined);
  });

  it('names the client from its User-Agent', () => {
    assert.equal(clientName('claude-cli/2.1.332 (external, sdk-cli)'), 'claude-cli');
    assert.equal(clientName('OpenAI/JS 6.49.0'), 'OpenAI/JS');
    assert.equal(clientName('codex_cli_rs/0.58.0 (Linux; x86_64)'), 'codex_cli_rs');
    assert.equal(clientName(undefined), 'unknown');
  });

  it('resolves aliases, slugs, native ids with or without a date, and newer Claude names by tier', () => {
    const r = new ModelResolver(() => bundledCatalog(), { fast: 'openai/gpt-4o-mini' });
    assert.equal(r.resolve('fast'), 'openai/gpt-4o-mini');
    assert.equal(r.resolve('anthropic/claude-opus-4.1'), 'anthropic/claude-opus-4.1');
    assert.equal(r.resolve('claude-sonnet-4-5-20250929'), 'anthropic/claude-sonnet-4.5');
    assert.equal(r.resolve('gpt-4o-mini'), 'openai/gpt-4o-mini');
    assert.equal(r.resolve('claude-haiku-9-9'), 'anthropic/claude-haiku-4.5');
    assert.equal(r.resolve('gpt-5-codex'), 'openai/gpt-5');
    assert.equal(r.resolve('someone/else'), 'someone/else');
  });

  it('maps route errors to the status a client acts on, never 401 for an upstream key', () => {
    assert.deepEqual(
      [
        fromRouteError({ kind: 'rate_limited', message: 'x', retryAfterMs: 2500 }).status,
        fromRouteError({ kind: 'rate_limited', message: 'x', retryAfterMs: 2500 }).retryAfterS,
      ],
      [429, 3],
    );
    assert.equal(fromRouteError({ kind: 'auth', message: 'all keys refused' }).status, 502);
    assert.equal(fromRouteError({ kind: 'timeout', message: 't' }).status, 504);
    assert.equal(fromRouteError({ kind: 'bad_request', message: 'no route can serve x for caller "dev"' }).status, 404);
    assert.equal(fromRouteError({ kind: 'bad_request', message: 'bad tools' }).status, 400);
  });

  it('shows an endpoint request in Activity with its client program', () => {
    const row = toRow({
      v: 1,
      id: 'gen-1',
      startedAt: 0,
      surface: 'endpoint',
      client: 'claude-cli',
      caller: 'prod',
      model: 'anthropic/claude-sonnet-4.5',
      stream: true,
      outcome: 'success',
      plan: [],
      attempts: [],
      latencyMs: 1,
    });
    assert.equal(row.surface, 'endpoint (claude-cli)');
  });
});
