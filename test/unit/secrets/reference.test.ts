import assert from 'node:assert/strict';
import { describeReference, isReference, parseReference } from '../../../src/core/secrets/reference';

describe('secret reference parsing', () => {
  it('recognises every scheme and nothing else', () => {
    for (const r of [
      'op://v/i/f',
      'vault://secret/x#f',
      'gcp-sm://projects/p/secrets/s/versions/1',
      'aws-sm://us-east-1/id',
      'azure-kv://kv1/name',
      'infisical://p/dev/NAME',
      'env:X',
    ])
      assert.ok(isReference(r), r);
    for (const v of ['sk-abc', 'https://example.com', '{"accessKeyId":"x"}', 'environment', '', undefined]) assert.ok(!isReference(v), String(v));
  });

  it('splits each scheme into what its tool needs', () => {
    assert.deepEqual(parseReference('vault://secret/team/openai#api_key'), {
      ok: true,
      ref: { scheme: 'vault', raw: 'vault://secret/team/openai#api_key', mount: 'secret', path: 'team/openai', field: 'api_key' },
    });
    assert.deepEqual(parseReference('gcp-sm://projects/acme/secrets/openai'), {
      ok: true,
      ref: { scheme: 'gcp-sm', raw: 'gcp-sm://projects/acme/secrets/openai', project: 'acme', secret: 'openai', version: 'latest' },
    });
    assert.deepEqual(parseReference('aws-sm://eu-west-1/prod/openai#key'), {
      ok: true,
      ref: { scheme: 'aws-sm', raw: 'aws-sm://eu-west-1/prod/openai#key', region: 'eu-west-1', secretId: 'prod/openai', field: 'key' },
    });
    assert.deepEqual(parseReference('infisical://p1/prod/NAME'), {
      ok: true,
      ref: { scheme: 'infisical', raw: 'infisical://p1/prod/NAME', project: 'p1', env: 'prod', path: '/', name: 'NAME' },
    });
  });

  it('refuses malformed references, naming the expected form', () => {
    for (const bad of [
      'op://only-vault',
      'vault://mount',
      'gcp-sm://acme/openai',
      'aws-sm://not-a-region/x',
      'azure-kv://kv/a/b',
      'infisical://p/NAME',
      'env:1X',
      'op://a/b/c d',
    ]) {
      const r = parseReference(bad);
      assert.ok(!r.ok, bad);
      assert.match(r.error, /expected /);
    }
  });

  it('describes where the secret lives for the panel', () => {
    assert.equal(describeReference('op://Work/OpenAI/credential'), 'from 1Password: op://Work/OpenAI/credential');
    assert.equal(describeReference('aws-sm://us-east-1/prod/openai'), 'from AWS Secrets Manager: aws-sm://us-east-1/prod/openai');
  });
});
