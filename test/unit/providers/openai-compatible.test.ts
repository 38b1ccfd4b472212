import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { Router } from '../../../src/core/routing/router';
import { UndiciHttpClient } from '../../../src/core/http/client';
import { validateKey } from '../../../src/core/providers/validate';
import { startOpenAISim, type Flavor, type OpenAISim } from '../../../src/sim/openai';

const FLAVORS: Exclude<Flavor, 'openrouter'>[] = ['openai', 'azure', 'mistral', 'groq', 'xai', 'deepseek', 'together', 'fireworks', 'cerebras', 'perplexity'];

/** A conversation that trips every documented quirk of the family at once. */
const conversation = (stream: boolean): ChatRequest =>
  ({
    model: 'test/model',
    stream,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Oslo?', name: 'alice' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_0123456789abcdef', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_0123456789abcdef', content: '{"temp":3}' },
      { role: 'user', content: 'And tomorrow?' },
    ],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: 'required',
    max_completion_tokens: 64,
    seed: 7,
    frequency_penalty: 0.1,
    parallel_tool_calls: false,
    logprobs: true,
    logit_bias: { '50256': -100 },
  }) as ChatRequest;

describe('OpenAI-compatible family against each provider simulator', () => {
  const sims = new Map<Flavor, OpenAISim>();
  before(async () => {
    for (const f of FLAVORS) sims.set(f, await startOpenAISim({ flavor: f }));
  });
  after(async () => {
    await Promise.all([...sims.values()].map((s) => s.close()));
  });

  function routerFor(flavor: Flavor) {
    const sim = sims.get(flavor)!;
    sim.requests.length = 0;
    const options =
      flavor === 'azure'
        ? { baseUrl: sim.baseUrl, deployments: { 'test/model': 'gpt-4o-mini' } }
        : { baseUrl: sim.baseUrl, modelMap: { 'test/model': `native-${flavor}` } };
    const { config } = parseConfig({ keys: [{ id: `k-${flavor}`, provider: flavor, name: flavor, tier: 'prioritized', options }], pooled: { enabled: false } });
    return {
      sim,
      router: new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([[`k-${flavor}`, `secret-${flavor}-abcd1234`]])) }),
    };
  }

  for (const flavor of FLAVORS) {
    for (const stream of [false, true]) {
      it(`sends ${flavor} a request it accepts and normalises its ${stream ? 'stream' : 'answer'}`, async () => {
        const { sim, router } = routerFor(flavor);
        try {
          const o = await router.generate(conversation(stream));
          assert.ok(o.ok, !o.ok ? o.error.message : '');
          assert.equal(o.response.object, 'chat.completion');
          assert.ok((o.response.choices[0]!.message.content ?? '').length > 0);
          assert.ok(o.response.usage && o.response.usage.prompt_tokens > 0, `${flavor} reports usage`);
          const sent = sim.requests[0]!;
          const body = sent.json as Record<string, any>;
          if (flavor === 'azure') {
            assert.equal(sent.headers['api-key'], 'secret-azure-abcd1234');
            assert.equal(sent.headers.authorization, undefined);
            assert.equal(body.model, 'gpt-4o-mini', 'Azure gets the deployment name');
          } else {
            assert.equal(sent.headers.authorization, `Bearer secret-${flavor}-abcd1234`);
            assert.equal(body.model, `native-${flavor}`);
          }
          if (flavor === 'mistral') {
            assert.equal(body.max_tokens, 64);
            assert.equal(body.random_seed, 7);
            assert.equal(body.tool_choice, 'any');
            assert.match(body.messages[2].tool_calls[0].id, /^[A-Za-z0-9]{9}$/);
            assert.equal(body.messages[3].tool_call_id, body.messages[2].tool_calls[0].id);
          }
          if (flavor === 'perplexity') {
            assert.equal(body.tools, undefined);
            assert.deepEqual(
              body.messages.map((m: any) => m.role),
              ['system', 'user', 'assistant', 'user'],
            );
          }
          if (flavor === 'openai') {
            assert.equal(body.max_completion_tokens, 64);
            assert.equal(body.logprobs, true);
          }
          if (flavor === 'groq' || flavor === 'cerebras') assert.equal(body.logit_bias, undefined);
        } finally {
          await router.close();
        }
      });
    }
  }

  it('classifies an xAI bad key, answered with 400, as auth', async () => {
    const { sim, router } = routerFor('xai');
    sim.validKeys.add('another-key');
    try {
      const o = await router.generate(conversation(false));
      assert.equal(o.record.attempts[0]!.errorKind, 'auth');
    } finally {
      sim.validKeys.clear();
      await router.close();
    }
  });

  it('reads an HTML error page as a server error with a plain message', async () => {
    const { sim, router } = routerFor('perplexity');
    sim.enqueue(sim.errors.htmlError(502));
    try {
      const o = await router.generate(conversation(false));
      assert.equal(o.record.attempts[0]!.errorKind, 'server');
      assert.match(o.record.attempts[0]!.message!, /HTML error page/);
    } finally {
      await router.close();
    }
  });

  describe('key validation', () => {
    const http = new UndiciHttpClient();
    const timeouts = parseConfig({}).config.timeouts;
    after(() => http.close());

    it('answers ok for a key the provider accepts, using its models endpoint', async () => {
      const sim = sims.get('groq')!;
      sim.requests.length = 0;
      const v = await validateKey({ provider: 'groq', options: { baseUrl: sim.baseUrl }, name: 'g' }, 'gsk-good', { http, timeouts });
      assert.equal(v.verdict, 'ok');
      assert.equal(sim.requests[0]!.path, '/openai/v1/models');
    });

    it('answers auth with a hint for a key the provider refuses', async () => {
      const sim = sims.get('openai')!;
      sim.validKeys.add('the-only-good-key');
      try {
        const v = await validateKey({ provider: 'openai', options: { baseUrl: sim.baseUrl }, name: 'o' }, 'sk-bad-key-123456789', { http, timeouts });
        assert.equal(v.verdict, 'auth');
        assert.match(v.message, /rotate the key/);
      } finally {
        sim.validKeys.clear();
      }
    });

    it('answers rate_limited when the check itself is rate-limited', async () => {
      const sim = sims.get('mistral')!;
      sim.enqueue(sim.errors.rateLimited(3));
      const v = await validateKey({ provider: 'mistral', options: { baseUrl: sim.baseUrl }, name: 'm' }, 'm-key-123', { http, timeouts });
      assert.equal(v.verdict, 'rate_limited');
    });

    it('answers network when nothing listens at the endpoint', async () => {
      const v = await validateKey({ provider: 'openai', options: { baseUrl: 'http://127.0.0.1:9/v1' }, name: 'o' }, 'sk-x-123456', { http, timeouts });
      assert.equal(v.verdict, 'network');
      assert.match(v.message, /check the endpoint/);
    });

    it('answers unknown for Perplexity, which has no free endpoint', async () => {
      const v = await validateKey({ provider: 'perplexity', options: {}, name: 'p' }, 'pplx-123456', { http, timeouts });
      assert.equal(v.verdict, 'unknown');
    });

    it('checks an OpenRouter key at its key-info endpoint', async () => {
      const or = await startOpenAISim({ flavor: 'openrouter' });
      try {
        const v = await validateKey({ provider: 'openrouter', options: {}, name: 'dev' }, 'sk-or-v1-abc', { http, timeouts, baseUrl: or.baseUrl });
        assert.equal(v.verdict, 'ok');
        assert.equal(or.requests[0]!.path, '/api/v1/key');
      } finally {
        await or.close();
      }
    });
  });
});

