import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEXT } from '../../../src/sim/anthropic';
import { startFixture, SECRETS, type Fixture } from './fixture';

const root = join(__dirname, '../../..');
const claudeBin = join(root, 'node_modules/.bin/claude');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Claude Code from the npm registry, offline: a throwaway HOME, and telemetry, error reporting,
 * auto-update and every other non-essential call turned off through its documented variables.
 */
function claude(f: Fixture, home: string, args: string[]): Promise<Run> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_BASE_URL: f.endpoint.anthropicBaseUrl,
    ANTHROPIC_AUTH_TOKEN: f.tokens.dev,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const child = spawn(claudeBin, args, { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('Claude Code through the local endpoint', function () {
  this.timeout(120_000);
  let f: Fixture;
  let home: string;

  before(async function () {
    if (!existsSync(claudeBin)) throw new Error('@anthropic-ai/claude-code is a devDependency: run npm ci');
    f = await startFixture();
  });
  after(() => f?.close());
  beforeEach(() => {
    f.resetSims();
    home = mkdtempSync(join(tmpdir(), 'byok-claude-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('answers `claude -p` from the simulated Anthropic provider, with its default model name resolved and the request in Activity', async () => {
    const r = await claude(f, home, ['-p', 'Say hello']);
    assert.equal(r.code, 0, r.stderr || r.stdout);
    assert.equal(r.stdout.trim(), DEFAULT_TEXT);
    const sent = f.anthropic.requests.find((q) => (q.json as any)?.messages?.length)!;
    assert.equal(sent.headers['x-api-key'], SECRETS['ant-dev']);
    assert.ok((sent.json as any).max_tokens <= 64_000, 'max_tokens clamped to the served model');
    await f.recordCount(1);
    const rec = f.records.find((x) => x.outcome === 'success')!;
    assert.equal(rec.surface, 'endpoint');
    assert.equal(rec.client, 'claude-cli');
    assert.match(rec.model, /^anthropic\/claude-/);
  });

  it('runs a real tool round trip served by an OpenAI key: the Write call lands on disk and its result goes back', async () => {
    const target = join(home, 'hello.txt');
    // Whatever side requests Claude Code makes, the one carrying its tools and no tool result gets the call.
    f.openai.script = (req) => {
      const msgs = (req.json as any)?.messages ?? [];
      if (!(req.json as any)?.tools?.length || msgs.some((m: any) => m.role === 'tool')) return undefined;
      return { toolCalls: [{ name: 'Write', arguments: { file_path: target, content: 'written through BYOK Router\n' } }] };
    };
    try {
      const r = await claude(f, home, ['-p', 'Create hello.txt', '--model', 'openai/gpt-4o-mini', '--allowedTools', 'Write']);
      assert.equal(r.code, 0, r.stderr || r.stdout);
      assert.equal(readFileSync(target, 'utf8'), 'written through BYOK Router\n');
      assert.equal(r.stdout.trim(), f.openai.defaultText(SECRETS['oai-dev']));
      const back = f.openai.requests.map((q) => (q.json as any).messages as any[]).find((m) => m.some((x) => x.role === 'tool'))!;
      assert.ok(back, 'a request carried the tool result');
      const call = back.find((x) => x.role === 'assistant' && x.tool_calls)!.tool_calls[0];
      assert.equal(call.function.name, 'Write');
      assert.equal(back.find((x) => x.role === 'tool').tool_call_id, call.id);
    } finally {
      f.openai.script = undefined;
    }
  });
});
