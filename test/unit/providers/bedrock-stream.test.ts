import assert from 'node:assert/strict';
import type { ChatChunk } from '../../../src/core/chat';
import { isRouteFailure, type RouteError } from '../../../src/core/errors';
import { ThinkingCache } from '../../../src/core/providers/anthropic/thinking-cache';
import { converseStreamChunks } from '../../../src/core/providers/bedrock';
import { CompletionBuilder } from '../../../src/core/routing/completion-builder';
import { errorFrame, eventFrame, exceptionFrame } from '../../../src/sim/eventstream-encode';

const LIMITS = { maxEventBytes: 1024 * 1024 };

async function* bytes(frames: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const f of frames) yield f;
}

async function run(frames: Uint8Array[], cache = new ThinkingCache()): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of converseStreamChunks(bytes(frames), { nativeModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }, LIMITS, cache)) out.push(c);
  return out;
}

async function failure(frames: Uint8Array[]): Promise<{ error: RouteError; before: ChatChunk[] }> {
  const before: ChatChunk[] = [];
  try {
    for await (const c of converseStreamChunks(bytes(frames), { nativeModel: 'm' }, LIMITS)) before.push(c);
  } catch (e) {
    assert.ok(isRouteFailure(e), `expected a RouteFailure, got ${String(e)}`);
    return { error: e.error, before };
  }
  assert.fail('expected the stream to fail');
}

const build = (chunks: ChatChunk[]) => {
  const b = new CompletionBuilder();
  for (const c of chunks) b.add(c);
  return b.build('anthropic/claude-sonnet-4.5', Date.now());
};

const ev = eventFrame;
const textAnswer = [
  ev('messageStart', { role: 'assistant' }),
  ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }),
  ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ', world' } }),
  ev('contentBlockStop', { contentBlockIndex: 0 }),
  ev('messageStop', { stopReason: 'end_turn' }),
  ev('metadata', { usage: { inputTokens: 12, outputTokens: 4, totalTokens: 16 }, metrics: { latencyMs: 210 } }),
];

describe('Bedrock ConverseStream events to chunks', () => {
  it('streams text deltas, the finish reason at messageStop and usage from the metadata event after it', async () => {
    const chunks = await run(textAnswer);
    assert.deepEqual(
      chunks.map((c) => [c.choices[0]?.delta ?? null, c.choices[0]?.finish_reason ?? null, c.usage ?? null]),
      [
        [{ role: 'assistant', content: '' }, null, null],
        [{ content: 'Hello' }, null, null],
        [{ content: ', world' }, null, null],
        [{}, 'stop', null],
        [null, null, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 }],
      ],
    );
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id));
    const done = build(chunks);
    assert.equal(done.choices[0]!.message.content, 'Hello, world');
    assert.equal(done.usage?.total_tokens, 16);
  });

  it('streams a tool call: the start with id and name, then the input fragments', async () => {
    const chunks = await run([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me look.' } }),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_A', name: 'get_weather' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Oslo"}' } } }),
      ev('contentBlockStop', { contentBlockIndex: 1 }),
      ev('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_B', name: 'now' } } }),
      ev('contentBlockStop', { contentBlockIndex: 2 }),
      ev('messageStop', { stopReason: 'tool_use' }),
      ev('metadata', { usage: { inputTokens: 50, outputTokens: 20, totalTokens: 70 } }),
    ]);
    const done = build(chunks);
    assert.equal(done.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(done.choices[0]!.message.tool_calls, [
      { id: 'tooluse_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      // A tool without parameters streams no input; callers still get valid JSON.
      { id: 'tooluse_B', type: 'function', function: { name: 'now', arguments: '{}' } },
    ]);
    assert.equal(done.choices[0]!.message.content, 'Let me look.');
  });

  it('streams reasoning as reasoning deltas and remembers its signature under the tool call ids', async () => {
    const cache = new ThinkingCache();
    const chunks = await run(
      [
        ev('messageStart', { role: 'assistant' }),
        ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Think' } } }),
        ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'ing.' } } }),
        ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'EqQBCkYIBxgCKkA' } } }),
        ev('contentBlockStop', { contentBlockIndex: 0 }),
        ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu_1', name: 'f' } } }),
        ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{}' } } }),
        ev('contentBlockStop', { contentBlockIndex: 1 }),
        ev('messageStop', { stopReason: 'tool_use' }),
      ],
      cache,
    );
    assert.equal(build(chunks).choices[0]!.message.reasoning, 'Thinking.');
    assert.deepEqual(cache.recall(['tu_1']), [{ type: 'thinking', thinking: 'Thinking.', signature: 'EqQBCkYIBxgCKkA' }]);
  });

  it('ignores event types it does not know and fields it does not read', async () => {
    const chunks = await run([
      ev('messageStart', { role: 'assistant', extra: 1 }),
      ev('somethingNew', { whatever: true }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'ok', citation: {} }, p: 'padding' }),
      ev('messageStop', { stopReason: 'end_turn' }),
    ]);
    assert.equal(build(chunks).choices[0]!.message.content, 'ok');
  });

  const exceptions: [string, string][] = [
    ['throttlingException', 'rate_limited'],
    ['serviceUnavailableException', 'server'],
    ['internalServerException', 'server'],
    ['modelStreamErrorException', 'server'],
    ['validationException', 'bad_request'],
  ];
  for (const [type, kind] of exceptions) {
    it(`turns the ${type} frame inside a 200 into a ${kind} failure`, async () => {
      const { error, before } = await failure([textAnswer[0]!, textAnswer[1]!, exceptionFrame(type, 'Too many tokens, please wait.')]);
      assert.equal(error.kind, kind);
      assert.equal(error.code, type);
      assert.equal(error.message, `amazon-bedrock: error during the stream (${type}): Too many tokens, please wait.`);
      assert.equal(before.length, 2);
    });
  }

  it('turns an unmodelled error frame into a failure named by its code header', async () => {
    const { error } = await failure([errorFrame('InternalFailure', 'An internal error occurred.')]);
    assert.equal(error.kind, 'server');
    assert.match(error.message, /\(InternalFailure\): An internal error occurred\./);
  });

  it('fails on an event whose JSON payload is invalid', async () => {
    const { error } = await failure([textAnswer[0]!, ev('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"unterminated')]);
    assert.equal(error.kind, 'server');
    assert.match(error.message, /malformed stream frame \(invalid JSON\)/);
  });

  it('fails on an event whose JSON has the wrong shape', async () => {
    const { error } = await failure([ev('messageStop', { stopReason: 7 })]);
    assert.equal(error.kind, 'server');
    assert.match(error.message, /malformed messageStop event/);
  });

  it('fails when the stream ends before messageStop', async () => {
    const { error, before } = await failure(textAnswer.slice(0, 3));
    assert.equal(error.kind, 'network');
    assert.match(error.message, /ended before messageStop/);
    assert.equal(before.length, 3);
  });

  it('accepts a stream that ends after messageStop without a metadata event', async () => {
    const chunks = await run(textAnswer.slice(0, 5));
    assert.equal(build(chunks).usage, undefined);
    assert.equal(build(chunks).choices[0]!.finish_reason, 'stop');
  });
});
