import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, MapSecretSource } from '../../../src/core/ports';
import { Redactor } from '../../../src/core/redact';
import { ResolvingSecretSource, SecretResolver, isSecretUnavailable } from '../../../src/core/secrets/resolver';
import type { ResolveResult } from '../../../src/core/secrets/tools';
import { FakeSecretClis, type FakeTool } from '../../../src/sim/secret-clis';
import { FakeVault } from '../../../src/sim/vault';

function value(r: ResolveResult): string {
  assert.ok(r.ok, `expected a value, got ${r.ok ? '' : `${r.error.kind}: ${r.error.message}`}`);
  return r.value;
}

function failure(r: ResolveResult) {
  assert.ok(!r.ok, 'expected a failure');
  return r.error;
}

interface CliCase {
  tool: FakeTool;
  ref: string;
  argv: string[];
  label: RegExp;
}

const CASES: CliCase[] = [
  { tool: 'op', ref: 'op://Work/OpenAI/credential', argv: ['read', 'op://Work/OpenAI/credential'], label: /^1Password CLI/ },
  {
    tool: 'gcloud',
    ref: 'gcp-sm://projects/acme/secrets/openai/versions/3',
    argv: ['secrets', 'versions', 'access', '3', '--secret=openai', '--project=acme'],
    label: /^Google Cloud CLI/,
  },
  {
    tool: 'aws',
    ref: 'aws-sm://us-east-1/prod/openai',
    argv: ['secretsmanager', 'get-secret-value', '--secret-id', 'prod/openai', '--region', 'us-east-1', '--output', 'json'],
    label: /^AWS CLI/,
  },
  {
    tool: 'az',
    ref: 'azure-kv://acme-kv/openai',
    argv: ['keyvault', 'secret', 'show', '--vault-name', 'acme-kv', '--name', 'openai', '--query', 'value', '-o', 'tsv'],
    label: /^Azure CLI/,
  },
  {
    tool: 'infisical',
    ref: 'infisical://proj-123/prod/apps/router/OPENAI_API_KEY',
    argv: ['secrets', 'get', 'OPENAI_API_KEY', '--env', 'prod', '--path', '/apps/router', '--projectId', 'proj-123', '--plain', '--silent'],
    label: /^Infisical CLI/,
  },
];

