import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../src/cli/main';
import { envName } from '../../src/cli/secrets';
import { bundledCatalog } from '../../src/core/catalog/catalog';
import { parseConfig } from '../../src/core/config/parse';
import { MapSecretSource } from '../../src/core/ports';
import { maskedTail, Redactor, redactStrings, redactThenClip } from '../../src/core/redact';
import { secretProblem, stripTerminalControls } from '../../src/core/text-safety';
import { Router } from '../../src/core/routing/router';
import { startOpenAISim, type OpenAISim } from '../../src/sim/openai';

const CANARY_KEY = 'sk-CANARY-key-7f3a9c1e5b2d8f40';
const CANARY_CALLER = 'sk-or-v1-CANARY-caller-0d9e8c7b6a5f';

describe('secret redaction', () => {
  it('masks a secret down to its last four characters', () => {
    assert.equal(maskedTail('sk-abcdefgh1234'), '…1234');
    assert.equal(maskedTail('short'), '…');
  });

  it('scrubs registered secrets and credential-shaped strings it was never told about', () => {
    const r = new Redactor();
    r.add('my-custom-token-value');
    const out = r.redact('got my-custom-token-value and sk-proj-abcdefghijklmnop and Bearer abc.def.ghi123 and AKIAABCDEFGHIJKLMNOP');
    assert.doesNotMatch(out, /my-custom-token-value|sk-proj-abcdefghijklmnop|abc\.def\.ghi123|AKIAABCDEFGHIJKLMNOP/);
    assert.match(out, /\[redacted …alue\]/);
  });

  it('scrubs the private key inside a service-account JSON secret', () => {
    const r = new Redactor();
    r.add(
      JSON.stringify({
        client_email: 'x@y.iam.gserviceaccount.com',
        private_key: '-----BEGIN PRIVATE KEY-----\nMIIEabc\n-----END PRIVATE KEY-----\n',
        private_key_id: 'abcdef123456',
      }),
    );
    assert.doesNotMatch(r.redact('echo MIIEabc and abcdef123456'), /abcdef123456/);
  });

  it('scrubs every field of AWS credentials, including the PascalCase Credentials form STS prints', () => {
    const r = new Redactor();
    const session = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD';
    r.add(
      JSON.stringify({
        Credentials: { AccessKeyId: 'ASIAEXAMPLEEXAMPLE12', SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', SessionToken: session },
      }),
    );
    const out = r.redact(`token=${session} secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY`);
    assert.ok(!out.includes(session.slice(0, 20)) && !out.includes('wJalrXUtnFEMI'), out);
  });

  it('scrubs Google OAuth access tokens it was never told about', () => {
    assert.doesNotMatch(new Redactor().redact('token ya29.c.b0AXv0zTPabcdefghijklmnop rejected'), /b0AXv0zTP/);
  });

  it('redacts at full length before cutting, so a key across the cut leaves no fragment', () => {
    const r = new Redactor();
    const key = 'Zq7vK2mP9xR4tY8wB3nL6hJ1cF5dG0sA';
    r.add(key);
    const out = redactThenClip(r, `${'x'.repeat(290)}${key} trailing words`, 300);
    for (let i = 0; i + 6 <= key.length; i++) assert.ok(!out.includes(key.slice(i, i + 6)), out);
    assert.ok(out.length < 400);
  });

  it('redacts every string of a webview state and keeps its shape', () => {
    const r = new Redactor();
    r.add('Zq7vK2mP9xR4tY8wB3nL');
    const state = { keys: [{ name: 'a', status: { detail: '429 (rate_limited_for_Zq7vK2mP9xR4tY8wB3nL)', until: 5 } }], ok: true, none: null };
    const out = redactStrings(state, (t) => r.redact(t));
    assert.doesNotMatch(JSON.stringify(out), /Zq7vK2mP/);
    assert.equal(out.keys[0]!.status.until, 5);
    assert.equal(out.ok, true);
    assert.equal(out.none, null);
  });

  it('accepts a trimmed key or JSON credentials and refuses a key with whitespace or control characters inside', () => {
    assert.equal(secretProblem('sk-abc-123'), undefined);
    assert.equal(secretProblem('{\n  "type": "service_account"\n}'), undefined);
    for (const bad of ['sk-abc 123', 'sk-abc\t123', 'sk-abc\u0000123', 'sk-abc\u009b123'])
      assert.match(secretProblem(bad) ?? '', /whitespace or control characters/);
    assert.equal(secretProblem(''), 'is empty');
  });

  it('strips terminal control sequences and keeps the words', () => {
    const evil = 'ok\u001b]52;c;ZXZpbA==\u0007 \u001b[2K\r[served]\u001b[31m red\u009b1m\u001bPq\n\tnext';
    assert.equal(stripTerminalControls(evil), 'ok [served] redq\n\tnext');
  });

  describe('canary values never leave through errors, records, logs or CLI output', () => {
    let openai: OpenAISim;
    let openrouter: OpenAISim;
    let dir: string;
    before(async () => {
      [openai, openrouter] = await Promise.all([startOpenAISim({ flavor: 'openai' }), startOpenAISim({ flavor: 'openrouter' })]);
      dir = mkdtempSync(join(tmpdir(), 'byok-canary-'));
    });
    after(async () => {
      await Promise.all([openai.close(), openrouter.close()]);
      rmSync(dir, { recursive: true, force: true });
    });

    /** A careless provider that echoes the whole credential back in its error. */
    const echo = (secret: string, status: number) => ({
      status,
      errorBody: {
        error: { message: `Incorrect API key provided: ${secret}; Authorization: Bearer ${secret}`, type: 'invalid_request_error', code: 'invalid_api_key' },
      },
    });

    it('through the router', async () => {
      const { config } = parseConfig({
        callers: [{ name: 'dev' }],
        defaultCaller: 'dev',
        pooled: { baseUrl: openrouter.baseUrl },
        keys: [{ id: 'c1', provider: 'openai', name: 'canary', tier: 'prioritized', options: { baseUrl: openai.baseUrl } }],
      });
      const logs: string[] = [];
      const records: unknown[] = [];
      const router = new Router({
        config,
        catalog: bundledCatalog(),
        secrets: new MapSecretSource(new Map([['c1', CANARY_KEY]]), new Map([['dev', CANARY_CALLER]])),
        log: (l) => logs.push(l),
        sink: { append: (r) => void records.push(r) },
      });
      openai.enqueue(echo(CANARY_KEY, 401));
      openrouter.enqueue(echo(CANARY_CALLER, 500));
      const o = await router.generate({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      await router.close();
      assert.equal(o.ok, false);
      assert.equal(o.record.attempts.length, 2, 'both canaries were really sent and echoed');
      const everything = JSON.stringify({ o, logs, records });
      assert.ok(everything.includes('redacted'), 'the echo was seen and scrubbed');
      assert.ok(!everything.includes(CANARY_KEY), 'key canary leaked');
      assert.ok(!everything.includes(CANARY_CALLER), 'caller canary leaked');
    });

    it('when a provider’s long error puts the key across the point where messages are cut', async () => {
      const minimax = await startOpenAISim({ flavor: 'minimax' });
      try {
        const { config } = parseConfig({
          callers: [{ name: 'dev' }],
          defaultCaller: 'dev',
          keys: [{ id: 'm1', provider: 'minimax', name: 'canary', tier: 'prioritized', alwaysUse: true, options: { baseUrl: minimax.baseUrl } }],
        });
        const router = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['m1', CANARY_KEY]]), new Map()) });
        // 290 characters of words, then the key: a cut at 300 before redacting would keep its first 10.
        const msg = `${'login failed for this request '.repeat(10).slice(0, 290)}${CANARY_KEY} (check the Authorization header)`;
        minimax.enqueue({ status: 200, errorBody: { id: '', choices: null, base_resp: { status_code: 1004, status_msg: msg } } });
        const o = await router.generate({ model: 'minimax/minimax-m2', messages: [{ role: 'user', content: 'hi' }] });
        await router.close();
        assert.equal(o.ok, false);
        assert.equal(o.record.attempts[0]!.errorKind, 'auth', 'the base_resp really was read');
        const everything = JSON.stringify(o);
        assert.ok(!everything.includes(CANARY_KEY.slice(0, 10)), 'a cut-off start of the key leaked');
      } finally {
        await minimax.close();
      }
    });

    it('through the CLI in text and JSON modes', async () => {
      const configPath = join(dir, 'c.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          callers: [{ name: 'dev' }],
          defaultCaller: 'dev',
          pooled: { baseUrl: openrouter.baseUrl },
          keys: [{ id: 'c1', provider: 'openai', name: 'canary', tier: 'prioritized', options: { baseUrl: openai.baseUrl } }],
        }),
      );
      const env = { [envName('KEY', 'c1')]: CANARY_KEY, [envName('CALLER', 'dev')]: CANARY_CALLER };
      let all = '';
      const io: Io = { env, out: (s) => void (all += s), err: (s) => void (all += s) };
      for (const json of [false, true]) {
        openai.enqueue(echo(CANARY_KEY, 401));
        openrouter.enqueue(echo(CANARY_CALLER, 401));
        const args = ['chat', ...(json ? ['--json'] : []), '--config', configPath, '--model', 'openai/gpt-4o-mini', 'hi'];
        assert.equal(await main(args, io), 1);
      }
      await main(['explain', '--config', configPath, '--model', 'openai/gpt-4o-mini'], io);
      await main(['test-keys', '--config', configPath], io);
      assert.ok(all.includes('redacted'));
      assert.ok(!all.includes(CANARY_KEY) && !all.includes(CANARY_CALLER), 'a canary reached CLI output');
    });
  });
});
