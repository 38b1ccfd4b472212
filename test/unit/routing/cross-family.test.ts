import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatChunk, ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { Router } from '../../../src/core/routing/router';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';
import { BEDROCK_TEST_CREDENTIALS, bedrockErrors, startBedrockSim, type BedrockSim } from '../../../src/sim/bedrock';
import { forwardTo, makeServiceAccount, startVertexSim, type VertexSim } from '../../../src/sim/vertex';
import { startGeminiSim, type GeminiSim } from '../../../src/sim/gemini';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const CLAUDE = 'anthropic/claude-sonnet-4.5';

describe('routing across adapter families', () => {
  let anthropic: AnthropicSim;
  let claudeBehindVertex: AnthropicSim;
  let bedrock: BedrockSim;
  let vertex: VertexSim;
  const account = makeServiceAccount({ project_id: 'proj-x' });

  before(async () => {
    [anthropic, claudeBehindVertex, bedrock] = await Promise.all([startAnthropicSim(), startAnthropicSim(), startBedrockSim()]);
    vertex = await startVertexSim({ accounts: [account.public], claude: forwardTo(claudeBehindVertex.url) });
  });
  after(async () => {
    await Promise.all([anthropic.close(), claudeBehindVertex.close(), bedrock.close(), vertex.close()]);
  });

  function router() {
    const { config, diagnostics } = parseConfig({
      providerOrder: ['anthropic', 'amazon-bedrock', 'google-vertex'],
      pooled: { enabled: false },
      keys: [
        {
          id: 'v',
          provider: 'google-vertex',
          name: 'vertex sa',
          tier: 'prioritized',
          options: { baseUrl: vertex.url, tokenUrl: vertex.tokenUrl, region: 'us-east5' },
        },
        {
          id: 'b',
          provider: 'amazon-bedrock',
          name: 'bedrock iam',
          tier: 'prioritized',
          options: { baseUrl: bedrock.url, region: bedrock.region, modelMap: { [CLAUDE]: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' } },
        },
        { id: 'a', provider: 'anthropic', name: 'anthropic direct', tier: 'prioritized', options: { baseUrl: anthropic.baseUrl } },
      ],
    });
    assert.deepEqual(diagnostics, []);
    const secrets = new MapSecretSource(
      new Map([
        ['a', 'sk-ant-api03-cross-family-0001'],
        ['b', JSON.stringify(BEDROCK_TEST_CREDENTIALS)],
        ['v', JSON.stringify(account.json)],
      ]),
    );
    return new Router({ config, catalog: bundledCatalog(), secrets });
  }

  for (const stream of [true, false]) {
    it(`falls over Anthropic → Bedrock → Vertex in plan order, each request in its own format and auth (${stream ? 'streaming' : 'non-streaming'})`, async () => {
      for (const s of [anthropic, claudeBehindVertex, bedrock, vertex]) s.requests.length = 0;
      anthropic.enqueue(anthropic.errors.overloaded());
      bedrock.enqueue(bedrockErrors.throttling());
      const r = router();
      const chunks: ChatChunk[] = [];
      const request: ChatRequest = {
        model: CLAUDE,
        stream,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello?' },
        ],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
      };
      try {
        const o = await r.generate(request, { onChunk: (c) => chunks.push(c) });
        assert.ok(o.ok, !o.ok ? o.error.message : '');
        assert.deepEqual(
          o.record.attempts.map((a) => `${a.provider}:${a.status}:${a.errorKind ?? 'ok'}`),
          ['anthropic:529:rate_limited', 'amazon-bedrock:429:rate_limited', 'google-vertex:200:ok'],
        );
        // Anthropic: x-api-key and the Messages body with a separate system prompt.
        const a = anthropic.requests[0]!;
        assert.equal(a.headers['x-api-key'], 'sk-ant-api03-cross-family-0001');
        assert.equal((a.json as any).system, 'Be brief.');
        // Bedrock: SigV4 over the Converse body.
        const b = bedrock.requests[0]!;
        assert.match(b.headers.authorization!, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
        assert.match(b.path, stream ? /\/converse-stream$/ : /\/converse$/);
        assert.deepEqual((b.json as any).system, [{ text: 'Be brief.' }]);
        // Vertex: a token exchange, then rawPredict with the Bearer token and no model in the body.
        const predict = vertex.requests.find((q) => q.path.includes(':'))!;
        assert.match(predict.path, new RegExp(`/publishers/anthropic/models/[^/]+:${stream ? 'streamRawPredict' : 'rawPredict'}$`));
        assert.match(predict.headers.authorization!, /^Bearer /);
        assert.equal((predict.json as any).model, undefined);
        assert.equal((predict.json as any).anthropic_version, 'vertex-2023-10-16');
        assert.ok(vertex.tokenExchanges >= 1);
        assert.ok((o.response.choices[0]!.message.content ?? '').length > 0);
        if (stream) assert.ok(chunks.length > 1);
      } finally {
        await r.close();
      }
    });
  }
});

describe('one conversation with a tool round trip through every family', () => {
  const sims: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  const ask = (model: string): ChatRequest => ({
    model,
    stream: true,
    messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ],
  });

  async function roundTrip(provider: string, model: string, options: Record<string, unknown>, secret: string, script: (toolTurn: boolean) => void) {
    const { config } = parseConfig({ pooled: { enabled: false }, keys: [{ id: 'k', provider, name: provider, tier: 'prioritized', options }] });
    const r = new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', secret]])) });
    try {
      script(true);
      const first = await r.generate(ask(model));
      assert.ok(first.ok, !first.ok ? `${provider}: ${first.error.message}` : '');
      const call = first.response.choices[0]!.message.tool_calls?.[0];
      assert.ok(call, `${provider} returned a tool call`);
      assert.equal(first.response.choices[0]!.finish_reason, 'tool_calls');
      script(false);
      const followUp: ChatRequest = {
        ...ask(model),
        messages: [
          ...ask(model).messages,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: '{"temp_c":3}' },
        ],
      };
      const second = await r.generate(followUp);
      assert.ok(second.ok, !second.ok ? `${provider}: ${second.error.message}` : '');
      return {
        call: { name: call.function.name, args: JSON.parse(call.function.arguments) },
        text: second.response.choices[0]!.message.content,
        finish: second.response.choices[0]!.finish_reason,
        usage: [first.response.usage!, second.response.usage!].map(
          (u) => u.prompt_tokens > 0 && u.completion_tokens > 0 && u.total_tokens === u.prompt_tokens + u.completion_tokens,
        ),
      };
    } finally {
      await r.close();
    }
  }

  it('yields the same normalised tool call, answer and usage from every family', async () => {
    const toolCalls = [{ name: 'get_weather', arguments: { city: 'Oslo' } }];
    const usage = { prompt_tokens: 20, completion_tokens: 8 };
    const openai: OpenAISim = await startOpenAISim({ flavor: 'openai' });
    const anthropic: AnthropicSim = await startAnthropicSim();
    const gemini: GeminiSim = await startGeminiSim();
    const bedrock: BedrockSim = await startBedrockSim();
    sims.push(openai, anthropic, gemini, bedrock);
    const turn = (s: { enqueue(x: any): unknown }) => (toolTurn: boolean) =>
      void s.enqueue(toolTurn ? { toolCalls, usage, finishReason: undefined } : { text: 'It is 3 °C in Oslo.', usage });
    const results = {
      openai: await roundTrip(
        'openai',
        'openai/gpt-4o-mini',
        { baseUrl: openai.baseUrl },
        'sk-conformance-0001',
        (t) => void openai.enqueue(t ? { toolCalls, usage, finishReason: 'tool_calls' } : { text: 'It is 3 °C in Oslo.', usage }),
      ),
      anthropic: await roundTrip('anthropic', 'anthropic/claude-haiku-4.5', { baseUrl: anthropic.baseUrl }, 'sk-ant-conformance-0002', turn(anthropic)),
      gemini: await roundTrip('google-ai-studio', 'google/gemini-2.5-flash', { baseUrl: gemini.baseUrl }, 'AIzaConformance0003', turn(gemini)),
      bedrock: await roundTrip(
        'amazon-bedrock',
        'anthropic/claude-sonnet-4.5',
        { baseUrl: bedrock.url, region: bedrock.region, modelMap: { [CLAUDE]: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' } },
        JSON.stringify(BEDROCK_TEST_CREDENTIALS),
        turn(bedrock),
      ),
    };
    for (const [family, r] of Object.entries(results)) {
      assert.deepEqual(r, { call: { name: 'get_weather', args: { city: 'Oslo' } }, text: 'It is 3 °C in Oslo.', finish: 'stop', usage: [true, true] }, family);
    }
    // Each family received the tool result in its own shape.
    assert.equal((openai.requests.at(-1)!.json as any).messages.at(-1).role, 'tool');
    assert.equal((anthropic.requests.at(-1)!.json as any).messages.at(-1).content[0].type, 'tool_result');
    assert.equal((gemini.requests.at(-1)!.json as any).contents.at(-1).parts[0].functionResponse.name, 'get_weather');
    assert.ok((bedrock.requests.at(-1)!.json as any).messages.at(-1).content[0].toolResult);
  });
});
