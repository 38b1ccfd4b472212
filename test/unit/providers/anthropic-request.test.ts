import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatRequest } from '../../../src/core/chat';
import { timeoutsSchema } from '../../../src/core/config/schema';
import { readBody, UndiciHttpClient } from '../../../src/core/http/client';
import { anthropicAdapter } from '../../../src/core/providers/anthropic';
import { buildMessagesBody, DEFAULT_MAX_TOKENS, VERTEX } from '../../../src/core/providers/anthropic/request';
import { ThinkingCache } from '../../../src/core/providers/anthropic/thinking-cache';
import type { AdapterCall } from '../../../src/core/providers/types';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function call(request: Partial<ChatRequest>, over: Partial<AdapterCall> = {}): AdapterCall {
  return {
    provider: 'anthropic',
    request: { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }], ...request } as ChatRequest,
    nativeModel: 'claude-sonnet-4-5',
    secret: 'sk-ant-test-0001',
    stream: false,
    options: {},
    ...over,
  };
}

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** Requests that exercise one translation rule each; every one must also be accepted by the simulator. */
const CASES: Record<string, () => AdapterCall> = {
  'system and developer messages': () =>
    call({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: 'Again' },
      ],
    }),
  'a tool loop with two calls, their results and a follow-up': () =>
    call({
      messages: [
        { role: 'user', content: 'Weather and time in Oslo?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'toolu_b', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_a', content: '3°C' },
        { role: 'tool', tool_call_id: 'toolu_b', content: [{ type: 'text', text: '14:02' }] },
        { role: 'user', content: 'Thanks. And tomorrow?' },
      ],
      tools: [weatherTool],
    }),
  'images by data URL and by http URL': () =>
    call({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    }),
  'tool choice forcing a function with parallel calls off': () =>
    call({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false }),
  'sampling knobs from the OpenAI ranges': () => call({ temperature: 1.7, top_p: 0.9, stop: 'END', user: 'user-42', max_completion_tokens: 300 }),
  'reasoning effort': () => call({ reasoning_effort: 'high', max_tokens: 8000, temperature: 0.3 } as Partial<ChatRequest>),
  'an assistant-first conversation with empty parts': () =>
    call({
      messages: [
        { role: 'assistant', content: 'Welcome!' },
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'Hi' },
          ],
        },
      ],
    }),
};

