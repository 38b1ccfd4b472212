import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { envName } from '../../../src/cli/secrets';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';
import { startAnthropicSim } from '../../../src/sim/anthropic';
import { startGeminiSim } from '../../../src/sim/gemini';
import { BEDROCK_TEST_API_KEY, startBedrockSim } from '../../../src/sim/bedrock';

const root = join(__dirname, '../../..');

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out: (s: string) => void (io.stdout += s),
    err: (s: string) => void (io.stderr += s),
  };
  return io;
}

describe('byok-router CLI', () => {
  let dir: string;
  let openai: OpenAISim;
  let openrouter: OpenAISim;
  let configPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byok-cli-'));
    [openai, openrouter] = await Promise.all([startOpenAISim({ flavor: 'openai' }), startOpenAISim({ flavor: 'openrouter' })]);
    configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        pooled: { baseUrl: openrouter.baseUrl },
        keys: [
          { id: 'work.main', provider: 'openai', name: 'work main', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
          { id: 'work-spare', provider: 'openai', name: 'work spare', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        ],
      }),
    );
  });
  after(async () => {
    await Promise.all([openai.close(), openrouter.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    openai.requests.length = 0;
    openrouter.requests.length = 0;
  });

  const secretsEnv = {
    [envName('KEY', 'work.main')]: 'sk-cli-main-aaaa1111',
    [envName('KEY', 'work-spare')]: 'sk-cli-spare-bbbb2222',
    [envName('CALLER', 'dev')]: 'sk-or-cli-dev-cccc3333',
  };

  it('names secret variables by upper-casing the id and replacing other characters', () => {
    assert.equal(envName('KEY', 'work.main'), 'BYOK_ROUTER_KEY_WORK_MAIN');
    assert.equal(envName('CALLER', 'prod-eu'), 'BYOK_ROUTER_CALLER_PROD_EU');
  });

  it('explains the plan without sending anything', async () => {
    const io = capture(secretsEnv);
    assert.equal(await main(['explain', '--config', configPath, '--model', 'openai/gpt-4o-mini'], io), 0);
    assert.match(io.stdout, /1\. openai\/key "work main" \(prioritized\) → gpt-4o-mini/);
    assert.match(io.stdout, /3\. pooled \(OpenRouter, caller "dev"\)/);
    assert.equal(openai.requests.length, 0);
  });

  it('names a key whose secret is missing and the variable to set', async () => {
    const io = capture({ [envName('KEY', 'work-spare')]: 'sk-cli-spare-bbbb2222' });
    assert.equal(await main(['explain', '--config', configPath, '--model', 'openai/gpt-4o-mini'], io), 0);
    assert.match(io.stderr, /key "work main" \(work\.main\) has no secret: set BYOK_ROUTER_KEY_WORK_MAIN/);
  });

  it('streams the answer to stdout and the attempt trace to stderr', async () => {
    openai.enqueue(openai.errors.rateLimited(9));
    const io = capture(secretsEnv);
    assert.equal(await main(['chat', '--config', configPath, '--model', 'openai/gpt-4o-mini', 'Say', 'hi'], io), 0);
    assert.equal(io.stdout.trim(), openai.defaultText('sk-cli-spare-bbbb2222'));
    assert.match(io.stderr, /\[attempt\] openai\/key "work main": 429 rate_limited, retry in 9 s/);
    assert.match(io.stderr, /\[served\] openai\/key "work spare" \(prioritized\)/);
    assert.equal((openai.requests[0]!.json as any).messages[0].content, 'Say hi');
  });

  it('prints one JSON object with the response and the generation record for --json', async () => {
    const io = capture(secretsEnv);
    assert.equal(await main(['chat', '--json', '--config', configPath, '--model', 'openai/gpt-4o-mini', 'hi'], io), 0);
    const out = JSON.parse(io.stdout);
    assert.equal(out.response.object, 'chat.completion');
    assert.equal(out.record.servedBy.keyId, 'work.main');
    assert.equal(out.record.attempts.length, 1);
  });

  it('gives the --json record servedBy with its model, cost in USD, and the model fallbacks given up', async () => {
    const io = capture(secretsEnv);
    const cfg = join(dir, 'fallbacks.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        pooled: { enabled: false },
        modelFallbacks: { 'openai/gpt-4o-mini': ['openai/gpt-4.1'] },
        keys: [
          {
            id: 'work.main',
            provider: 'openai',
            name: 'work main',
            tier: 'prioritized',
            filters: { models: ['openai/gpt-4o-mini'] },
            options: { baseUrl: openai.baseUrl },
          },
          {
            id: 'work-spare',
            provider: 'openai',
            name: 'work spare',
            tier: 'prioritized',
            filters: { models: ['openai/gpt-4.1'] },
            options: { baseUrl: openai.baseUrl },
          },
        ],
      }),
    );
    openai.enqueue(openai.errors.rateLimited(30));
    assert.equal(await main(['chat', '--json', '--config', cfg, '--model', 'openai/gpt-4o-mini', 'hi'], io), 0);
    const out = JSON.parse(io.stdout);
    assert.equal(out.response.object, 'chat.completion');
    assert.deepEqual(
      out.record.attempts.map((a: any) => [a.ok, a.keyId, a.nativeModel]),
      [
        [false, 'work.main', 'gpt-4o-mini'],
        [true, 'work-spare', 'gpt-4.1'],
      ],
    );
    assert.deepEqual([out.record.servedBy.route, out.record.servedBy.keyId, out.record.servedBy.model], ['byok', 'work-spare', 'openai/gpt-4.1']);
    assert.equal(typeof out.record.cost, 'number');
    assert.equal(out.record.modelFallbacks[0].model, 'openai/gpt-4o-mini');
    assert.equal(out.record.modelFallbacks[0].errorKind, 'rate_limited');
  });

  it('sends the same request N times with --repeat, one JSON line each, spreading by the balance setting', async () => {
    const io = capture(secretsEnv);
    const cfg = join(dir, 'repeat.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        pooled: { baseUrl: openrouter.baseUrl },
        balance: { openai: 'round-robin' },
        stickiness: { ttlMs: 0 },
        keys: [
          { id: 'work.main', provider: 'openai', name: 'work main', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
          { id: 'work-spare', provider: 'openai', name: 'work spare', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        ],
      }),
    );
    assert.equal(await main(['chat', '--json', '--repeat', '4', '--config', cfg, '--model', 'openai/gpt-4o-mini', 'hi'], io), 0);
    const lines = io.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).record.servedBy.keyId),
      ['work.main', 'work-spare', 'work.main', 'work-spare'],
    );
    assert.equal(await main(['chat', '--repeat', '0', '--config', cfg, '--model', 'openai/gpt-4o-mini', 'hi'], capture(secretsEnv)), 2);
  });

  it('explain names a key left out for budget with the budget and what is spent, counted from the activity log', async () => {
    const activity = join(dir, 'activity');
    const cfg = join(dir, 'budget.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        pooled: { baseUrl: openrouter.baseUrl },
        keys: [
          {
            id: 'work.main',
            provider: 'openai',
            name: 'work main',
            tier: 'prioritized',
            budget: { requests: 2, period: 'month' },
            options: { baseUrl: openai.baseUrl },
          },
          { id: 'work-spare', provider: 'openai', name: 'work spare', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
        ],
      }),
    );
    const chat = capture(secretsEnv);
    assert.equal(await main(['chat', '--json', '--repeat', '3', '--activity', activity, '--config', cfg, '--model', 'openai/gpt-4o-mini', 'hi'], chat), 0);
    assert.deepEqual(
      chat.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).record.servedBy.keyId),
      ['work.main', 'work.main', 'work-spare'],
    );
    assert.match(chat.stderr, /budget 100 % used: key "work main"|budget \d+ % used: key "work main"/);
    // A second process reads the same log: the spend survives and is shared.
    const io = capture(secretsEnv);
    assert.equal(await main(['explain', '--activity', activity, '--config', cfg, '--model', 'openai/gpt-4o-mini'], io), 0);
    assert.match(io.stdout, /key "work main".*budget: its budget is used up \(2 of 2 requests spent this month \(UTC\)\)/);
    assert.match(io.stdout, /Budgets:\n {2}- key "work main": 2 of 2 requests spent this month \(UTC\) — used up: left out for budget/);
  });

  it('exits 1 after printing every attempt when the generation fails', async () => {
    openai.setDefault(openai.errors.serverError(500));
    openrouter.enqueue(openrouter.errors.insufficientQuota());
    const io = capture(secretsEnv);
    try {
      assert.equal(await main(['chat', '--config', configPath, '--model', 'openai/gpt-4o-mini', 'hi'], io), 1);
    } finally {
      openai.setDefault({});
    }
    assert.equal(io.stderr.match(/\[attempt\]/g)?.length, 3);
    assert.match(io.stderr, /\[failed\] rate_limited: all routes failed/);
  });

  it('exits 2 on bad usage', async () => {
    const io = capture();
    assert.equal(await main(['chat', '--config', configPath, 'hi'], io), 2);
    assert.match(io.stderr, /--model SLUG is required/);
    assert.equal(await main(['frobnicate'], capture()), 2);
  });

  it('exits 2 on a bad config and names the path at fault', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ keys: [{ id: 'x', provider: 'openai', name: 'x', tier: 'sometimes' }] }));
    const io = capture();
    assert.equal(await main(['explain', '--config', bad, '--model', 'openai/gpt-4o'], io), 2);
    assert.match(io.stderr, /keys\[0\]\.tier: expected "prioritized" or "fallback"/);
    assert.equal(await main(['explain', '--lenient', '--config', bad, '--model', 'openai/gpt-4o'], capture()), 0);
  });

  it('reads secrets from a file only when its mode is 0600', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ keys: { 'work.main': 'sk-file-main-dddd4444' }, callers: {} }));
    chmodSync(file, 0o644);
    const loose = capture();
    assert.equal(await main(['chat', '--secrets', file, '--config', configPath, '--model', 'openai/gpt-4o-mini', 'hi'], loose), 2);
    assert.match(loose.stderr, /has mode 644; run `chmod 600/);
    assert.ok(!loose.stderr.includes('sk-file-main-dddd4444'));
    chmodSync(file, 0o600);
    const io = capture();
    assert.equal(await main(['chat', '--secrets', file, '--config', configPath, '--model', 'openai/gpt-4o-mini', 'hi'], io), 0);
    assert.equal(openai.requests.at(-1)!.headers.authorization, 'Bearer sk-file-main-dddd4444');
  });

  it('runs the demo scenarios and exits 0 when each behaved as described', async function () {
    this.timeout(30_000);
    const io = capture();
    const code = await main(['demo'], io);
    assert.equal(code, 0, io.stdout);
    assert.doesNotMatch(io.stdout, /FAIL/);
    assert.match(io.stdout, /(\d+)\/\1 scenarios behaved as described/);
  });

  it('works as a separate process with real exit codes', async function () {
    this.timeout(30_000);
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--require', 'tsx/cjs', join(root, 'src/cli/main.ts'), ...args],
          { cwd: root, env: { ...process.env, ...secretsEnv, BYOK_ROUTER_STATE: join(dir, 'process-state.json') } },
          (err, stdout, stderr) => resolve({ code: err ? ((err as any).code as number) : 0, stdout, stderr }),
        );
      });
    const ok = await run(['chat', '--config', configPath, '--model', 'openai/gpt-4o-mini', 'hello']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Hello from openai/);
    const usage = await run(['explain']);
    assert.equal(usage.code, 2);
  });
});

describe('byok-router test-keys', () => {
  it('checks every family with its cheapest real request and exits 1 when a key is refused', async () => {
    const anthropic = await startAnthropicSim({ validKeys: ['sk-ant-good-0001'] });
    const gemini = await startGeminiSim();
    const bedrock = await startBedrockSim();
    const openrouter = await startOpenAISim({ flavor: 'openrouter' });
    const dir = mkdtempSync(join(tmpdir(), 'byok-tk-'));
    try {
      const configPath = join(dir, 'c.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          callers: [{ name: 'dev' }],
          pooled: { baseUrl: openrouter.baseUrl },
          keys: [
            { id: 'ant-good', provider: 'anthropic', name: 'good', tier: 'prioritized', options: { baseUrl: anthropic.baseUrl } },
            { id: 'ant-bad', provider: 'anthropic', name: 'bad', tier: 'fallback', options: { baseUrl: anthropic.baseUrl } },
            { id: 'gem', provider: 'google-ai-studio', name: 'gemini', tier: 'prioritized', options: { baseUrl: gemini.baseUrl } },
            {
              id: 'brk',
              provider: 'amazon-bedrock',
              name: 'bedrock',
              tier: 'prioritized',
              options: { baseUrl: bedrock.url, region: bedrock.region, auth: 'bearer' },
            },
          ],
        }),
      );
      const io = capture({
        [envName('KEY', 'ant-good')]: 'sk-ant-good-0001',
        [envName('KEY', 'ant-bad')]: 'sk-ant-revoked-0002',
        [envName('KEY', 'gem')]: 'AIzaGoodKey0003',
        [envName('KEY', 'brk')]: BEDROCK_TEST_API_KEY,
        [envName('CALLER', 'dev')]: 'sk-or-dev-0004',
      });
      assert.equal(await main(['test-keys', '--config', configPath], io), 1);
      assert.match(io.stdout, /^ok +anthropic\/key "good"/m);
      assert.match(io.stdout, /^auth +anthropic\/key "bad".*rotate the key/m);
      assert.match(io.stdout, /^ok +google-ai-studio\/key "gemini"/m);
      assert.match(io.stdout, /^ok +amazon-bedrock\/key "bedrock"/m);
      assert.match(io.stdout, /^ok +caller "dev" \(OpenRouter\)/m);
      assert.equal(
        anthropic.requests.every((r) => r.method === 'GET'),
        true,
        'validation sends no chat request',
      );
    } finally {
      await Promise.all([anthropic.close(), gemini.close(), bedrock.close(), openrouter.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
