/** Service-account JWT → OAuth token, against a token endpoint that verifies the signature. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { isRouteFailure } from '../../../src/core/errors';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { ManualClock } from '../../../src/core/ports';
import type { AdapterCall } from '../../../src/core/providers/types';
import { EAGER_REFRESH_MS, parseServiceAccount, ServiceAccountTokens } from '../../../src/core/providers/vertex/auth';
import { makeServiceAccount, startVertexSim, type VertexSim } from '../../../src/sim/vertex';

const decode = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

describe('Vertex service-account credentials', () => {
  const account = makeServiceAccount({ project_id: 'proj-auth' });
  const other = makeServiceAccount({ project_id: 'proj-other' });
  let sim: VertexSim;
  let clock: ManualClock;
  let tokens: ServiceAccountTokens;
  const http = new UndiciHttpClient();

  before(async () => {
    sim = await startVertexSim({ accounts: [account.public, other.public] });
  });
  after(async () => {
    await sim.close();
    await http.close();
  });
  beforeEach(() => {
    sim.requests.length = 0;
    sim.tokenExchanges = 0;
    sim.tokenDelayMs = 0;
    sim.tokenFaults.length = 0;
    clock = new ManualClock();
    tokens = new ServiceAccountTokens({ clock });
  });
  afterEach(() => {
    assert.deepEqual(sim.handlerErrors, []);
  });

  const sa = (j = account.json) => parseServiceAccount(JSON.stringify(j));

  it('signs an RS256 assertion for the token endpoint, which verifies it with the public key and issues a token', async () => {
    const token = await tokens.token(sa(), sim.tokenUrl, http);
    assert.ok(sim.issuedTokens.has(token));
    const sent = sim.requests[0]!;
    assert.equal(sent.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(sent.bodyText);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [h, c, s] = form.get('assertion')!.split('.');
    assert.deepEqual(decode(h!), { alg: 'RS256', typ: 'JWT', kid: account.json.private_key_id });
    const claims = decode(c!);
    assert.deepEqual(claims, {
      iss: account.json.client_email,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      aud: sim.tokenUrl,
      iat: Math.floor(clock.now() / 1000),
      exp: Math.floor(clock.now() / 1000) + 3600,
    });
    assert.ok(verify('RSA-SHA256', Buffer.from(`${h}.${c}`), account.public.publicKey, Buffer.from(s!, 'base64url')));
  });

  it('reuses the token until five minutes before it expires, then exchanges again', async () => {
    const first = await tokens.token(sa(), sim.tokenUrl, http);
    clock.advance(3599_000 - EAGER_REFRESH_MS - 1);
    assert.equal(await tokens.token(sa(), sim.tokenUrl, http), first);
    assert.equal(sim.tokenExchanges, 1);
    clock.advance(1);
    const second = await tokens.token(sa(), sim.tokenUrl, http);
    assert.notEqual(second, first);
    assert.equal(sim.tokenExchanges, 2);
    assert.equal(tokens.exchanges, 2);
  });

  it('keeps one token per service account', async () => {
    const a = await tokens.token(sa(), sim.tokenUrl, http);
    const b = await tokens.token(sa(other.json), sim.tokenUrl, http);
    assert.notEqual(a, b);
    assert.equal(sim.issuedTokens.get(a), account.json.client_email);
    assert.equal(sim.issuedTokens.get(b), other.json.client_email);
    assert.equal(await tokens.token(sa(), sim.tokenUrl, http), a);
    assert.equal(sim.tokenExchanges, 2);
  });

  it('coalesces ten concurrent refreshes into exactly one token exchange', async () => {
    sim.tokenDelayMs = 100;
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.token(sa(), sim.tokenUrl, http)));
    assert.equal(new Set(all).size, 1);
    assert.equal(sim.tokenExchanges, 1);
    assert.equal(tokens.exchanges, 1);
  });

  it('lets one waiter cancel without failing the shared exchange for the others', async () => {
    sim.tokenDelayMs = 150;
    const ac = new AbortController();
    const cancelled = tokens.token(sa(), sim.tokenUrl, http, ac.signal);
    const patient = tokens.token(sa(), sim.tokenUrl, http);
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(cancelled, (e: Error) => e.name === 'AbortError');
    assert.ok(sim.issuedTokens.has(await patient));
    assert.equal(sim.tokenExchanges, 1);
  });

  it('refuses an assertion signed with the wrong private key: invalid_grant is an auth failure that names no secret', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = { ...account.json, private_key: stranger };
    await assert.rejects(tokens.token(sa(forged), sim.tokenUrl, http), (e: unknown) => {
      assert.ok(isRouteFailure(e));
      assert.equal(e.error.kind, 'auth');
      assert.equal(e.error.status, 400);
      assert.equal(e.error.code, 'invalid_grant');
      assert.match(e.error.message, /token endpoint answered HTTP 400: invalid_grant \(Invalid JWT Signature\.\)/);
      assert.ok(!e.error.message.includes('PRIVATE KEY') && !e.error.message.includes(forged.private_key_id));
      return true;
    });
  });

  const faults: { title: string; fault: Parameters<VertexSim['tokenFaults']['push']>[0]; kind: string }[] = [
    {
      title: 'a 401 invalid_client is auth',
      fault: { status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } },
      kind: 'auth',
    },
    { title: 'a 503 is a server error', fault: { status: 503, body: '<html>Service Unavailable</html>' }, kind: 'server' },
    { title: 'a 429 is rate limited', fault: { status: 429, body: { error: 'rate_limit_exceeded' } }, kind: 'rate_limited' },
    { title: 'a reset connection is a network error', fault: { reset: true }, kind: 'network' },
    { title: 'a 200 without access_token is a server error', fault: { status: 200, body: { token_type: 'Bearer' } }, kind: 'server' },
  ];
  for (const t of faults) {
    it(`classifies token endpoint failures: ${t.title}, and does not cache the failure`, async () => {
      sim.tokenFaults.push(t.fault);
      await assert.rejects(
        tokens.token(sa(), sim.tokenUrl, http),
        (e: unknown) => isRouteFailure(e) && e.error.kind === t.kind && /google-vertex/.test(e.error.message),
      );
      assert.ok(sim.issuedTokens.has(await tokens.token(sa(), sim.tokenUrl, http)), 'the next call exchanges again and succeeds');
      assert.equal(sim.tokenExchanges, 2);
    });
  }

  it('gives up on a stalled token endpoint after its own timeout', async () => {
    const quick = new ServiceAccountTokens({ clock, timeouts: { connectMs: 1000, firstByteMs: 150, idleMs: 150, totalMs: 1000 } });
    sim.tokenFaults.push({ delayMs: 2000 });
    await assert.rejects(quick.token(sa(), sim.tokenUrl, http), (e: unknown) => isRouteFailure(e) && e.error.kind === 'timeout');
  });

  it("exchanges at the account's token_uri unless the key sets options.tokenUrl", async () => {
    const call = (options: AdapterCall['options'], json: object): AdapterCall => ({
      provider: 'google-vertex',
      request: { model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] },
      nativeModel: 'gemini-2.5-flash',
      secret: JSON.stringify(json),
      stream: false,
      options,
      http,
    });
    assert.ok(sim.issuedTokens.has(await tokens.forCall(call({}, { ...account.json, token_uri: sim.tokenUrl }))));
    assert.ok(sim.issuedTokens.has(await tokens.forCall(call({ tokenUrl: sim.tokenUrl }, other.json))));
    assert.equal(sim.tokenExchanges, 2);
  });

  it('keys its cache by a hash of the account, never by key material', async () => {
    await tokens.token(sa(), sim.tokenUrl, http);
    const keys = [...(tokens as unknown as { cache: Map<string, unknown> }).cache.keys()];
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^[0-9a-f]{64}$/);
  });

  it('explains an unusable secret without quoting it', async () => {
    const cases: [string, RegExp][] = [
      ['AIzaSy-this-is-an-api-key', /not valid JSON/],
      [JSON.stringify({ client_email: 'x@y.iam.gserviceaccount.com', private_key_id: 'abc123secret' }), /missing or invalid: private_key/],
    ];
    for (const [secret, words] of cases) {
      assert.throws(
        () => parseServiceAccount(secret),
        (e: unknown) =>
          isRouteFailure(e) &&
          e.error.kind === 'auth' &&
          words.test(e.error.message) &&
          !e.error.message.includes('abc123secret') &&
          !e.error.message.includes('AIzaSy'),
      );
    }
    await assert.rejects(
      tokens.token({ client_email: 'x@y', private_key: 'not a pem' }, sim.tokenUrl, http),
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'auth',
    );
  });
});
