import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { Redactor } from '../../../src/core/redact';
import { formatPlan } from '../../../src/core/routing/plan';
import { Router } from '../../../src/core/routing/router';
import { ResolvingSecretSource, SecretResolver } from '../../../src/core/secrets/resolver';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';
import { FakeSecretClis } from '../../../src/sim/secret-clis';

const MODEL = 'openai/gpt-4o-mini';

describe('routing with keys held in secret managers', () => {
  let openai: OpenAISim;
  let clis: FakeSecretClis;
  let router: Router;
  let clock: ManualClock;
  let redactor: Redactor;
  let resolver: SecretResolver;

  beforeEach(async () => {
    openai = await startOpenAISim({ flavor: 'openai' });
    clis = new FakeSecretClis();
    clock = new ManualClock();
    redactor = new Redactor();
    const { config } = parseConfig({
      pooled: { enabled: false },
      keys: [
        { id: 'vaulted', provider: 'openai', name: 'from 1password', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        { id: 'cloud', provider: 'openai', name: 'from aws', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
      ],
    });
    resolver = new SecretResolver({ env: clis.env(), clock, redactor, ttlMs: () => 300_000 });
    const stored = new MapSecretSource(
      new Map([
        ['vaulted', 'op://Work/OpenAI/credential'],
        ['cloud', 'aws-sm://us-east-1/prod/openai#key'],
      ]),
    );
    router = new Router({ config, catalog: bundledCatalog(), secrets: new ResolvingSecretSource(stored, resolver), clock, redactor });
  });
  afterEach(async () => {
    await router.close();
    await openai.close();
    clis.dispose();
  });

  it('sends the resolved value, never the reference, to the provider', async () => {
    clis.setValue('op', 'sk-from-1password-0001');
    const out = await router.generate({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(out.ok, out.ok ? '' : out.error.message);
    assert.equal(openai.requests[0]!.headers.authorization, 'Bearer sk-from-1password-0001');
  });

  it('leaves a key whose reference fails out of the plan with the reason, and serves from the next key', async () => {
    clis.setMode('op', 'signed-out');
    clis.setValue('aws', JSON.stringify({ key: 'sk-from-aws-json-0002' }));
    const plan = await router.explain(MODEL);
    const left = plan.excluded.find((e) => e.keyId === 'vaulted');
    assert.equal(left?.reason, 'secret_unavailable');
    assert.match(left!.detail, /1Password CLI not signed in/);
    assert.match(formatPlan(plan), /key "from 1password" \(prioritized\): its secret reference failed: 1Password CLI not signed in/);
    const out = await router.generate({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(out.ok);
    assert.equal(out.record.servedBy?.keyId, 'cloud');
    assert.equal(openai.requests.at(-1)!.headers.authorization, 'Bearer sk-from-aws-json-0002');
  });

  it('fails with the reason when every reference fails', async () => {
    clis.setMode('op', 'denied');
    clis.setMode('aws', 'signed-out');
    const out = await router.generate({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(!out.ok);
    assert.match(out.error.message, /1Password CLI permission denied/);
    assert.match(out.error.message, /AWS CLI not signed in/);
    assert.equal(openai.requests.length, 0);
  });

  it('uses a rotated value once it is read fresh, between two requests', async () => {
    clis.setValue('op', 'sk-before-rotation-01');
    await router.generate({ model: MODEL, messages: [{ role: 'user', content: 'one' }] });
    clis.setValue('op', 'sk-after-rotation-002');
    await router.generate({ model: MODEL, messages: [{ role: 'user', content: 'two' }] });
    assert.equal(openai.requests[1]!.headers.authorization, 'Bearer sk-before-rotation-01', 'within the TTL the cached value is used');
    await resolver.resolve('op://Work/OpenAI/credential', { fresh: true });
    await router.generate({ model: MODEL, messages: [{ role: 'user', content: 'three' }] });
    assert.equal(openai.requests[2]!.headers.authorization, 'Bearer sk-after-rotation-002');
    assert.equal(redactor.redact('sk-after-rotation-002 sk-before-rotation-01'), '[redacted …-002] [redacted …n-01]');
  });
});
