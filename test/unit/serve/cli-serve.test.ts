import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { main, type Io } from '../../../src/cli/main';
import { loadTokens, tokenEnvName } from '../../../src/cli/serve';
import { parseConfig } from '../../../src/core/config/parse';
import { generateToken, isTokenShaped } from '../../../src/serve/tokens';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const root = join(__dirname, '../../..');

describe('byok-router serve', () => {
  let dir: string;
  let sim: OpenAISim;
  let configPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byok-serve-'));
    sim = await startOpenAISim({ flavor: 'openai' });
    configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        callers: [{ name: 'dev' }, { name: 'prod-eu' }],
        defaultCaller: 'dev',
        pooled: { enabled: false },
        keys: [
          { id: 'k-dev', provider: 'openai', name: 'dev key', tier: 'prioritized', filters: { callers: ['dev'] }, options: { baseUrl: sim.baseUrl } },
          { id: 'k-prod', provider: 'openai', name: 'prod key', tier: 'prioritized', filters: { callers: ['prod-eu'] }, options: { baseUrl: sim.baseUrl } },
        ],
      }),
    );
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names token variables like the key variables', () => {
    assert.equal(tokenEnvName('prod-eu'), 'BYOK_ROUTER_TOKEN_PROD_EU');
  });

  it('prints a fresh 256-bit brt_ token for --new-token', async () => {
    let out = '';
    const io: Io = { out: (s) => void (out += s), err: () => undefined, env: {} };
    assert.equal(await main(['serve', '--new-token'], io), 0);
    const token = out.trim();
    assert.ok(isTokenShaped(token), token.slice(0, 6));
    assert.equal(Buffer.from(token.slice(4), 'base64url').length, 32);
  });

  it('takes tokens from the environment before the secrets file, and refuses one that is not a brt_ token without echoing it', () => {
    const { config } = parseConfig(JSON.parse(readFileSync(configPath, 'utf8')));
    const a = generateToken();
    const b = generateToken();
    const t = loadTokens(config, { BYOK_ROUTER_TOKEN_DEV: a }, { dev: b, 'prod-eu': b });
    assert.equal(t.callerFor(a), 'dev');
    assert.equal(t.callerFor(b), 'prod-eu');
    assert.throws(
      () => loadTokens(config, { BYOK_ROUTER_TOKEN_DEV: 'hunter2hunter2' }),
      (e: Error) => /BYOK_ROUTER_TOKEN_DEV/.test(e.message) && !e.message.includes('hunter2'),
    );
  });

  it('exits 2 with the variable to set when no caller has a token', async () => {
    let err = '';
    const io: Io = { out: () => undefined, err: (s) => void (err += s), env: {} };
    assert.equal(await main(['serve', '--config', configPath], io), 2);
    assert.match(err, /BYOK_ROUTER_TOKEN_DEV/);
  });

  it('runs as a process: one banner line with both base URLs on a free port, serves each caller with its own key, logs to --activity, stops on SIGINT', async function () {
    this.timeout(60_000);
    const dev = generateToken();
    const prod = generateToken();
    const secretsPath = join(dir, 'secrets.json');
    writeFileSync(secretsPath, JSON.stringify({ keys: { 'k-dev': 'sk-serve-dev-000000d1', 'k-prod': 'sk-serve-prod-00000p1' }, tokens: { 'prod-eu': prod } }));
    chmodSync(secretsPath, 0o600);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src/cli/main.ts'),
        'serve',
        '--config',
        configPath,
        '--secrets',
        secretsPath,
        '--port',
        '0',
        '--activity',
        join(dir, 'activity'),
      ],
      {
        cwd: root,
        env: { ...process.env, BYOK_ROUTER_TOKEN_DEV: dev, BYOK_ROUTER_STATE: join(dir, 'state.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner; stderr: ${stderr}`)), 30_000);
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('\n')) {
            clearTimeout(timer);
            resolve(stdout.split('\n')[0]!);
          }
        });
      });
      const m = /OpenAI base URL (http:\/\/127\.0\.0\.1:(\d+)\/v1) · Anthropic base URL http:\/\/127\.0\.0\.1:\2 /.exec(banner);
      assert.ok(m, banner);
      assert.notEqual(m[2], '0');
      for (const [token, key] of [
        [dev, 'sk-serve-dev-000000d1'],
        [prod, 'sk-serve-prod-00000p1'],
      ] as const) {
        const c: OpenAI = new OpenAI({ baseURL: m[1]!, apiKey: token, maxRetries: 0 });
        const r: OpenAI.ChatCompletion = await c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
        assert.equal(r.choices[0]!.message.content, sim.defaultText(key));
      }
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.equal(stdout.trim().split('\n').length, 1, 'one banner line');
      for (const s of [dev, prod, 'sk-serve-']) assert.ok(!stdout.includes(s) && !stderr.includes(s));
      assert.match(stderr, /caller=prod-eu client=OpenAI\/JS → 200/);
      const logged = readFileSync(join(dir, 'activity', 'activity.jsonl'), 'utf8');
      const records = logged
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { surface: string; caller: string; outcome: string; servedBy: { keyId: string } });
      assert.deepEqual(
        records.map((r) => [r.surface, r.caller, r.outcome, r.servedBy.keyId]),
        [
          ['endpoint', 'dev', 'success', 'k-dev'],
          ['endpoint', 'prod-eu', 'success', 'k-prod'],
        ],
      );
      for (const s of [dev, prod, 'sk-serve-']) assert.ok(!logged.includes(s), 'a secret reached the activity log');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
