import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { MapSecretSource } from '../../../src/core/ports';
import { COMPAT_ROWS, type CompatProvider } from '../../../src/core/providers/openai-compatible';
import { validateKey } from '../../../src/core/providers/validate';
import { Router } from '../../../src/core/routing/router';
import { FLAVOR_SPECS } from '../../../src/sim/openai-flavors';
import { ALL_FLAVORS, startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

/**
 * The table-driven pass over the whole OpenAI-compatible family: every row of COMPAT_ROWS meets
 * its own simulator (hand-written flavor or data profile) and must answer, stream, call a tool,
 * and classify that provider's 401, 429 (with its own way of saying how long to wait) and 5xx.
 */
const ROWS = Object.keys(COMPAT_ROWS) as CompatProvider[];
const GOOD = 'sk-good-key-00001234';
const BAD = 'sk-revoked-key-0009999';
const WAIT_S = 7;

const tools: ChatRequest['tools'] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

function ask(stream: boolean, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'test/model', stream, messages: [{ role: 'user', content: 'Weather in Oslo?' }], max_completion_tokens: 32, ...extra };
}

describe('every OpenAI-compatible provider row against its simulator', () => {
  it('has a simulator for every row and a row for every simulator', () => {
    assert.deepEqual([...ROWS].sort(), [...ALL_FLAVORS].sort());
  });

  const http = new UndiciHttpClient();
  const timeouts = parseConfig({}).config.timeouts;
  after(() => http.close());

  for (const provider of ROWS) {
    describe(provider, () => {
      const row = COMPAT_ROWS[provider];
      const spec = FLAVOR_SPECS[provider];
      let sim: OpenAISim;
      before(async () => {
        sim = await startOpenAISim({ flavor: provider, validKeys: [GOOD] });
      });
      after(() => sim.close());
      beforeEach(() => {
        sim.requests.length = 0;
      });

      const options = () =>
        provider === 'azure'
          ? { baseUrl: sim.baseUrl, deployments: { 'test/model': spec.models[0]! } }
          : { baseUrl: sim.baseUrl, modelMap: { 'test/model': spec.models[0]! } };

      async function run(request: ChatRequest, secret = GOOD) {
        const { config, diagnostics } = parseConfig({
          keys: [{ id: 'k', provider, name: provider, tier: 'prioritized', options: options() }],
          pooled: { enabled: false },
        });
        assert.deepEqual(diagnostics, []);
        const router = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', secret]])) });
        try {
          return await router.generate(request);
        } finally {
          await router.close();
        }
      }

      it(`answers through ${provider}'s real path with its auth header`, async () => {
        // The simulator sits at the provider's real base path; Azure's come from the key's resource.
        if (row.baseUrl) assert.equal(new URL(row.baseUrl).pathname.replace(/\/$/, ''), spec.basePath);
        const o = await run(ask(false));
        assert.ok(o.ok, !o.ok ? o.error.message : '');
        assert.equal(o.response.choices[0]!.message.content, sim.defaultText(GOOD));
        assert.ok((o.response.usage?.prompt_tokens ?? 0) > 0);
        const sent = sim.requests[0]!;
        assert.ok(sent.path.endsWith('/chat/completions'), sent.path);
        if (row.auth === 'api-key') assert.equal(sent.headers['api-key'], GOOD);
        else assert.equal(sent.headers.authorization, `Bearer ${GOOD}`);
        assert.equal((sent.json as any).model, spec.models[0]);
      });

      it(`classifies ${provider}'s refusal of a revoked key as auth`, async () => {
        const o = await run(ask(false), BAD);
        assert.equal(o.ok, false);
        assert.equal(o.record.attempts[0]!.errorKind, 'auth', o.record.attempts[0]!.message);
      });

      it(`classifies ${provider}'s refusal of a revoked key on a streamed request as auth`, async () => {
        const o = await run(ask(true), BAD);
        assert.equal(o.ok, false);
        assert.equal(o.record.attempts[0]!.errorKind, 'auth', o.record.attempts[0]!.message);
      });

      it(`classifies ${provider}'s rate limit and reads its wait (${spec.retryAfter})`, async () => {
        sim.enqueue(sim.errors.rateLimited(WAIT_S));
        const o = await run(ask(false));
        const attempt = o.record.attempts[0]!;
        assert.equal(attempt.errorKind, 'rate_limited', attempt.message);
        if (spec.retryAfter === 'none') assert.equal(attempt.retryAfterMs, undefined);
        else if (spec.retryAfter === 'http-date') assert.ok(attempt.retryAfterMs! > (WAIT_S - 2) * 1000 && attempt.retryAfterMs! <= (WAIT_S + 1) * 1000);
        else assert.equal(attempt.retryAfterMs, WAIT_S * 1000);
      });

      it(`classifies ${provider}'s server error as server`, async () => {
        sim.enqueue(sim.errors.serverError());
        const o = await run(ask(false));
        assert.equal(o.record.attempts[0]!.errorKind, 'server', o.record.attempts[0]!.message);
      });

      it(`streams ${provider}'s answer to the end with usage`, async () => {
        sim.enqueue({ text: ['Hel', 'lo ', 'Oslo'] });
        const o = await run(ask(true));
        assert.ok(o.ok, !o.ok ? o.error.message : '');
        assert.equal(o.response.choices[0]!.message.content, 'Hello Oslo');
        assert.equal(o.response.choices[0]!.finish_reason, 'stop');
        assert.ok((o.response.usage?.completion_tokens ?? 0) > 0, `${provider} streams usage where it puts it`);
      });

      it(`carries a streamed tool call from ${provider}`, async () => {
        if (!row.tools) {
          // A provider without tools gets none, and answers in text.
          sim.enqueue({ text: 'No tools here.' });
          const o = await run(ask(true, { tools }));
          assert.ok(o.ok, !o.ok ? o.error.message : '');
          assert.equal((sim.requests[0]!.json as any).tools, undefined);
          return;
        }
        sim.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
        const o = await run(ask(true, { tools, tool_choice: 'auto' }));
        assert.ok(o.ok, !o.ok ? o.error.message : '');
        const call = o.response.choices[0]!.message.tool_calls?.[0];
        assert.equal(call?.function.name, 'get_weather');
        assert.deepEqual(JSON.parse(call!.function.arguments), { city: 'Oslo' });
        assert.equal(o.response.choices[0]!.finish_reason, 'tool_calls');
        assert.equal((sim.requests[0]!.json as any).tools[0].function.name, 'get_weather');
      });

      it(`checks a ${provider} key with its ${row.keyCheck.kind} key check`, async () => {
        const target = { provider, options: options(), name: provider };
        const good = await validateKey(target, GOOD, { http, timeouts });
        const bad = await validateKey(target, BAD, { http, timeouts });
        if (row.keyCheck.kind === 'none') {
          assert.equal(good.verdict, 'unknown');
          assert.equal(sim.requests.length, 0);
          return;
        }
        assert.equal(good.verdict, 'ok', good.message);
        assert.equal(bad.verdict, 'auth', bad.message);
        if (row.keyCheck.kind === 'chat') {
          const body = sim.requests[0]!.json as any;
          assert.equal(body.model, row.keyCheck.model);
          assert.equal(body[row.maxTokensField], 1, 'the check spends one output token at most');
        }
      });
    });
  }
});
