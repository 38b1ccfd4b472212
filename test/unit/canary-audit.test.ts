/**
 * Secret canary audit: canary values in every key and caller secret, every family, success and
 * failure paths (including providers that echo the credential back), then every output scanned —
 * errors, records, the activity files on disk, log lines, CLI output, the demo's output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/cli/demo';
import { ActivityStore } from '../../src/core/activity/store';
import { bundledCatalog } from '../../src/core/catalog/catalog';
import { parseConfig } from '../../src/core/config/parse';
import { MapSecretSource } from '../../src/core/ports';
import { formatPlan } from '../../src/core/routing/plan';
import { Router } from '../../src/core/routing/router';
import { startAnthropicSim } from '../../src/sim/anthropic';
import { startBedrockSim } from '../../src/sim/bedrock';
import { startGeminiSim } from '../../src/sim/gemini';
import { startOpenAISim } from '../../src/sim/openai';
import { forwardTo, makeServiceAccount, startVertexSim } from '../../src/sim/vertex';

const canary = (name: string) => `CANARY-${name}-${Math.random().toString(36).slice(2, 12)}-7q`;

describe('secret canary audit', () => {
  it('finds no canary in errors, records, activity files or logs, across every family and fault', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'byok-canary-audit-'));
    const secrets = { oai: canary('openai'), ant: canary('anthropic'), gem: `AIza${canary('gemini')}`, brk: canary('bedrock'), dev: canary('openrouter') };
    const account = makeServiceAccount({ project_id: 'canary-proj' });
    const pem = account.json.private_key.split('\n')[2]!; // a line of the private key body
    const [openai, openrouter, anthropic, gemini, bedrock, claude] = await Promise.all([
      startOpenAISim({ flavor: 'openai' }),
      startOpenAISim({ flavor: 'openrouter' }),
      startAnthropicSim(),
      startGeminiSim(),
      startBedrockSim({ apiKeys: [secrets.brk] }),
      startAnthropicSim(),
    ]);
    const vertex = await startVertexSim({ accounts: [account.public], claude: forwardTo(claude.url) });
    const store = new ActivityStore({ dir });
    const logs: string[] = [];
    const outputs: unknown[] = [];
    try {
      const { config } = parseConfig({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        pooled: { baseUrl: openrouter.baseUrl },
        keys: [
          { id: 'oai', provider: 'openai', name: 'o', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
          { id: 'ant', provider: 'anthropic', name: 'a', tier: 'prioritized', options: { baseUrl: anthropic.baseUrl } },
          { id: 'gem', provider: 'google-ai-studio', name: 'g', tier: 'prioritized', options: { baseUrl: gemini.baseUrl } },
          {
            id: 'brk',
            provider: 'amazon-bedrock',
            name: 'b',
            tier: 'prioritized',
            options: {
              baseUrl: bedrock.url,
              region: bedrock.region,
              auth: 'bearer',
              modelMap: { 'anthropic/claude-sonnet-4.5': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
            },
          },
          {
            id: 'vtx',
            provider: 'google-vertex',
            name: 'v',
            tier: 'prioritized',
            options: { baseUrl: vertex.url, tokenUrl: vertex.tokenUrl, region: 'us-east5' },
          },
        ],
      });
      const secretSource = new MapSecretSource(
        new Map([...Object.entries(secrets).filter(([k]) => k !== 'dev'), ['vtx', JSON.stringify(account.json)]]),
        new Map([['dev', secrets.dev]]),
      );
      const router = new Router({ config, catalog: bundledCatalog(), secrets: secretSource, sink: store, log: (l) => logs.push(l) });
      // Providers that echo the credential they were given, as careless ones do.
      const echo = (s: string, status: number) => ({
        status,
        errorBody: { error: { message: `invalid key ${s} (Bearer ${s})`, type: 'invalid_request_error' } },
      });
      openai.enqueue(echo(secrets.oai, 401));
      openrouter.enqueue(echo(secrets.dev, 429));
      anthropic.enqueue({ status: 401, errorBody: { type: 'error', error: { type: 'authentication_error', message: `bad x-api-key ${secrets.ant}` } } });
      gemini.enqueue({ status: 400, errorBody: { error: { code: 400, message: `API key not valid: ${secrets.gem}`, status: 'INVALID_ARGUMENT' } } });
      for (const [model, stream] of [
        ['openai/gpt-4o-mini', false],
        ['openai/gpt-4o-mini', true],
        ['anthropic/claude-haiku-4.5', true],
        ['anthropic/claude-haiku-4.5', false],
        ['google/gemini-2.5-flash', true],
        ['google/gemini-2.5-flash', false],
        ['anthropic/claude-sonnet-4.5', true],
      ] as const) {
        const o = await router.generate({ model, stream, messages: [{ role: 'user', content: 'hi' }] }, { onChunk: (c) => outputs.push(c) });
        outputs.push(o);
        outputs.push(await router.explain(model, 'dev'));
      }
      await router.close();
      await store.flush();
      const files = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      assert.ok(files.split('\n').filter(Boolean).length >= 7, 'records were written');
      const everything = `${files}\n${logs.join('\n')}\n${JSON.stringify(outputs)}`;
      assert.ok(everything.includes('redacted'), 'the echoed secrets were seen and scrubbed');
      for (const [name, value] of [...Object.entries(secrets), ['vertex private key', pem], ['vertex key id', account.json.private_key_id]] as [
        string,
        string,
      ][]) {
        assert.ok(!everything.includes(value), `${name} leaked`);
      }
    } finally {
      await store.close();
      await Promise.all([openai, openrouter, anthropic, gemini, bedrock, claude, vertex].map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds no canary in error codes, types, skip and cooldown reasons, or derived credentials', async function () {
    this.timeout(30_000);
    // No well-known prefix: only the registered value can catch it, never a pattern.
    const plain = 'Zq7vK2mP9xR4tY8wB3nL6hJ1cF5dG0sA';
    const account = makeServiceAccount({ project_id: 'canary-proj' });
    const [openai, gemini] = await Promise.all([startOpenAISim({ flavor: 'openai' }), startGeminiSim()]);
    const vertex = await startVertexSim({ accounts: [account.public] });
    const logs: string[] = [];
    const outputs: unknown[] = [];
    try {
      const { config } = parseConfig({
        pooled: { enabled: false },
        keys: [
          { id: 'mis', provider: 'openai', name: 'plain', tier: 'prioritized', options: { baseUrl: openai.baseUrl } },
          {
            id: 'vtx',
            provider: 'google-vertex',
            name: 'v',
            tier: 'prioritized',
            options: { baseUrl: vertex.url, tokenUrl: vertex.tokenUrl, region: 'us-central1' },
          },
        ],
      });
      const secrets = new MapSecretSource(
        new Map([
          ['mis', plain],
          ['vtx', JSON.stringify(account.json)],
        ]),
      );
      const router = new Router({ config, catalog: bundledCatalog(), secrets, log: (l) => logs.push(l), sink: { append: (r) => void outputs.push(r) } });
      // The key in code, type and param, and at the 300-character cut of the message.
      openai.enqueue({
        status: 429,
        headers: { 'retry-after': '60' },
        errorBody: { error: { code: `rate_limited_for_${plain}`, type: `${plain}_type`, param: plain, message: `${'x'.repeat(290)}${plain}` } },
      });
      const ask = (model: string) => router.generate({ model, messages: [{ role: 'user', content: 'hi' }] }, { onAttempt: (a) => outputs.push(a) });
      outputs.push(await ask('openai/gpt-4o-mini'));
      // The next plan carries the cooldown reason as its skip reason.
      outputs.push(await ask('openai/gpt-4o-mini'));
      const plan = await router.explain('openai/gpt-4o-mini');
      outputs.push(plan, formatPlan(plan), [...router.cooldowns.store.entries()]);
      // A Vertex access token, minted by the router and echoed back by the provider.
      outputs.push(await ask('google/gemini-2.5-flash'));
      const token = [...vertex.issuedTokens.keys()][0]!;
      assert.ok(token, 'a token was minted');
      vertex.enqueue({ status: 400, errorBody: { error: { code: 400, message: `bad token ${token.slice(0)} ; ${token}`, status: 'INVALID_ARGUMENT' } } });
      outputs.push(await ask('google/gemini-2.5-flash'));
      await router.close();
      const everything = `${logs.join('\n')}\n${JSON.stringify(outputs)}`;
      assert.ok(everything.includes('redacted'), 'the echoes were seen and scrubbed');
      for (const [name, value] of [
        ['plain key', plain],
        ['vertex access token', token.slice(5)],
      ] as const) {
        for (let i = 0; i + 8 <= value.length; i++)
          assert.ok(!everything.includes(value.slice(i, i + 8)), `8 characters of the ${name} leaked: ${value.slice(i, i + 8)}`);
      }
    } finally {
      await Promise.all([openai.close(), gemini.close(), vertex.close()]);
    }
  });

  it('finds none of the demo secrets in the demo output', async function () {
    this.timeout(30_000);
    let out = '';
    const code = await runDemo({ env: {}, out: (s) => void (out += s), err: (s) => void (out += s) });
    assert.equal(code, 0);
    assert.doesNotMatch(out, /not-a-real-key-|not-a-real-openrouter-key-|wJalrXUtnFEMI|BEGIN PRIVATE KEY/);
  });
});
