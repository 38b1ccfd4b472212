import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { envName } from '../../../src/cli/secrets';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';
import { FakeSecretClis } from '../../../src/sim/secret-clis';

function capture(env: NodeJS.ProcessEnv): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

describe('byok-router CLI with secret-manager references', () => {
  let dir: string;
  let openai: OpenAISim;
  let clis: FakeSecretClis;
  let configPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byok-cli-refs-'));
    openai = await startOpenAISim({ flavor: 'openai', validKeys: ['sk-from-op-0000aaaa', 'sk-from-gcloud-bbbb', 'sk-from-env-cccc0000'] });
    configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        pooled: { enabled: false },
        keys: [
          { id: 'main', provider: 'openai', name: 'main', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
          { id: 'spare', provider: 'openai', name: 'spare', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        ],
      }),
    );
  });
  after(async () => {
    await openai.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clis = new FakeSecretClis();
    openai.requests.length = 0;
  });
  afterEach(() => clis.dispose());

  it('resolves a reference given in the environment', async () => {
    clis.setValue('op', 'sk-from-op-0000aaaa');
    const io = capture(clis.env({ [envName('KEY', 'main')]: 'op://Work/OpenAI/credential' }));
    assert.equal(await main(['chat', '--config', configPath, '--model', 'openai/gpt-4o-mini', '--no-stream', 'hi'], io), 0, io.stderr);
    assert.equal(openai.requests[0]!.headers.authorization, 'Bearer sk-from-op-0000aaaa');
    assert.doesNotMatch(io.stdout + io.stderr, /sk-from-op/);
  });

  it('resolves references in a --secrets file, env: included', async () => {
    clis.setValue('gcloud', 'sk-from-gcloud-bbbb');
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ keys: { main: 'gcp-sm://projects/acme/secrets/openai/versions/latest', spare: 'env:SPARE_KEY' } }));
    chmodSync(file, 0o600);
    const io = capture(clis.env({ SPARE_KEY: 'sk-from-env-cccc0000' }));
    assert.equal(await main(['test-keys', '--secrets', file, '--config', configPath], io), 0, io.stdout + io.stderr);
    assert.match(io.stdout, /ok\s+openai\/key "main"/);
    assert.match(io.stdout, /ok\s+openai\/key "spare"/);
    assert.deepEqual(clis.argv('gcloud'), ['secrets', 'versions', 'access', 'latest', '--secret=openai', '--project=acme']);
  });

  it('explains a failed reference in the plan and test-keys, without any value', async () => {
    clis.setMode('op', 'signed-out');
    const env = clis.env({ [envName('KEY', 'main')]: 'op://Work/OpenAI/credential', [envName('KEY', 'spare')]: 'sk-from-env-cccc0000' });
    const explain = capture(env);
    assert.equal(await main(['explain', '--config', configPath, '--model', 'openai/gpt-4o-mini'], explain), 0);
    assert.match(explain.stdout, /key "main" \(prioritized\): its secret reference failed: 1Password CLI not signed in: \[ERROR\].*op signin/);
    const test = capture(env);
    assert.equal(await main(['test-keys', '--config', configPath], test), 1);
    assert.match(test.stdout, /unavailable\s+openai\/key "main" \(main\): 1Password CLI not signed in/);
    assert.doesNotMatch(explain.stdout + test.stdout, /sk-from-env-cccc0000/);
  });
});
