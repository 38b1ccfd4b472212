/**
 * Contract: the wire samples in test/fixtures/anthropic replayed byte for byte over loopback HTTP
 * (and re-cut into 1-byte pieces and CRLF line ends), and the exact canonical chunks they become.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatChunk } from '../../../src/core/chat';
import { limitsSchema, timeoutsSchema } from '../../../src/core/config/schema';
import { isRouteFailure } from '../../../src/core/errors';
import { readBody, UndiciHttpClient } from '../../../src/core/http/client';
import { anthropicAdapter } from '../../../src/core/providers/anthropic';
import { ThinkingCache } from '../../../src/core/providers/anthropic/thinking-cache';
import type { AdapterCall } from '../../../src/core/providers/types';
import { CompletionBuilder } from '../../../src/core/routing/completion-builder';
import { startSimServer, type SimServer } from '../../../src/sim/server';

const FIXTURES = path.join(__dirname, '../../fixtures/anthropic');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const limits = limitsSchema.parse({});

const call: AdapterCall = {
  provider: 'anthropic',
  request: { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'hi' }] },
  nativeModel: 'claude-sonnet-4-5',
  secret: 'sk-ant-test',
  stream: true,
  options: {},
};

/** The chunks without `created`, which is the time of reading. */
function plain(chunks: ChatChunk[]) {
  return chunks.map(({ created: _, object, ...rest }) => {
    assert.equal(object, 'chat.completion.chunk');
    return rest;
  });
}

async function collect(body: AsyncIterable<Uint8Array>, cache = new ThinkingCache()): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of anthropicAdapter('anthropic', { thinking: cache }).streamChunks(body, call, limits)) out.push(c);
  return out;
}