describe('secret-manager references', () => {
  let clis: FakeSecretClis;
  let clock: ManualClock;
  let redactor: Redactor;
  let resolver: SecretResolver;

  beforeEach(() => {
    clis = new FakeSecretClis();
    clock = new ManualClock();
    redactor = new Redactor();
    resolver = new SecretResolver({ env: clis.env(), clock, redactor, ttlMs: () => 60_000, timeoutMs: 2_000 });
  });
  afterEach(() => clis.dispose());

  for (const c of CASES) {
    describe(`through ${c.tool}`, () => {
      it('reads the value with the documented argument vector and trims only the tool’s own newline', async () => {
        clis.setValue(c.tool, 'sk-live-value-0001');
        assert.equal(value(await resolver.resolve(c.ref)), 'sk-live-value-0001');
        assert.deepEqual(clis.argv(c.tool), c.argv);
      });

      it('registers the value with the redactor', async () => {
        clis.setValue(c.tool, 'zz-private-token-7731');
        await resolver.resolve(c.ref);
        assert.equal(redactor.redact('echo zz-private-token-7731'), 'echo [redacted …7731]');
      });

      it('says the tool is not signed in, with the tool’s own words', async () => {
        clis.setMode(c.tool, 'signed-out');
        const e = failure(await resolver.resolve(c.ref));
        assert.equal(e.kind, 'not_signed_in');
        assert.match(e.message, c.label);
        assert.match(e.message, /not signed in: .{20,}/);
      });

      it('says permission was denied, with the tool’s own words', async () => {
        clis.setValue(c.tool, 'sk-should-not-leak-1234');
        clis.setMode(c.tool, 'denied');
        const e = failure(await resolver.resolve(c.ref));
        assert.equal(e.kind, 'denied');
        assert.match(e.message, /permission denied: /);
        assert.doesNotMatch(e.message, /sk-should-not-leak/);
      });

      it('gives up after the timeout and kills the tool', async () => {
        clis.setMode(c.tool, 'slow');
        const quick = new SecretResolver({ env: clis.env(), clock, timeoutMs: 300 });
        const t0 = Date.now();
        const e = failure(await quick.resolve(c.ref));
        assert.equal(e.kind, 'timeout');
        assert.match(e.message, /did not answer within 300 ms/);
        assert.ok(Date.now() - t0 < 5_000, 'the slow tool was not killed');
      });

      it('serves the cached value within the TTL, and a forced fresh read picks up a rotation', async () => {
        clis.setValue(c.tool, 'sk-before-rotation-1');
        assert.equal(value(await resolver.resolve(c.ref)), 'sk-before-rotation-1');
        clis.setValue(c.tool, 'sk-after-rotation-22');
        assert.equal(value(await resolver.resolve(c.ref)), 'sk-before-rotation-1', 'within the TTL the cached value is used');
        assert.equal(value(await resolver.resolve(c.ref, { fresh: true })), 'sk-after-rotation-22');
        assert.equal(value(await resolver.resolve(c.ref)), 'sk-after-rotation-22', 'the fresh read refreshed the cache');
      });
    });
  }

  it('re-reads once the TTL has passed', async () => {
    clis.setValue('op', 'sk-first-value-111');
    await resolver.resolve('op://Work/OpenAI/credential');
    clis.setValue('op', 'sk-second-value-22');
    clock.advance(59_000);
    assert.equal(value(await resolver.resolve('op://Work/OpenAI/credential')), 'sk-first-value-111');
    clock.advance(2_000);
    assert.equal(value(await resolver.resolve('op://Work/OpenAI/credential')), 'sk-second-value-22');
  });

  it('picks the named JSON field out of an AWS SecretString', async () => {
    clis.setValue('aws', JSON.stringify({ openai: 'sk-from-json-field-9', other: 'x' }));
    assert.equal(value(await resolver.resolve('aws-sm://eu-west-1/shared/keys#openai')), 'sk-from-json-field-9');
    const e = failure(await resolver.resolve('aws-sm://eu-west-1/shared/keys#missing'));
    assert.match(e.message, /has no string field "missing"/);
    assert.doesNotMatch(e.message, /sk-from-json-field/);
  });

  it('names the tool when it is not installed', async () => {
    const bare = new SecretResolver({ env: { PATH: '/nonexistent' } });
    const e = failure(await bare.resolve('op://Work/OpenAI/credential'));
    assert.equal(e.kind, 'missing_tool');
    assert.match(e.message, /1Password CLI \(op\) is not installed or not on PATH/);
  });

  it('reads env: references from the environment it was given', async () => {
    const r = new SecretResolver({ env: { OPENAI_KEY: 'sk-env-value-12345' } });
    assert.equal(value(await r.resolve('env:OPENAI_KEY')), 'sk-env-value-12345');
    assert.match(failure(await r.resolve('env:NOPE')).message, /NOPE is not set/);
  });

  it('refuses what the policy refuses, without running anything', async () => {
    const r = new SecretResolver({ env: clis.env(), policy: (ref) => (ref.scheme === 'env' ? 'env: references are refused here' : undefined) });
    const e = failure(await r.resolve('env:HOME'));
    assert.equal(e.kind, 'refused');
    clis.setValue('op', 'sk-allowed-value-01');
    assert.equal(value(await r.resolve('op://a/b/c')), 'sk-allowed-value-01');
  });

  it('shares one tool run among concurrent reads of the same reference', async () => {
    clis.setValue('op', 'sk-concurrent-00001');
    const [a, b] = await Promise.all([resolver.resolve('op://a/b/c'), resolver.resolve('op://a/b/c')]);
    assert.equal(value(a), 'sk-concurrent-00001');
    assert.equal(value(b), 'sk-concurrent-00001');
  });

  describe('a resolving secret source', () => {
    it('passes plain values through, resolves references and rejects with the reason when one fails', async () => {
      clis.setValue('op', 'sk-resolved-value-42');
      const inner = new MapSecretSource(
        new Map([
          ['plain', 'sk-plain-value-0000'],
          ['ref', 'op://Work/OpenAI/credential'],
        ]),
        new Map([['dev', 'op://Work/OR/credential']]),
      );
      const source = new ResolvingSecretSource(inner, resolver);
      assert.equal(await source.keySecret('plain'), 'sk-plain-value-0000');
      assert.equal(await source.keySecret('ref'), 'sk-resolved-value-42');
      assert.equal(await source.callerSecret('dev'), 'sk-resolved-value-42');
      assert.equal(await source.keySecret('none'), undefined);
      clis.setMode('op', 'signed-out');
      await assert.rejects(source.keySecret('ref', { fresh: true }), (e: unknown) => isSecretUnavailable(e) && /1Password CLI not signed in/.test(e.message));
    });
  });
});

