/**
 * The bad-input matrix: every case gets an error that names the thing at fault, and the rest of
 * the system keeps working (a valid key beside the bad entry still routes).
 */
import assert from 'node:assert/strict';
import { bundledCatalog } from '../../src/core/catalog/catalog';
import { chatRequestSchema, type ChatRequest } from '../../src/core/chat';
import { formatDiagnostic, parseConfig } from '../../src/core/config/parse';
import { MapSecretSource } from '../../src/core/ports';
import { Router } from '../../src/core/routing/router';
import { startOpenAISim, type OpenAISim } from '../../src/sim/openai';
import { startSimServer } from '../../src/sim/server';

const good = { id: 'good', provider: 'openai', name: 'good', tier: 'prioritized' };
const key = (over: Record<string, unknown>) => ({ ...good, id: 'bad', name: 'bad', ...over });

/** [title, raw config, expected diagnostic (path: message) pattern, severity] */
const CONFIG_CASES: [string, Record<string, unknown>, RegExp, ('error' | 'warning')?][] = [
  ['keys that are not an array', { keys: { a: 1 } }, /^keys: expected an array of keys$/],
  ['a key that is not an object', { keys: [good, 'sk-123'] }, /^keys\[1\]: /],
  ['a key without an id', { keys: [good, { provider: 'openai', name: 'x', tier: 'fallback' }] }, /^keys\[1\]\.id: /],
  ['a key id with spaces', { keys: [good, key({ id: 'my key' })] }, /^keys\[1\]\.id: expected 1–64 letters/],
  ['an unknown provider', { keys: [good, key({ provider: 'acme' })] }, /^keys\[1\]\.provider: unknown provider "acme"/],
  ['a provider of the wrong type', { keys: [good, key({ provider: 42 })] }, /^keys\[1\]\.provider: unknown provider 42/],
  ['an empty key name', { keys: [good, key({ name: '' })] }, /^keys\[1\]\.name: expected a non-empty name$/],
  ['an invalid tier', { keys: [good, key({ tier: 'primary' })] }, /^keys\[1\]\.tier: expected "prioritized" or "fallback"$/],
  ['alwaysUse as a string', { keys: [good, key({ alwaysUse: 'yes' })] }, /^keys\[1\]\.alwaysUse: /],
  [
    'Always use on a fallback key',
    { keys: [good, key({ tier: 'fallback', alwaysUse: true })] },
    /^keys\[1\]\.alwaysUse: "Always use" applies to prioritized keys only$/,
  ],
  ['disabled as a number', { keys: [good, key({ disabled: 1 })] }, /^keys\[1\]\.disabled: /],
  ['model filters that are not an array', { keys: [good, key({ filters: { models: 'openai/*' } })] }, /^keys\[1\]\.filters\.models: /],
  ['an unbalanced model glob', { keys: [good, key({ filters: { models: ['openai/gpt-[4'] } })] }, /^keys\[1\]\.filters\.models\[0\]: invalid model pattern/],
  ['a model glob with spaces', { keys: [good, key({ filters: { models: ['openai/gpt 4'] } })] }, /^keys\[1\]\.filters\.models\[0\]: invalid model pattern/],
  [
    'a model glob longer than 256 characters',
    { keys: [good, key({ filters: { models: [`openai/${'*a'.repeat(200)}`] } })] },
    /^keys\[1\]\.filters\.models\[0\]: invalid model pattern/,
  ],
  [
    'a model glob of too many brace alternatives',
    { keys: [good, key({ filters: { models: ['{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'] } })] },
    /^keys\[1\]\.filters\.models\[0\]: invalid model pattern/,
  ],
  ['an empty model pattern', { keys: [good, key({ filters: { models: [''] } })] }, /^keys\[1\]\.filters\.models\[0\]: expected a non-empty pattern$/],
  [
    'a caller filter naming an unknown caller',
    { callers: [{ name: 'dev' }], keys: [good, key({ filters: { callers: ['prod'] } })] },
    /^keys\[1\]\.filters\.callers\[0\]: caller "prod" is not defined/,
    'warning',
  ],
  ['an unknown filter', { keys: [good, key({ filters: { members: ['x'] } })] }, /^keys\[1\]\.filters: /],
  [
    'a base URL that is not a URL',
    { keys: [good, key({ options: { baseUrl: 'api.openai.com' } })] },
    /^keys\[1\]\.options\.baseUrl: expected an http\(s\) URL$/,
  ],
  ['a file: base URL', { keys: [good, key({ options: { baseUrl: 'file:///etc/passwd' } })] }, /^keys\[1\]\.options\.baseUrl: expected an http\(s\) URL$/],
  ['an unknown key option', { keys: [good, key({ options: { endpoint: 'https://x' } })] }, /^keys\[1\]\.options: /],
  [
    'a region with invalid characters',
    { keys: [good, key({ provider: 'amazon-bedrock', options: { region: 'US East' } })] },
    /^keys\[1\]\.options\.region: expected a region/,
  ],
  [
    'an Azure api-version of the wrong shape',
    { keys: [good, key({ provider: 'azure', options: { apiVersion: 'latest' } })] },
    /^keys\[1\]\.options\.apiVersion: expected YYYY-MM-DD/,
  ],
  [
    'a Vertex project that would rewrite the URL path',
    { keys: [good, key({ provider: 'google-vertex', options: { project: 'x/../../v1/projects/evil:rawPredict?' } })] },
    /^keys\[1\]\.options\.project: expected a Google Cloud project id/,
  ],
  [
    'a one-letter Vertex project',
    { keys: [good, key({ provider: 'google-vertex', options: { project: 'p' } })] },
    /^keys\[1\]\.options\.project: expected a Google Cloud project id/,
  ],
  [
    'an Azure resource name with a dot',
    { keys: [good, key({ provider: 'azure', options: { resource: 'evil.example.com' } })] },
    /^keys\[1\]\.options\.resource: expected an Azure resource name$/,
  ],
  [
    'an extra header with an invalid name',
    { keys: [good, key({ options: { headers: { 'bad header': 'x' } } })] },
    /^keys\[1\]\.options\.headers\.bad header: expected a header name$/,
  ],
  ['an empty model-map entry', { keys: [good, key({ options: { modelMap: { 'a/b': '' } } })] }, /^keys\[1\]\.options\.modelMap\.a\/b: /],
  ['an unparseable expiry date', { keys: [good, key({ expiresAt: 'next tuesday' })] }, /^keys\[1\]\.expiresAt: expected an ISO date/],
  ['an expiry in the past', { keys: [good, key({ expiresAt: '2020-01-01' })] }, /^keys\[1\]\.expiresAt: key "bad" expired on 2020-01-01$/, 'warning'],
  ['a duplicate key id', { keys: [good, { ...good, name: 'copy' }] }, /^keys\[1\]\.id: duplicate key id "good"; this entry is ignored$/],
  ['an unknown key field', { keys: [good, key({ priority: 1 })] }, /^keys\[1\]: /],
  ['callers that are not an array', { callers: 'dev', keys: [good] }, /^callers: expected an array of callers$/],
  ['an invalid caller name', { callers: [{ name: 'dev team' }], keys: [good] }, /^callers\[0\]\.name: expected a caller name/],
  ['a duplicate caller', { callers: [{ name: 'dev' }, { name: 'dev' }], keys: [good] }, /^callers\[1\]\.name: duplicate caller "dev"/],
  ['a defaultCaller that is not a string', { defaultCaller: 7, keys: [good] }, /^defaultCaller: expected a caller name$/],
  ['a providerOrder that is not a list of strings', { providerOrder: 'openai', keys: [good] }, /^providerOrder: expected an array of provider ids$/],
  ['a negative connect timeout', { timeouts: { connectMs: -1 }, keys: [good] }, /^timeouts\.connectMs: must be at least 100 ms$/],
  ['an absurd total timeout', { timeouts: { totalMs: 1e15 }, keys: [good] }, /^timeouts\.totalMs: must be at most/],
  ['a fractional idle timeout', { timeouts: { idleMs: 1000.5 }, keys: [good] }, /^timeouts\.idleMs: expected whole milliseconds$/],
  ['a timeout given as a string', { timeouts: { firstByteMs: '60s' }, keys: [good] }, /^timeouts\.firstByteMs: expected a first-byte timeout in milliseconds$/],
  ['an unknown timeout', { timeouts: { readMs: 5 }, keys: [good] }, /^timeouts: /],
  ['a negative cooldown cap', { cooldown: { maxMs: -5 }, keys: [good] }, /^cooldown\.maxMs: must be at least 0 ms$/],
  ['a fee rate above 100 %', { fees: { rate: 5 }, keys: [good] }, /^fees\.rate: /],
  ['a free allowance in an unknown unit', { fees: { freeAllowance: { unit: 'tokens', amount: 5 } }, keys: [good] }, /^fees\.freeAllowance\.unit: /],
  ['a pooled base URL that is not a URL', { pooled: { baseUrl: 'openrouter' }, keys: [good] }, /^pooled\.baseUrl: expected an http\(s\) URL$/],
  ['a pooled header with an invalid name', { pooled: { headers: { 'X Title': 'x' } }, keys: [good] }, /^pooled\.headers\.X Title: expected a header name$/],
  ['a body limit below 1 KiB', { limits: { maxBodyBytes: 10 }, keys: [good] }, /^limits\.maxBodyBytes: /],
  ['a root that is an array', [] as unknown as Record<string, unknown>, /^\(root\): expected a JSON object$/],
  ['an unknown top-level setting', { keyz: [], keys: [good] }, /^keyz: unknown setting, ignored$/, 'warning'],
];