async function* pieces(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const crlf = (bytes: Buffer) => Buffer.from(bytes.toString('utf8').replace(/\n/g, '\r\n'));

const TEXT_ID = 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY';
const MODEL = 'claude-sonnet-4-5-20250929';
const c = (id: string, delta: ChatChunk['choices'][0]['delta'], finish: ChatChunk['choices'][0]['finish_reason'] = null, usage?: ChatChunk['usage']) => ({
  id,
  model: MODEL,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...(usage ? { usage } : {}),
});

const EXPECTED_TEXT = [
  c(TEXT_ID, { role: 'assistant' }),
  c(TEXT_ID, { content: 'Hello' }),
  c(TEXT_ID, { content: '!' }),
  c(TEXT_ID, {}, 'stop', { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 }),
];

const TOOL_ID = 'msg_014p7gG3wDgGV9EUtLvnow3U';
const EXPECTED_TOOL = [
  c(TOOL_ID, { role: 'assistant' }),
  c(TOOL_ID, { content: 'Okay' }),
  c(TOOL_ID, { content: ", let's check the weather for San Francisco, CA:" }),
  c(TOOL_ID, { tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  c(TOOL_ID, { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
  c(TOOL_ID, { tool_calls: [{ index: 0, function: { arguments: ' "San Francisc' } }] }),
  c(TOOL_ID, { tool_calls: [{ index: 0, function: { arguments: 'o, CA", "unit": "fahrenheit"}' } }] }),
  c(TOOL_ID, {}, 'tool_calls', { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 }),
];

describe('Anthropic wire contract (fixtures replayed)', () => {
  let server: SimServer;
  const http = new UndiciHttpClient();
  before(async () => {
    // Serves a fixture's bytes exactly as stored, as the event stream of a 200.
    server = await startSimServer((ex) => {
      const name = ex.req.path.slice(1);
      ex.res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/json' : 'text/event-stream' });
      ex.res.end(fixture(name));
    });
  });
  after(async () => {
    await server.close();
    await http.close();
  });

  async function overHttp(name: string) {
    const res = await http.send({ url: `${server.url}/${name}`, method: 'GET', headers: {} }, timeoutsSchema.parse({}), new AbortController().signal);
    assert.equal(res.status, 200);
    return res.body;
  }

  it('turns the basic text stream into a role chunk, two content deltas and a finish with usage', async () => {
    assert.deepEqual(plain(await collect(await overHttp('stream-text.sse'))), EXPECTED_TEXT);
  });

  it('reads the same chunks when the stream arrives one byte at a time or with CRLF line ends', async () => {
    assert.deepEqual(plain(await collect(pieces(fixture('stream-text.sse'), 1))), EXPECTED_TEXT);
    assert.deepEqual(plain(await collect(pieces(crlf(fixture('stream-tool-use.sse')), 7))), EXPECTED_TOOL);
  });

  it('streams a tool call as one opening delta with id and name, then argument fragments', async () => {
    const chunks = await collect(await overHttp('stream-tool-use.sse'));
    assert.deepEqual(plain(chunks), EXPECTED_TOOL);
    const b = new CompletionBuilder();
    for (const ch of chunks) b.add(ch);
    const message = b.build('anthropic/claude-sonnet-4.5', Date.now()).choices[0]!.message;
    assert.deepEqual(JSON.parse(message.tool_calls![0]!.function.arguments), { location: 'San Francisco, CA', unit: 'fahrenheit' });
  });

  it('numbers tool calls apart from content blocks, streams thinking as reasoning, sends the signed blocks out and caches them', async () => {
    const cache = new ThinkingCache();
    const chunks = await collect(await overHttp('stream-thinking-tool-use.sse'), cache);
    const id = 'msg_01ThinkToolSim000000000001';
    assert.deepEqual(plain(chunks), [
      c(id, { role: 'assistant' }),
      c(id, { reasoning: 'The user wants the weather.' }),
      c(id, { reasoning: ' I should call get_weather.' }),
      c(id, { tool_calls: [{ index: 0, id: 'toolu_01ThinkToolSim00000000001', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      c(id, { tool_calls: [{ index: 0, function: { arguments: '{"location": "Oslo"}' } }] }),
      c(id, { tool_calls: [{ index: 1, id: 'toolu_01ThinkToolSim00000000002', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
      c(id, { tool_calls: [{ index: 1, function: { arguments: '{"tz": "Europe/Oslo"}' } }] }),
      c(
        id,
        {
          reasoning_details: [
            {
              type: 'reasoning.text',
              text: 'The user wants the weather. I should call get_weather.',
              signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
              format: 'anthropic-claude-v1',
            },
            { type: 'reasoning.encrypted', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP', format: 'anthropic-claude-v1' },
          ],
        },
        'tool_calls',
        {
          prompt_tokens: 120 + 2048 + 4096,
          completion_tokens: 140,
          total_tokens: 120 + 2048 + 4096 + 140,
          prompt_tokens_details: { cached_tokens: 4096, cache_write_tokens: 2048 },
        },
      ),
    ]);
    const expectedBlocks = [
      {
        type: 'thinking',
        thinking: 'The user wants the weather. I should call get_weather.',
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
      },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' },
    ];
    assert.deepEqual(cache.recall(['toolu_01ThinkToolSim00000000002']), expectedBlocks);
    assert.deepEqual(cache.recall(['toolu_01ThinkToolSim00000000001']), expectedBlocks);
  });

  it('raises an event: error mid-stream as a rate_limited failure after the text already read', async () => {
    const seen: ChatChunk[] = [];
    await assert.rejects(
      async () => {
        for await (const ch of anthropicAdapter('anthropic', { thinking: new ThinkingCache() }).streamChunks(
          await overHttp('stream-overloaded.sse'),
          call,
          limits,
        ))
          seen.push(ch);
      },
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'rate_limited' && e.error.code === 'overloaded_error' && /Overloaded/.test(e.error.message),
    );
    assert.deepEqual(
      seen.map((ch) => ch.choices[0]!.delta.content),
      [undefined, 'Partial'],
    );
  });

  it('fails a stream that ends cleanly before message_stop as a network error', async () => {
    const whole = fixture('stream-text.sse').toString('utf8');
    const cut = Buffer.from(whole.slice(0, whole.indexOf('event: message_stop')));
    await assert.rejects(
      collect(pieces(cut, 64)),
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'network' && /before message_stop/.test(e.error.message),
    );
  });

  it('turns the documented non-streaming tool_use message into a completion with JSON arguments', async () => {
    const text = await readBody(await overHttp('message-tool-use.json'), 1 << 20);
    const completion = anthropicAdapter('anthropic', { thinking: new ThinkingCache() }).parseCompletion(text, { ...call, stream: false });
    const { created, ...rest } = completion;
    assert.ok(created > 0);
    assert.deepEqual(rest, {
      id: 'msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      model: MODEL,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll check the current weather in San Francisco for you.",
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 3895, completion_tokens: 503, total_tokens: 4398, prompt_tokens_details: { cached_tokens: 1800, cache_write_tokens: 0 } },
    });
  });
});