describe('Vault references over the KV v2 HTTP API', () => {
  let vault: FakeVault;
  let addr: string;
  let home: string;
  beforeEach(async () => {
    vault = new FakeVault();
    addr = await vault.start();
    home = mkdtempSync(join(tmpdir(), 'byok-vault-home-'));
    vault.tokens.add('hvs.user-token');
    vault.secrets.set('secret/team/openai', { api_key: 'sk-vault-value-0001', note: 'x' });
  });
  afterEach(async () => {
    await vault.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const resolverWith = (env: NodeJS.ProcessEnv, timeoutMs = 2_000) => new SecretResolver({ env, home, timeoutMs, ttlMs: () => 60_000 });

  it('reads the field with X-Vault-Token from VAULT_TOKEN', async () => {
    const r = resolverWith({ VAULT_ADDR: addr, VAULT_TOKEN: 'hvs.user-token' });
    assert.equal(value(await r.resolve('vault://secret/team/openai#api_key')), 'sk-vault-value-0001');
    assert.deepEqual(vault.requests.at(-1), { path: '/v1/secret/data/team/openai', token: 'hvs.user-token' });
  });

  it('falls back to ~/.vault-token', async () => {
    writeFileSync(join(home, '.vault-token'), 'hvs.user-token\n');
    const r = resolverWith({ VAULT_ADDR: addr });
    assert.equal(value(await r.resolve('vault://secret/team/openai#api_key')), 'sk-vault-value-0001');
  });

  it('says it is not signed in when there is no token', async () => {
    const e = failure(await resolverWith({ VAULT_ADDR: addr }).resolve('vault://secret/team/openai#api_key'));
    assert.equal(e.kind, 'not_signed_in');
    assert.match(e.message, /^Vault: not signed in/);
    assert.equal(vault.requests.length, 0, 'no request without a token');
  });

  it('says permission was denied on the path, with Vault’s own words', async () => {
    vault.denied.add('secret/team/openai');
    const e = failure(await resolverWith({ VAULT_ADDR: addr, VAULT_TOKEN: 'hvs.user-token' }).resolve('vault://secret/team/openai#api_key'));
    assert.equal(e.kind, 'denied');
    assert.match(e.message, /^Vault: permission denied on path secret\/data\/team\/openai: .*permission denied/);
  });

  it('names a missing field without printing the others’ values', async () => {
    const e = failure(await resolverWith({ VAULT_ADDR: addr, VAULT_TOKEN: 'hvs.user-token' }).resolve('vault://secret/team/openai#nope'));
    assert.match(e.message, /no string field "nope"/);
    assert.doesNotMatch(e.message, /sk-vault-value/);
  });

  it('times out when Vault does not answer', async () => {
    vault.hang = true;
    const e = failure(await resolverWith({ VAULT_ADDR: addr, VAULT_TOKEN: 'hvs.user-token' }, 300).resolve('vault://secret/team/openai#api_key'));
    assert.equal(e.kind, 'timeout');
  });

  it('picks up a rotation on a forced fresh read', async () => {
    const r = resolverWith({ VAULT_ADDR: addr, VAULT_TOKEN: 'hvs.user-token' });
    assert.equal(value(await r.resolve('vault://secret/team/openai#api_key')), 'sk-vault-value-0001');
    vault.secrets.set('secret/team/openai', { api_key: 'sk-vault-value-0002' });
    assert.equal(value(await r.resolve('vault://secret/team/openai#api_key')), 'sk-vault-value-0001');
    assert.equal(value(await r.resolve('vault://secret/team/openai#api_key', { fresh: true })), 'sk-vault-value-0002');
  });
});
