/**
 * The CLI against careless and hostile input: secrets with stray whitespace, ids that are
 * prototype names or collide on one variable, unknown callers, provider text with terminal escapes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { envName } from '../../../src/cli/secrets';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const root = join(__dirname, '../../..');

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

describe('byok-router CLI under hostile input', () => {
  let dir: string;
  let openai: OpenAISim;
  let openrouter: OpenAISim;
  const write = (name: string, config: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(config));
    return p;
  };
  const oneKey = (id = 'k1') => ({
    callers: [{ name: 'dev' }, { name: 'ci' }],
    defaultCaller: 'dev',
    pooled: { baseUrl: openrouter.baseUrl },
    keys: [{ id, provider: 'openai', name: 'one', tier: 'prioritized', options: { baseUrl: openai.baseUrl } }],
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byok-cli-hostile-'));
    [openai, openrouter] = await Promise.all([startOpenAISim({ flavor: 'openai' }), startOpenAISim({ flavor: 'openrouter' })]);
  });
  after(async () => {
    await Promise.all([openai.close(), openrouter.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    openai.requests.length = 0;
    openrouter.requests.length = 0;
    openai.setDefault({});
  });

  it('trims a trailing space or newline from an env secret before sending it', async () => {
    const config = write('trim.json', oneKey());
    for (const raw of ['sk-trim-test-aaaa1111 ', 'sk-trim-test-aaaa1111\n', '\tsk-trim-test-aaaa1111\r\n']) {
      const io = capture({ [envName('KEY', 'k1')]: raw });
      assert.equal(await main(['chat', '--no-stream', '--config', config, '--model', 'openai/gpt-4o-mini', 'hi'], io), 0, io.stderr);
    }
    assert.deepEqual(
      openai.requests.map((r) => r.headers.authorization),
      ['Bearer sk-trim-test-aaaa1111', 'Bearer sk-trim-test-aaaa1111', 'Bearer sk-trim-test-aaaa1111'],
    );
  });

  it('refuses a secret with inner whitespace or control characters, naming the variable and not the value', async () => {
    const config = write('inner.json', oneKey());
    for (const raw of ['sk-inner test-aaaa1111', 'sk-inner\u0007test-aaaa1111', 'sk-inner\ntest-aaaa1111']) {
      const io = capture({ [envName('KEY', 'k1')]: raw });
      assert.equal(await main(['chat', '--config', config, '--model', 'openai/gpt-4o-mini', 'hi'], io), 2);
      assert.match(io.stderr, /BYOK_ROUTER_KEY_K1 .*whitespace or control characters/);
      assert.doesNotMatch(io.stderr, /sk-inner/);
    }
    assert.equal(openai.requests.length, 0);
  });

  it('does not count prototype names such as toString or constructor as having a secret', async () => {
    const secretsPath = join(dir, 'secrets.json');
    writeFileSync(secretsPath, JSON.stringify({ keys: {}, callers: {} }));
    chmodSync(secretsPath, 0o600);
    for (const id of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      const config = write(`proto-${id}.json`, { ...oneKey(id), callers: [{ name: id }], defaultCaller: id });
      const io = capture();
      await main(['chat', '--no-stream', '--secrets', secretsPath, '--config', config, '--model', 'openai/gpt-4o-mini', 'hi'], io);
      assert.match(io.stderr, new RegExp(`key "one" \\(${id}\\) has no secret`));
    }
    assert.equal(openai.requests.length + openrouter.requests.length, 0, 'a request was sent with a prototype function as its key');
  });

  it('refuses two key ids that map to the same environment variable', async () => {
    const config = write('collide.json', {
      keys: [
        { id: 'work.key', provider: 'openai', name: 'a', tier: 'prioritized' },
        { id: 'Work-Key', provider: 'openai', name: 'b', tier: 'prioritized' },
      ],
    });
    const io = capture({ BYOK_ROUTER_KEY_WORK_KEY: 'sk-collide-aaaa1111' });
    assert.equal(await main(['explain', '--config', config, '--model', 'openai/gpt-4o-mini'], io), 2);
    assert.match(io.stderr, /keys "work\.key" and "Work-Key" both read BYOK_ROUTER_KEY_WORK_KEY/);
  });

  it('warns about an unknown --caller and names the callers that exist', async () => {
    const config = write('callers.json', oneKey());
    const io = capture({ [envName('KEY', 'k1')]: 'sk-caller-test-aaaa1111' });
    assert.equal(await main(['explain', '--config', config, '--model', 'openai/gpt-4o-mini', '--caller', 'prdo'], io), 0);
    assert.match(io.stderr, /warning: caller "prdo" is not defined; defined callers: dev, ci/);
  });

  it('names the variable for a caller without a secret', async () => {
    const config = write('callersecret.json', oneKey());
    const io = capture({ [envName('KEY', 'k1')]: 'sk-caller-test-aaaa1111' });
    await main(['explain', '--config', config, '--model', 'openai/gpt-4o-mini', '--caller', 'ci'], io);
    assert.match(io.stderr, /note: caller "ci" has no OpenRouter key: set BYOK_ROUTER_CALLER_CI or add it to --secrets/);
  });

  it('strips terminal escape sequences from provider text before printing it', async () => {
    const config = write('esc.json', { ...oneKey(), pooled: { enabled: false } });
    const evil = 'bad\u001b]52;c;ZXZpbA==\u0007 \u001b[2K\r[served] fake\u001b[31m red\u009b1m';
    openai.setDefault({ status: 400, errorBody: { error: { message: evil, type: 'invalid_request_error' } } });
    const io = capture({ [envName('KEY', 'k1')]: 'sk-esc-test-aaaa1111' });
    assert.equal(await main(['chat', '--config', config, '--model', 'openai/gpt-4o-mini', 'hi'], io), 1);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(io.stderr + io.stdout, /[\u001b\u0007\u009b\r]/);
    assert.match(io.stderr, /bad/);
  });

  it('exits only after a slow pipe has read all of its output', async function () {
    this.timeout(60_000);
    const keys = Array.from({ length: 4000 }, (_, i) => ({ id: `k${i}`, provider: 'openai', name: `key number ${i}`, tier: 'prioritized' }));
    const config = write('big.json', { keys });
    const args = ['explain', '--config', config, '--model', 'openai/gpt-4o-mini'];
    const inProcess = capture();
    assert.equal(await main(args, inProcess), 0);
    const expected = Buffer.byteLength(inProcess.stdout);
    assert.ok(expected > 200_000, 'more than a pipe buffer');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(root, 'src/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    const closed = new Promise<number | null>((r) => child.on('close', r));
    // The reader stalls for a second, as `| less` does, while the CLI has finished its work.
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1000));
    let got = 0;
    child.stdout.on('data', (b: Buffer) => (got += b.length));
    child.stdout.resume();
    const code = await closed;
    assert.equal(code, 0);
    assert.equal(got, expected);
  });

  it('carries a cooldown and an auth mark to the next process through its state file, without the secret', async () => {
    const config = write('state.json', oneKey());
    const state = join(dir, 'state', 'cooldowns.json');
    const env = (secret: string) => ({ [envName('KEY', 'k1')]: secret, [envName('CALLER', 'dev')]: 'sk-or-state-dev-0001', BYOK_ROUTER_STATE: state });
    const chat = (secret: string) => main(['chat', '--no-stream', '--config', config, '--model', 'openai/gpt-4o-mini', 'hi'], capture(env(secret)));

    openai.enqueue({ ...openai.errors.rateLimited(60) });
    assert.equal(await chat('sk-state-first-aaaa1111'), 0); // 429, then pooled serves
    assert.equal(openai.requests.length, 1);
    assert.equal(await chat('sk-state-first-aaaa1111'), 0);
    assert.equal(openai.requests.length, 1, 'the next process hit the rate-limited key again');

    const saved = readFileSync(state, 'utf8');
    assert.match(saved, /"route":"key:k1","kind":"rate_limited"/);
    assert.ok(!saved.includes('sk-state-first'), 'the state file holds a secret');
    assert.equal(statSync(state).mode & 0o077, 0, 'the state file is private');

    rmSync(state);
    openai.enqueue({ status: 401, errorBody: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    await chat('sk-state-first-aaaa1111');
    await chat('sk-state-first-aaaa1111');
    assert.equal(openai.requests.length, 2, 'a key failing auth was tried again by the next process');
    await chat('sk-state-second-bbbb2222');
    assert.equal(openai.requests.length, 3, 'a new secret value clears the auth mark');
  });

  it('prints help for each subcommand with every flag it takes', async () => {
    for (const [cmd, flags] of [
      ['chat', ['--config', '--secrets', '--model', '--caller', '--json', '--no-stream', '--lenient']],
      ['explain', ['--config', '--secrets', '--model', '--caller', '--lenient']],
      ['test-keys', ['--config', '--secrets', '--lenient']],
    ] as const) {
      const io = capture();
      assert.equal(await main([cmd, '--help'], io), 0);
      assert.match(io.stdout, new RegExp(`^Usage: byok-router ${cmd}`, 'm'));
      for (const f of flags) assert.match(io.stdout, new RegExp(`^\\s+${f}\\b`, 'm'), `${cmd} --help lacks ${f}`);
    }
  });
});