describe('bad input', () => {
  describe('configuration', () => {
    for (const [title, raw, pattern, severity = 'error'] of CONFIG_CASES) {
      it(`names the path and the problem for ${title}, and keeps the valid rest`, () => {
        const { config, diagnostics } = parseConfig(raw);
        const hit = diagnostics.find((d) => pattern.test(formatDiagnostic(d)));
        assert.ok(hit, `no diagnostic matched ${pattern}; got ${JSON.stringify(diagnostics.map(formatDiagnostic))}`);
        assert.equal(hit.severity, severity);
        if (Array.isArray((raw as { keys?: unknown }).keys))
          assert.ok(
            config.keys.some((k) => k.id === 'good'),
            'the valid key survives',
          );
      });
    }
  });

  describe('requests', () => {
    const cases: [string, unknown, RegExp][] = [
      ['no messages', { model: 'openai/gpt-4o', messages: [] }, /messages/],
      ['an unknown role', { model: 'openai/gpt-4o', messages: [{ role: 'robot', content: 'x' }] }, /role|Invalid/],
      ['a missing model', { messages: [{ role: 'user', content: 'x' }] }, /model/],
      ['a tool message without its call id', { model: 'openai/gpt-4o', messages: [{ role: 'tool', content: 'x' }] }, /tool_call_id/],
      ['a negative max_tokens', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }, /max_tokens/],
    ];
    for (const [title, raw, pattern] of cases) {
      it(`refuses a request with ${title} and says which field`, () => {
        const r = chatRequestSchema.safeParse(raw);
        assert.equal(r.success, false);
        assert.match(JSON.stringify(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)), pattern);
      });
    }
  });

  describe('provider answers and missing pieces', () => {
    let sim: OpenAISim;
    before(async () => {
      sim = await startOpenAISim({ flavor: 'openai' });
    });
    after(() => sim.close());

    function router(opts: { limits?: Record<string, number>; noSecret?: boolean } = {}) {
      const { config } = parseConfig({
        pooled: { enabled: false },
        keys: [{ id: 'k', provider: 'openai', name: 'only', tier: 'prioritized', options: { baseUrl: sim.baseUrl } }],
        limits: opts.limits,
      });
      return new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map(opts.noSecret ? [] : [['k', 'sk-bad-input-0001']])) });
    }
    const ask = (over: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...over });
    async function failure(r: Router, req = ask()) {
      try {
        const o = await r.generate(req);
        assert.equal(o.ok, false, 'expected a failure');
        return { error: !o.ok ? o.error : undefined!, record: o.record };
      } finally {
        await r.close();
      }
    }

    it('names the key whose secret is missing', async () => {
      const { error } = await failure(router({ noSecret: true }));
      assert.match(error.message, /openai\/key "only": no secret stored for this key/);
    });

    it('says no route can serve an unknown model slug, and why each key is out', async () => {
      const { error } = await failure(router(), ask({ model: 'acme/nonexistent-model' }));
      assert.equal(error.kind, 'bad_request');
      assert.match(error.message, /no route can serve acme\/nonexistent-model .*openai does not serve acme\/nonexistent-model/);
    });

    it('bounds a 5 MB error code instead of printing it twice', async () => {
      sim.enqueue({ status: 429, errorBody: { error: { code: 'c'.repeat(5_000_000), message: 'slow down' } } });
      const { error, record } = await failure(router());
      assert.ok((error.code ?? '').length <= 200, `code of ${error.code?.length} characters`);
      assert.ok(error.message.length < 70_000, `message of ${error.message.length} characters`);
      assert.ok(JSON.stringify(record).length < 20_000, 'the record stays small');
    });

    it('refuses a model-map id that is a dot segment instead of sending it to another path', async () => {
      const { config } = parseConfig({
        pooled: { enabled: false },
        keys: [
          {
            id: 'k',
            provider: 'azure',
            name: 'only',
            tier: 'prioritized',
            options: { baseUrl: sim.baseUrl, apiVersion: '2024-10-21', deployments: { 'openai/gpt-4o-mini': '..' } },
          },
        ],
      });
      const before = sim.requests.length;
      const { error } = await failure(new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', 'sk-bad-input-0001']])) }));
      assert.equal(error.kind, 'bad_request');
      assert.match(error.message, /deployment "\.\." cannot be used in a request path/);
      assert.equal(sim.requests.length, before, 'nothing was sent');
    });

    it('fails a request held by an Always-use key without a value, naming the key and the remedy', async () => {
      const { config } = parseConfig({
        keys: [{ id: 'k', provider: 'openai', name: 'strict', tier: 'prioritized', alwaysUse: true, options: { baseUrl: sim.baseUrl } }],
      });
      const { error } = await failure(
        new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map(), new Map([['default', 'sk-or-bad-input-0001']])) }),
      );
      assert.equal(error.kind, 'policy');
      assert.match(error.message, /key "strict" keeps this request on your own keys, but it has no stored value: add its value/);
    });

    it('reads an HTML error page as a server error without dumping the page', async () => {
      sim.enqueue(sim.errors.htmlError(502));
      const { error } = await failure(router());
      assert.match(error.message, /HTTP 502.*HTML error page/);
      assert.doesNotMatch(error.message, /<html/);
    });

    it('reports a 200 answer that is not JSON as a malformed response', async () => {
      sim.enqueue({ status: 200, errorBody: 'Service temporarily unavailable, please retry', headers: { 'content-type': 'text/plain' } });
      const { error } = await failure(router());
      assert.equal(error.kind, 'server');
      assert.match(error.message, /malformed/);
    });

    it('refuses a gigantic non-streaming body beyond the body limit', async () => {
      sim.enqueue({ text: 'x'.repeat(300_000) });
      const { error } = await failure(router({ limits: { maxBodyBytes: 100_000 } }));
      assert.match(error.message, /exceeded the 100000-byte limit/);
    });

    it('refuses a gigantic SSE line beyond the event limit', async () => {
      sim.enqueue({ text: ['y'.repeat(200_000)] });
      const { error } = await failure(router({ limits: { maxEventBytes: 50_000 } }), ask({ stream: true }));
      assert.match(error.message, /a stream event exceeded the 50000-byte limit/);
    });

    it('decodes invalid UTF-8 in a stream to replacement characters instead of failing', async () => {
      // Raw bytes: a lone 0xFF inside the content string of an otherwise valid frame.
      const raw = await startSimServer((ex) => {
        ex.res.writeHead(200, { 'content-type': 'text/event-stream' });
        const frame = (o: unknown) => Buffer.from(`data: ${JSON.stringify(o)}\n\n`);
        const chunk = (delta: unknown, finish: string | null = null) => ({
          id: 'c',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta, finish_reason: finish }],
        });
        const bad = Buffer.from(`data: ${JSON.stringify(chunk({ content: 'cafX' }))}\n\n`);
        bad[bad.indexOf('cafX') + 3] = 0xff;
        ex.res.end(Buffer.concat([bad, frame(chunk({}, 'stop')), Buffer.from('data: [DONE]\n\n')]));
      });
      const { config } = parseConfig({
        pooled: { enabled: false },
        keys: [{ id: 'k', provider: 'openai', name: 'raw', tier: 'prioritized', options: { baseUrl: raw.url } }],
      });
      const r = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', 'sk-raw-0001']])) });
      try {
        const o = await r.generate(ask({ stream: true }));
        assert.ok(o.ok, !o.ok ? o.error.message : '');
        assert.equal(o.response.choices[0]!.message.content, 'caf\uFFFD');
      } finally {
        await r.close();
        await raw.close();
      }
    });

    it('passes broken tool-call JSON through verbatim for the caller to reject, without crashing', async () => {
      sim.enqueue({ toolCalls: [{ name: 'f', arguments: '{"a": 1,' }], finishReason: 'tool_calls' });
      const r = router();
      try {
        const o = await r.generate(ask({ stream: true }));
        assert.ok(o.ok);
        assert.equal(o.response.choices[0]!.message.tool_calls![0]!.function.arguments, '{"a": 1,');
      } finally {
        await r.close();
      }
    });

    it('reports a stream that ends without finishing as a network error', async () => {
      sim.enqueue({ text: ['a'], resetAfterChunks: 1 });
      const { error } = await failure(router(), ask({ stream: true }));
      assert.equal(error.kind, 'network');
    });
  });
});
