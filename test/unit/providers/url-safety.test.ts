/**
 * Every adapter builds its URL from encoded components: whatever model id or option a folder's
 * settings supply (`/ ? # .. @ %2F`), the request goes to the host and path the user's settings
 * name, so the credential riding on it cannot be moved elsewhere.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyOptionsSchema } from '../../../src/core/config/schema';
import { isRouteFailure } from '../../../src/core/errors';
import { PROVIDERS, type ProviderId } from '../../../src/core/providers/ids';
import { Adapters } from '../../../src/core/providers/registry';
import type { AdapterCall } from '../../../src/core/providers/types';
import type { ServiceAccountTokens } from '../../../src/core/providers/vertex/auth';

const BASE = 'https://user-host.example.com/base';
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  project_id: 'user-project',
  client_email: 'a@b.iam.gserviceaccount.com',
  private_key: 'unused',
});
const tokens = { forCall: async () => 'ya29.test-token-value' } as unknown as ServiceAccountTokens;
const adapters = new Adapters({ state: { tokens } });

const hostile = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '../../v1/x',
    'a/../../b',
    'm?x=1',
    'm#frag',
    '@evil.example.net',
    'm%2F..%2Fx',
    '%2e%2e',
    'm:rawPredict?',
    '//evil.example.net/x',
    'claude-x/../../..',
  ),
  fc.stringMatching(/^[a-z0-9/?#.@%:-]{1,24}$/),
);

function call(provider: ProviderId, nativeModel: string, options: Record<string, unknown>): AdapterCall {
  return {
    provider,
    nativeModel,
    secret: provider === 'google-vertex' ? SERVICE_ACCOUNT : 'test-secret-value-0001',
    stream: false,
    request: { model: 'x/y', messages: [{ role: 'user', content: 'hi' }] },
    options: options as AdapterCall['options'],
  };
}

async function build(provider: ProviderId, c: AdapterCall): Promise<URL | undefined> {
  const adapter = adapters.get(provider);
  try {
    return new URL((await adapter.buildRequest(c)).url);
  } catch (e) {
    if (isRouteFailure(e)) return undefined; // refused with an error: nothing was sent
    throw e;
  }
}

const optionsFor = (provider: ProviderId): Record<string, unknown> =>
  provider === 'azure'
    ? { baseUrl: BASE, apiVersion: '2024-10-21' }
    : provider === 'amazon-bedrock'
      ? { baseUrl: BASE, region: 'us-east-1', auth: 'bearer' }
      : { baseUrl: BASE, region: 'us-east5' };

describe('request URLs under hostile model ids and options', () => {
  for (const provider of PROVIDERS) {
    for (const claude of provider === 'google-vertex' ? [false, true] : [false]) {
      it(`keeps ${provider}${claude ? ' (Claude)' : ''} on the configured host and path`, async () => {
        const prefix = claude ? 'claude-' : '';
        const reference = await build(provider, call(provider, `${prefix}model-1`, optionsFor(provider)));
        assert.ok(reference, 'a benign id builds');
        const depth = reference.pathname.split('/').length;
        await fc.assert(
          fc.asyncProperty(hostile, async (id) => {
            const url = await build(provider, call(provider, `${prefix}${id}`, optionsFor(provider)));
            if (!url) return;
            assert.equal(url.host, 'user-host.example.com', `${id} → ${url.href}`);
            assert.ok(url.pathname.startsWith('/base/'), `${id} → ${url.href}`);
            assert.equal(url.pathname.split('/').length, depth, `${id} changed the path: ${url.href}`);
            assert.equal(url.search, reference.search, `${id} changed the query: ${url.href}`);
            assert.equal(url.hash, '', `${id} added a fragment: ${url.href}`);
          }),
          { numRuns: 200 },
        );
      });
    }
  }

  it('keeps Vertex on the project path whatever a service account names as its project', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.boolean(), async (project, claude) => {
        const c = call('google-vertex', claude ? 'claude-sonnet-4-5@20250929' : 'gemini-2.5-flash', { baseUrl: BASE, region: 'us-east5' });
        c.secret = JSON.stringify({ ...JSON.parse(SERVICE_ACCOUNT), project_id: project });
        const url = await build('google-vertex', c);
        if (!url) return;
        assert.equal(url.host, 'user-host.example.com');
        assert.match(url.pathname, /^\/base\/v1\/projects\/[^/]+\/locations\/us-east5\/publishers\/(google|anthropic)\/models\/[^/]+$/, url.href);
        assert.equal(url.search, '');
      }),
      { numRuns: 300 },
    );
  });

  it('reports a Vertex key without a project as the same kind on the Gemini and the Claude path', async () => {
    const { project_id: _drop, ...noProject } = JSON.parse(SERVICE_ACCOUNT);
    const kinds: string[] = [];
    for (const model of ['gemini-2.5-flash', 'claude-sonnet-4-5@20250929']) {
      const c = call('google-vertex', model, { baseUrl: BASE });
      c.secret = JSON.stringify(noProject);
      await assert.rejects(
        Promise.resolve().then(() => adapters.get('google-vertex').buildRequest(c)),
        (e: unknown) => {
          assert.ok(isRouteFailure(e));
          assert.match(e.error.message, /options\.project/);
          kinds.push(e.error.kind);
          return true;
        },
      );
    }
    assert.deepEqual(kinds, ['auth', 'auth']);
  });

  it('refuses a project option that is not a Google Cloud project id', () => {
    for (const project of ['x/…:rawPredict?', 'proj/../../evil', 'p', 'UPPER-case-proj', 'proj#x'])
      assert.equal(keyOptionsSchema.safeParse({ project }).success, false, project);
    for (const project of ['my-project-123', 'example.com:my-project']) assert.equal(keyOptionsSchema.safeParse({ project }).success, true, project);
  });
});
