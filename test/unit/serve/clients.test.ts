import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFixture, SECRETS, POOLED, type Fixture } from './fixture';
import { DEFAULT_TEXT } from '../../../src/sim/anthropic';

const CLAUDE = 'anthropic/claude-sonnet-4.5';
const GPT = 'openai/gpt-4o-mini';
const GEMINI = 'google/gemini-2.5-flash';
const weather = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
};

describe('local endpoint served to the official SDKs', () => {
  let f: Fixture;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    f = await startFixture();
    openai = new OpenAI({ baseURL: f.endpoint.openAIBaseUrl, apiKey: f.tokens.dev, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: f.endpoint.anthropicBaseUrl, apiKey: f.tokens.dev, maxRetries: 0 });
  });
  after(() => f.close());
  beforeEach(() => f.resetSims());

  describe('OpenAI Chat Completions', () => {
    it('answers a non-streaming request from an OpenAI key and records surface endpoint and the client', async () => {
      const r = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(r.choices[0]!.message.content, f.openai.defaultText(SECRETS['oai-dev']));
      assert.equal(r.model, GPT);
      assert.equal(f.openai.keyOf(f.openai.requests[0]!), SECRETS['oai-dev']);
      await f.recordCount(1);
      assert.equal(f.records[0]!.surface, 'endpoint');
      assert.equal(f.records[0]!.client, 'OpenAI/JS');
      assert.equal(f.records[0]!.caller, 'dev');
    });

    it('streams from an Anthropic key, with usage at the end when include_usage asks for it', async () => {
      const stream = await openai.chat.completions.create({
        model: CLAUDE,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      let chunks = 0;
      for await (const c of stream) {
        chunks++;
        text += c.choices[0]?.delta.content ?? '';
        if (c.usage) usage = c.usage;
      }
      assert.equal(text, DEFAULT_TEXT);
      assert.ok(chunks > 2);
      assert.ok(usage && usage.completion_tokens > 0, 'a usage chunk');
      assert.equal((f.anthropic.requests[0]!.json as any).system, 'Be brief.');
      assert.equal(f.anthropic.requests[0]!.headers['x-api-key'], SECRETS['ant-dev']);
    });

    it('relays a 1,000-chunk burst whole and in order, each chunk its own event, with usage last', async () => {
      // Chunks read in one turn of the loop leave in one write; the client must still see each one.
      const words = Array.from({ length: 1000 }, (_, i) => `w${i} `);
      f.openai.enqueue({ text: words });
      const stream = await openai.chat.completions.create({
        model: GPT,
        messages: [{ role: 'user', content: 'Long answer' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const got: string[] = [];
      let usageAt = -1;
      let events = 0;
      for await (const c of stream) {
        const content = c.choices[0]?.delta.content;
        if (content) got.push(content);
        if (c.usage) usageAt = events;
        events++;
      }
      assert.deepEqual(got, words);
      assert.equal(usageAt, events - 1, 'usage comes once, after every content chunk');
    });
    it('carries tool calls out and tool results back, both served by Anthropic', async () => {
      f.anthropic.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const tools: OpenAI.ChatCompletionTool[] = [
        { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weather } },
      ];
      const stream = await openai.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools, stream: true });
      const calls: Record<number, { id?: string; name?: string; args: string }> = {};
      for await (const c of stream) {
        for (const t of c.choices[0]?.delta.tool_calls ?? []) {
          const e = (calls[t.index] ??= { args: '' });
          e.id ??= t.id;
          e.name ??= t.function?.name;
          e.args += t.function?.arguments ?? '';
        }
      }
      const call = calls[0]!;
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.args), { city: 'Oslo' });
      const second = await openai.chat.completions.create({
        model: CLAUDE,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          { role: 'assistant', content: null, tool_calls: [{ id: call.id!, type: 'function', function: { name: 'get_weather', arguments: call.args } }] },
          { role: 'tool', tool_call_id: call.id!, content: '12°C, rain' },
        ],
      });
      assert.equal(second.choices[0]!.message.content, DEFAULT_TEXT);
      const sent = f.anthropic.requests[1]!.json as any;
      const result = sent.messages[2].content[0];
      assert.equal(result.type, 'tool_result');
      assert.equal(result.tool_use_id, call.id);
    });

    it('fails over mid-plan from a rate-limited Anthropic key to pooled OpenRouter, visible in the record', async () => {
      f.anthropic.enqueue(f.anthropic.errors.rateLimited({ retryAfterSeconds: 5 }));
      const stream = await openai.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: 'Hi' }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      assert.equal(text, f.openrouter.defaultText(POOLED.dev));
      await f.recordCount(1);
      const r = f.records[0]!;
      assert.deepEqual(
        r.attempts.map((a) => `${a.provider}:${a.status}:${a.errorKind ?? 'ok'}`),
        ['anthropic:429:rate_limited', 'openrouter:200:ok'],
      );
      assert.equal(r.servedBy!.route, 'pooled');
      assert.equal(r.surface, 'endpoint');
    });

    it('maps a client model alias to its catalog slug', async () => {
      const r = await openai.chat.completions.create({ model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(r.model, 'claude-sonnet-4-5-20250929');
      assert.equal((f.anthropic.requests[0]!.json as any).model, 'claude-sonnet-4-5');
      await f.recordCount(1);
      assert.equal(f.records[0]!.model, CLAUDE);
    });

    it('lists the caller’s models in the OpenAI shape', async () => {
      const page = await openai.models.list();
      const ids = page.data.map((m) => m.id);
      assert.ok(ids.includes(CLAUDE) && ids.includes(GPT));
      assert.equal(page.data[0]!.object, 'model');
    });
  });

  describe('OpenAI Responses', () => {
    it('answers a non-streaming request from Gemini', async () => {
      const r = await openai.responses.create({ model: GEMINI, instructions: 'Be brief.', input: 'Hi' });
      assert.equal(r.output_text, f.gemini.defaultText(SECRETS.gem));
      assert.equal(r.status, 'completed');
      assert.equal((f.gemini.requests[0]!.json as any).systemInstruction.parts[0].text, 'Be brief.');
    });

    it('streams events and a function call from OpenAI, then takes its output back', async () => {
      f.openai.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Bergen' } }] });
      const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: weather, strict: false }];
      const stream = openai.responses.stream({ model: GPT, input: [{ role: 'user', content: 'Weather in Bergen?' }], tools });
      const types = new Set<string>();
      for await (const e of stream) types.add(e.type);
      const final = await stream.finalResponse();
      const call = final.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
      assert.ok(call, 'a function_call item');
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.arguments), { city: 'Bergen' });
      for (const t of [
        'response.created',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.output_item.done',
        'response.completed',
      ])
        assert.ok(types.has(t), t);

      const again = openai.responses.stream({
        model: GPT,
        tools,
        input: [
          { role: 'user', content: 'Weather in Bergen?' },
          { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
          { type: 'function_call_output', call_id: call.call_id, output: '9°C' },
        ],
      });
      let text = '';
      for await (const e of again) if (e.type === 'response.output_text.delta') text += e.delta;
      assert.equal(text, f.openai.defaultText(SECRETS['oai-dev']));
      assert.equal((await again.finalResponse()).output_text, text);
      const sent = f.openai.requests[1]!.json as any;
      assert.equal(sent.messages[1].tool_calls[0].id, call.call_id);
      assert.deepEqual(sent.messages[2], { role: 'tool', tool_call_id: call.call_id, content: '9°C' });
    });

    it('streams from Claude after failing over from a rate-limited Anthropic key', async () => {
      f.anthropic.enqueue(f.anthropic.errors.overloaded());
      const stream = openai.responses.stream({ model: CLAUDE, input: 'Hi' });
      const final = await stream.finalResponse();
      assert.equal(final.output_text, f.openrouter.defaultText(POOLED.dev));
      await f.recordCount(1);
      assert.deepEqual(
        f.records[0]!.attempts.map((a) => a.provider),
        ['anthropic', 'openrouter'],
      );
    });
  });

  describe('Anthropic Messages', () => {
    it('answers a non-streaming request from Anthropic with the system prompt carried', async () => {
      const m = await anthropic.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      assert.equal(m.content[0]!.type, 'text');
      assert.equal((m.content[0] as Anthropic.TextBlock).text, DEFAULT_TEXT);
      assert.equal(m.stop_reason, 'end_turn');
      assert.equal((f.anthropic.requests[0]!.json as any).system, 'Be brief.');
      await f.recordCount(1);
      assert.equal(f.records[0]!.client, 'Anthropic/JS');
    });

    it('streams message_start … message_stop from Gemini', async () => {
      const stream = anthropic.messages.stream({ model: GEMINI, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
      const events: string[] = [];
      stream.on('streamEvent', (e) => events.push(e.type));
      const m = await stream.finalMessage();
      assert.equal((m.content[0] as Anthropic.TextBlock).text, f.gemini.defaultText(SECRETS.gem));
      assert.equal(events[0], 'message_start');
      assert.equal(events.at(-1), 'message_stop');
      assert.ok(events.includes('content_block_delta') && events.includes('message_delta'));
      assert.ok(m.usage.output_tokens > 0);
    });

    it('runs a tool round trip served by OpenAI: tool_use out, tool_result back', async () => {
      f.openai.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Tromsø' } }] });
      const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather', input_schema: weather as Anthropic.Tool.InputSchema }];
      const first = await anthropic.messages
        .stream({ model: GPT, max_tokens: 200, tools, messages: [{ role: 'user', content: 'Weather in Tromsø?' }] })
        .finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
      assert.deepEqual(use.input, { city: 'Tromsø' });
      const second = await anthropic.messages.create({
        model: GPT,
        max_tokens: 200,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Tromsø?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '-3°C, snow' }] },
        ],
      });
      assert.equal((second.content[0] as Anthropic.TextBlock).text, f.openai.defaultText(SECRETS['oai-dev']));
      const sent = f.openai.requests[1]!.json as any;
      assert.equal(sent.messages[1].tool_calls[0].id, use.id);
      assert.deepEqual(sent.messages[2], { role: 'tool', tool_call_id: use.id, content: '-3°C, snow' });
    });

    it('streams thinking blocks when the served family returns reasoning', async () => {
      f.anthropic.enqueue({ reasoning: 'Let me think.', text: 'Done.' });
      const m = await anthropic.messages
        .stream({ model: CLAUDE, max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 }, messages: [{ role: 'user', content: 'Think' }] })
        .finalMessage();
      assert.equal(m.content[0]!.type, 'thinking');
      assert.equal((m.content[0] as Anthropic.ThinkingBlock).thinking, 'Let me think.');
      assert.equal((m.content[1] as Anthropic.TextBlock).text, 'Done.');
      assert.deepEqual((f.anthropic.requests[0]!.json as any).thinking, { type: 'enabled', budget_tokens: 2000 });
    });

    it('fails over from an overloaded Anthropic key to pooled OpenRouter mid-plan', async () => {
      f.anthropic.enqueue(f.anthropic.errors.overloaded());
      const m = await anthropic.messages.stream({ model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
      assert.equal((m.content[0] as Anthropic.TextBlock).text, f.openrouter.defaultText(POOLED.dev));
      await f.recordCount(1);
      assert.deepEqual(
        f.records[0]!.attempts.map((a) => `${a.provider}:${a.ok}`),
        ['anthropic:false', 'openrouter:true'],
      );
    });

    it('estimates input tokens for count_tokens', async () => {
      const r = await anthropic.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'x'.repeat(400) }] });
      assert.ok(r.input_tokens >= 100 && r.input_tokens < 200, String(r.input_tokens));
    });

    it('lists models in the Anthropic shape', async () => {
      const page = await anthropic.models.list();
      assert.ok(page.data.some((m) => m.id === CLAUDE && m.type === 'model' && m.display_name === 'Claude Sonnet 4.5'));
    });
  });

  describe('errors in each API’s own shape', () => {
    it('gives 429 with Retry-After and the route trail when every route is rate-limited', async () => {
      f.anthropic.enqueue(f.anthropic.errors.overloaded());
      f.openrouter.enqueue(f.openrouter.errors.rateLimited(7));
      await assert.rejects(anthropic.messages.create({ model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }), (e: any) => {
        assert.equal(e.status, 429);
        assert.equal(e.error.type, 'error');
        assert.equal(e.error.error.type, 'rate_limit_error');
        assert.match(e.error.error.message, /anthropic\/key "claude dev".*pooled \(OpenRouter, caller "dev"\)/);
        assert.equal(e.headers.get('retry-after'), '7');
        return true;
      });
    });

    it('gives 502 in the OpenAI shape when every upstream fails', async () => {
      f.openai.enqueue(f.openai.errors.serverError(500));
      f.openrouter.enqueue(f.openrouter.errors.serverError(500));
      await assert.rejects(openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Hi' }] }), (e: any) => {
        assert.equal(e.status, 502);
        assert.equal(e.error.type, 'server_error');
        assert.match(e.error.message, /all routes failed for openai\/gpt-4o-mini/);
        return true;
      });
    });

    it('gives 504 when the upstream times out', async () => {
      const slow = await startFixture({}, { pooled: { enabled: false }, timeouts: { firstByteMs: 200 } });
      try {
        slow.openai.setDefault({ delayBeforeHeadersMs: 2000 });
        const c = new OpenAI({ baseURL: slow.endpoint.openAIBaseUrl, apiKey: slow.tokens.dev, maxRetries: 0 });
        await assert.rejects(c.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Hi' }] }), (e: any) => e.status === 504);
      } finally {
        await slow.close();
      }
    });

    it('gives 400 for a body the API would refuse, and 404 for an unknown model and an unknown route', async () => {
      await assert.rejects(
        anthropic.messages.create({ model: CLAUDE, messages: [{ role: 'user', content: 'Hi' }] } as any),
        (e: any) => e.status === 400 && e.error.error.type === 'invalid_request_error' && /max_tokens/.test(e.error.error.message),
      );
      const noPool = await startFixture({}, { pooled: { enabled: false } });
      try {
        const c = new OpenAI({ baseURL: noPool.endpoint.openAIBaseUrl, apiKey: noPool.tokens.dev, maxRetries: 0 });
        await assert.rejects(
          c.chat.completions.create({ model: 'nobody/no-such-model', messages: [{ role: 'user', content: 'Hi' }] }),
          (e: any) => e.status === 404 && e.error.code === 'model_not_found',
        );
      } finally {
        await noPool.close();
      }
      const r = await fetch(`${f.endpoint.openAIBaseUrl}/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${f.tokens.dev}` }, body: '{}' });
      assert.equal(r.status, 404);
      assert.match(((await r.json()) as any).error.message, /no route POST \/v1\/embeddings/);
    });
  });
});