describe('Azure deployments', () => {
  let sim: OpenAISim;
  before(async () => {
    sim = await startOpenAISim({ flavor: 'azure', deployments: ['gpt4o-prod'] });
  });
  after(() => sim.close());

  function route(options: Record<string, unknown>) {
    sim.requests.length = 0;
    const { config, diagnostics } = parseConfig({
      pooled: { enabled: false },
      keys: [{ id: 'az', provider: 'azure', name: 'azure', tier: 'prioritized', options }],
    });
    assert.deepEqual(diagnostics, []);
    return new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['az', 'azure-key-0123456789']])) });
  }

  it('calls the dated deployments endpoint with api-version and the api-key header', async () => {
    const r = route({ baseUrl: sim.url, apiVersion: '2024-10-21', deployments: { 'openai/gpt-4o': 'gpt4o-prod' } });
    try {
      const o = await r.generate({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, max_completion_tokens: 20 });
      assert.ok(o.ok, !o.ok ? o.error.message : '');
      const sent = sim.requests[0]!;
      assert.equal(sent.path, '/openai/deployments/gpt4o-prod/chat/completions');
      assert.equal(sent.query['api-version'], '2024-10-21');
      assert.equal(sent.headers['api-key'], 'azure-key-0123456789');
      assert.deepEqual((sent.json as any).stream_options, { include_usage: true });
      assert.ok(o.response.usage, 'usage arrives despite the prompt-filter preamble chunk');
    } finally {
      await r.close();
    }
  });

  it('uses max_tokens and no stream_options on a dated version older than 2024-09-01', async () => {
    const r = route({ baseUrl: sim.url, apiVersion: '2024-02-01', deployments: { 'openai/gpt-4o': 'gpt4o-prod' } });
    try {
      await r.generate({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, max_completion_tokens: 20 });
      const body = sim.requests[0]!.json as any;
      assert.equal(body.max_tokens, 20);
      assert.equal(body.max_completion_tokens, undefined);
      assert.equal(body.stream_options, undefined);
    } finally {
      await r.close();
    }
  });

  it('stops on an unknown deployment as a bad request', async () => {
    const r = route({ baseUrl: sim.url, apiVersion: '2024-10-21', deployments: { 'openai/gpt-4o': 'no-such-deployment' } });
    try {
      const o = await r.generate({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(!o.ok && o.error.kind, 'bad_request');
      assert.match(!o.ok ? o.error.message : '', /DeploymentNotFound/);
    } finally {
      await r.close();
    }
  });
});