describe('Anthropic request translation', () => {
  it('gathers system and developer messages into the top-level system prompt', () => {
    const body = buildMessagesBody(CASES['system and developer messages']!());
    assert.equal(body.system, 'Be brief.\n\nAnswer in English.');
    assert.deepEqual(body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'text', text: 'Again' },
        ],
      },
    ]);
  });

  it('always sets max_tokens: the request, then the catalog offer or model, then 4096', () => {
    assert.equal(buildMessagesBody(call({ max_completion_tokens: 100, max_tokens: 200 })).max_tokens, 100);
    assert.equal(buildMessagesBody(call({ max_tokens: 200 })).max_tokens, 200);
    const model = bundledCatalog().get('anthropic/claude-sonnet-4.5')!;
    assert.equal(buildMessagesBody(call({}, { model })).max_tokens, model.maxOutput);
    const withOffer = { ...model, providers: { ...model.providers, anthropic: { ...model.providers.anthropic!, maxOutput: 8192 } } };
    assert.equal(buildMessagesBody(call({}, { model: withOffer })).max_tokens, 8192);
    assert.equal(buildMessagesBody(call({})).max_tokens, DEFAULT_MAX_TOKENS);
  });

  it('puts every tool result of a turn into one user message, ahead of the text that follows', () => {
    const body = buildMessagesBody(CASES['a tool loop with two calls, their results and a follow-up']!());
    const messages = body.messages as any[];
    assert.deepEqual(
      messages.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.deepEqual(messages[1].content, [
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: {} },
    ]);
    assert.deepEqual(messages[2].content, [
      { type: 'tool_result', tool_use_id: 'toolu_a', content: '3°C' },
      { type: 'tool_result', tool_use_id: 'toolu_b', content: '14:02' },
      { type: 'text', text: 'Thanks. And tomorrow?' },
    ]);
  });

  it('sends data-URL images as base64 and http images as url sources', () => {
    const [message] = buildMessagesBody(CASES['images by data URL and by http URL']!()).messages as any[];
    assert.deepEqual(message.content.slice(1), [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('maps tools and each tool_choice form', () => {
    const tools = [weatherTool];
    const choice = (r: Partial<ChatRequest>) => buildMessagesBody(call({ tools, ...r })).tool_choice;
    assert.deepEqual(buildMessagesBody(call({ tools })).tools, [
      { name: 'get_weather', description: 'Weather now', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    ]);
    assert.equal(choice({}), undefined);
    assert.deepEqual(choice({ tool_choice: 'auto' }), { type: 'auto' });
    assert.deepEqual(choice({ tool_choice: 'none' }), { type: 'none' });
    assert.deepEqual(choice({ tool_choice: 'required' }), { type: 'any' });
    assert.deepEqual(choice({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }), { type: 'tool', name: 'get_weather' });
    assert.deepEqual(choice({ parallel_tool_calls: false }), { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(choice({ tool_choice: 'required', parallel_tool_calls: false }), { type: 'any', disable_parallel_tool_use: true });
    assert.equal(buildMessagesBody(call({ tool_choice: 'auto' })).tool_choice, undefined, 'no tool_choice without tools');
  });

  it('gives a parameterless tool the empty object schema Claude requires', () => {
    const body = buildMessagesBody(call({ tools: [{ type: 'function', function: { name: 'now' } }] }));
    assert.deepEqual((body.tools as any[])[0], { name: 'now', input_schema: { type: 'object', properties: {} } });
  });

  it('clamps temperature to Claude’s 0–1 and renames stop and user', () => {
    const body = buildMessagesBody(CASES['sampling knobs from the OpenAI ranges']!());
    assert.equal(body.temperature, 1);
    assert.equal(body.top_p, 0.9);
    assert.deepEqual(body.stop_sequences, ['END']);
    assert.deepEqual(body.metadata, { user_id: 'user-42' });
    assert.equal(body.max_tokens, 300);
    for (const k of ['stop', 'user', 'max_completion_tokens', 'stream']) assert.equal(k in body, false, k);
  });

  it('turns reasoning effort into a thinking budget and drops the sampling knobs thinking forbids', () => {
    const body = buildMessagesBody(CASES['reasoning effort']!());
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 6400 });
    assert.equal(body.temperature, undefined);
    const forced = buildMessagesBody(call({ reasoning_effort: 'high', tools: [weatherTool], tool_choice: 'required' } as Partial<ChatRequest>));
    assert.equal(forced.thinking, undefined, 'a forced tool call cannot think');
    const tiny = buildMessagesBody(call({ reasoning_effort: 'low', max_tokens: 1000 } as Partial<ChatRequest>));
    assert.equal(tiny.thinking, undefined, 'no room for the 1024-token minimum budget');
  });

  it('opens an assistant-first conversation with a user turn and drops empty text', () => {
    const body = buildMessagesBody(CASES['an assistant-first conversation with empty parts']!());
    assert.deepEqual(
      (body.messages as any[]).map((m) => [m.role, m.content.map((b: any) => b.text)]),
      [
        ['user', ['(conversation start)']],
        ['assistant', ['Welcome!']],
        ['user', ['Hi']],
      ],
    );
  });

  it('keeps broken tool arguments from breaking the turn', () => {
    const body = buildMessagesBody(
      call({
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'ok' },
        ],
      }),
    );
    assert.deepEqual((body.messages as any[])[1].content, [{ type: 'tool_use', id: 't1', name: 'f', input: {} }]);
  });

  it('re-injects cached thinking before the tool calls it led to', () => {
    const cache = new ThinkingCache();
    cache.remember(
      ['toolu_a', 'toolu_b'],
      [
        { type: 'thinking', thinking: 'plan', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
      ],
    );
    const body = buildMessagesBody(CASES['a tool loop with two calls, their results and a follow-up']!(), undefined, cache);
    assert.deepEqual(
      (body.messages as any[])[1].content.slice(0, 3).map((b: any) => b.type),
      ['thinking', 'redacted_thinking', 'text'],
    );
  });

  it('builds the Vertex body without model and with its anthropic_version', () => {
    const body = buildMessagesBody(call({}, { stream: true }), VERTEX);
    assert.equal('model' in body, false);
    assert.equal(body.anthropic_version, 'vertex-2023-10-16');
    assert.equal(body.stream, true);
  });

  it('keeps cache_control on Claude on Vertex too, and the echoed thinking before the tool call', () => {
    const request = {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'w', arguments: '{}' } }],
          reasoning_details: [{ type: 'reasoning.text', text: 'look it up', signature: 'sig', format: 'anthropic-claude-v1' }],
        },
        { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'sunny', cache_control: { type: 'ephemeral' } }] },
      ],
    } as Partial<ChatRequest>;
    const body = buildMessagesBody(call(request), VERTEX, new ThinkingCache()) as any;
    assert.deepEqual(body.system, [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    assert.deepEqual(body.messages[1].content[0], { type: 'thinking', thinking: 'look it up', signature: 'sig' });
    assert.deepEqual(body.messages[2].content[0], { type: 'tool_result', tool_use_id: 't1', content: 'sunny', cache_control: { type: 'ephemeral' } });
  });

  describe('against the simulator, which validates like the real API', () => {
    let sim: AnthropicSim;
    const http = new UndiciHttpClient();
    before(async () => {
      sim = await startAnthropicSim({ validKeys: ['sk-ant-test-0001'] });
    });
    after(async () => {
      await sim.close();
      await http.close();
    });

    for (const [name, make] of Object.entries(CASES)) {
      it(`is accepted: ${name}`, async () => {
        const c = make();
        c.options = { baseUrl: sim.url };
        const res = await http.send(
          await anthropicAdapter('anthropic', { thinking: new ThinkingCache() }).buildRequest(c),
          timeoutsSchema.parse({}),
          new AbortController().signal,
        );
        const text = await readBody(res.body, 1 << 20);
        assert.equal(res.status, 200, text);
        assert.equal(JSON.parse(text).type, 'message');
      });
    }

    it('refuses what the adapter must never send', async () => {
      const send = async (body: unknown) => {
        const res = await http.send(
          {
            url: `${sim.url}/v1/messages`,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test-0001', 'anthropic-version': '2023-06-01' },
            body: JSON.stringify(body),
          },
          timeoutsSchema.parse({}),
          new AbortController().signal,
        );
        return { status: res.status, body: JSON.parse(await readBody(res.body, 1 << 20)) };
      };
      const ok = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
      const { max_tokens: _, ...noMax } = ok;
      const cases: [unknown, RegExp][] = [
        [noMax, /max_tokens: Field required/],
        [
          {
            ...ok,
            messages: [
              { role: 'user', content: 'a' },
              { role: 'user', content: 'b' },
            ],
          },
          /roles must alternate/,
        ],
        [{ ...ok, messages: [{ role: 'system', content: 'a' }] }, /messages\.0\.role/],
        [{ ...ok, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'r' }] }] }, /unexpected `tool_use_id`/],
        [{ ...ok, stream_options: { include_usage: true } }, /stream_options: Extra inputs/],
        [{ ...ok, temperature: 1.5 }, /temperature/],
      ];
      for (const [body, message] of cases) {
        const r = await send(body);
        assert.equal(r.status, 400);
        assert.equal(r.body.error.type, 'invalid_request_error');
        assert.match(r.body.error.message, message);
      }
    });
  });
});
