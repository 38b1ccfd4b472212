/**
 * What the editor's parts become on each family's wire: the conversion of lm-convert.ts, routed
 * through the real router to the simulators, which refuse what the real APIs refuse. The second
 * turn echoes the `thinking` part the first turn sent out, with the process-wide caches emptied,
 * so the reasoning comes back only because the consumer carried it.
 */
import assert from 'node:assert/strict';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import type { ChatRequest } from '../../../src/core/chat';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import type { ReasoningDetail } from '../../../src/core/reasoning';
import { Router, type GenerationOutcome } from '../../../src/core/routing/router';
import { convertMessages, reasoningOut, thinkingPayload, type InMessage, type InPart } from '../../../src/vscode/lm-convert';
import { startAnthropicSim, type AnthropicSim } from '../../../src/sim/anthropic';
import { BEDROCK_TEST_API_KEY, startBedrockSim, type BedrockSim } from '../../../src/sim/bedrock';
import { startGeminiSim, type GeminiSim } from '../../../src/sim/gemini';
import { startOpenAISim, type OpenAISim } from '../../../src/sim/openai';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const B64 = PNG.toString('base64');
const text = (t: string): InPart => ({ kind: 'text', text: t });
const data = (mimeType: string, bytes: Uint8Array | string): InPart => ({
  kind: 'data',
  mimeType,
  data: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
});
const cache = () => data('cache_control', 'ephemeral');
const image = () => data('image/png', PNG);
const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

/** The conversation of the real-host test: a system prompt with a breakpoint after it, a screenshot, a tool loop. */
const opening = (): InMessage[] => [
  { role: 'system', content: [text('You are a weather assistant. Answer in one sentence.'), cache()] },
  { role: 'user', content: [text('Where was this screenshot taken, and what is the weather there?'), image()] },
];

/** Turn two: the assistant's call with the thinking part it sent out, and the tool's result with an image and a breakpoint. */
function turnTwo(callId: string, details: ReasoningDetail[]): InMessage[] {
  return [
    ...opening(),
    {
      role: 'assistant',
      content: [data('thinking', thinkingPayload('resp_1', '', details)), { kind: 'call', id: callId, name: 'get_weather', input: { city: 'Oslo' } }],
    },
    { role: 'user', content: [{ kind: 'result', callId, content: [text('3 °C and clear'), image()] }, cache()] },
  ];
}

/** Streams like the editor provider does, collecting what it sends out as the `thinking` part. */
async function run(
  r: Router,
  model: string,
  messages: InMessage[],
  extra: Partial<ChatRequest> = {},
): Promise<{ o: GenerationOutcome; details: ReasoningDetail[] }> {
  const details: ReasoningDetail[] = [];
  let reasoning = '';
  const o = await r.generate({ model, stream: true, messages: convertMessages(messages).messages, tools: [weather], ...extra } as ChatRequest, {
    onChunk: (c) => {
      const d = c.choices[0]?.delta;
      if (d?.reasoning) reasoning += d.reasoning;
      if (d?.reasoning_details) details.push(...d.reasoning_details);
    },
  });
  assert.ok(o.ok, !o.ok ? o.error.message : '');
  return { o, details: reasoningOut(details, reasoning) };
}

function router(provider: string, options: Record<string, unknown>, secret: string): Router {
  const { config, diagnostics } = parseConfig({ keys: [{ id: 'k', provider, name: 'main', tier: 'prioritized', options }], pooled: { enabled: false } });
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map([['k', secret]])) });
}

describe('vscode.lm parts on each family’s wire', () => {
  let routers: Router[] = [];
  const keep = (r: Router) => (routers.push(r), r);
  afterEach(async () => {
    await Promise.all(routers.map((r) => r.close()));
    routers = [];
  });

  describe('Anthropic', () => {
    let sim: AnthropicSim;
    before(async () => (sim = await startAnthropicSim()));
    after(() => sim.close());

    it('sends an image block, cache_control on the system prompt and the tool result, and the echoed signed thinking', async () => {
      const r = keep(router('anthropic', { baseUrl: sim.url }, 'sk-ant-test-0001'));
      const MODEL = 'anthropic/claude-sonnet-4.5';
      sim.enqueue({
        reasoning: 'The skyline is Oslo. I should look the weather up.',
        toolCalls: [{ id: 'toolu_sim_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
      });
      const one = await run(r, MODEL, opening(), { max_tokens: 4000, reasoning_effort: 'medium' } as Partial<ChatRequest>);
      const first = sim.requests[0]!.json as any;
      assert.deepEqual(first.system, [{ type: 'text', text: 'You are a weather assistant. Answer in one sentence.', cache_control: { type: 'ephemeral' } }]);
      assert.deepEqual(first.messages[0].content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: B64 } });
      assert.ok((one.o.record.cacheWriteTokens ?? 0) > 0, 'the system prompt was written to the cache');
      assert.deepEqual(
        one.details.map((d) => [d.type, d.format]),
        [['reasoning.text', 'anthropic-claude-v1']],
      );

      r.adapters.state.thinking.clear(); // only the echo can bring the signature back now
      sim.enqueue({ text: 'Oslo, 3 °C and clear.' }, { text: 'Oslo, 3 °C and clear.' });
      await run(r, MODEL, turnTwo('toolu_sim_1', one.details), { max_tokens: 4000, reasoning_effort: 'medium' } as Partial<ChatRequest>);
      const second = sim.requests[1]!.json as any;
      const thought = 'The skyline is Oslo. I should look the weather up.';
      assert.deepEqual(second.messages[1].content[0], { type: 'thinking', thinking: thought, signature: sim.signature(thought) });
      const result = second.messages[2].content[0];
      assert.equal(result.type, 'tool_result');
      assert.deepEqual(result.cache_control, { type: 'ephemeral' });
      assert.deepEqual(result.content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: B64 } });

      // The same prefix again is read from the cache, and the record says so.
      const again = await run(r, MODEL, turnTwo('toolu_sim_1', one.details), { max_tokens: 4000, reasoning_effort: 'medium' } as Partial<ChatRequest>);
      assert.ok((again.o.record.cacheReadTokens ?? 0) > 0, 'a repeated prefix is a cache read');
      assert.ok((again.o.record.attempts[0]!.cacheReadTokens ?? 0) > 0);
    });

    it('keeps only the last four breakpoints, which the API would otherwise refuse', async () => {
      const r = keep(router('anthropic', { baseUrl: sim.url }, 'sk-ant-test-0001'));
      const messages: InMessage[] = [{ role: 'system', content: [text('System.'), cache()] }];
      for (let i = 0; i < 5; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: [text(`turn ${i}`), cache()] });
      sim.enqueue({ text: 'ok' });
      const before = sim.requests.length;
      await run(r, 'anthropic/claude-sonnet-4.5', messages);
      const sent = sim.requests[before]!.json as any;
      assert.equal(typeof sent.system, 'string', 'the earliest breakpoint (the system prompt) was dropped');
      const marked = sent.messages
        .flatMap((m: any) => m.content)
        .filter((b: any) => b.cache_control)
        .map((b: any) => b.text);
      assert.deepEqual(marked, ['turn 1', 'turn 2', 'turn 3', 'turn 4']);
    });
  });

  describe('Bedrock', () => {
    let sim: BedrockSim;
    before(async () => (sim = await startBedrockSim()));
    after(() => sim.close());

    it('sends cachePoint blocks after the marked content, image bytes, and the echoed signed reasoning', async () => {
      const r = keep(router('amazon-bedrock', { baseUrl: sim.url, region: sim.region }, BEDROCK_TEST_API_KEY));
      const MODEL = 'anthropic/claude-haiku-4.5';
      sim.enqueueBedrock({
        reasoning: 'Oslo skyline.',
        reasoningSignature: 'sig-bedrock-1',
        toolCalls: [{ id: 'tooluse_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
      });
      const one = await run(r, MODEL, opening());
      const first = sim.requests[0]!.json as any;
      assert.deepEqual(first.system, [{ text: 'You are a weather assistant. Answer in one sentence.' }, { cachePoint: { type: 'default' } }]);
      assert.deepEqual(first.messages[0].content[1], { image: { format: 'png', source: { bytes: B64 } } });
      assert.ok((one.o.record.cacheWriteTokens ?? 0) > 0);

      r.adapters.state.bedrockReasoning.clear();
      sim.enqueueBedrock({ text: 'Oslo, 3 °C.' });
      await run(r, MODEL, turnTwo('tooluse_1', one.details));
      const second = sim.requests[1]!.json as any;
      assert.deepEqual(second.messages[1].content[0], { reasoningContent: { reasoningText: { text: 'Oslo skyline.', signature: 'sig-bedrock-1' } } });
      const user = second.messages[2].content;
      assert.equal(user[0].toolResult.toolUseId, 'tooluse_1');
      assert.deepEqual(user[0].toolResult.content[1], { image: { format: 'png', source: { bytes: B64 } } });
      assert.deepEqual(user[1], { cachePoint: { type: 'default' } });
    });
  });

  describe('Gemini', () => {
    let sim: GeminiSim;
    before(async () => (sim = await startGeminiSim()));
    after(() => sim.close());

    it('sends inlineData for images and the echoed thought signature on the function call', async () => {
      const r = keep(router('google-ai-studio', { baseUrl: sim.baseUrl }, 'AIzaSy-test-key-0000000000000000000000'));
      const MODEL = 'google/gemini-3-pro-preview';
      sim.enqueue({ reasoning: 'Looks like Oslo.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const one = await run(r, MODEL, opening());
      const first = sim.requests[0]!.json as any;
      assert.deepEqual(first.contents[0].parts[1], { inlineData: { mimeType: 'image/png', data: B64 } });
      assert.ok(one.o.ok);
      const callId = one.o.response.choices[0]!.message.tool_calls![0]!.id;
      const sig = one.details.find((d) => d.type === 'reasoning.encrypted' && d.id === callId);
      assert.ok(sig, 'the thought signature went out as a thinking detail');
      assert.deepEqual([...sim.issuedSignatures.values()], ['get_weather']);
      const issued = [...sim.issuedSignatures.keys()][0];

      r.adapters.state.signatures.clear();
      sim.enqueue({ text: 'Oslo, 3 °C.' });
      await run(r, MODEL, turnTwo(callId, one.details));
      const second = sim.requests[1]!.json as any;
      const call = second.contents[1].parts.find((p: any) => p.functionCall);
      assert.equal(call.thoughtSignature, (sig as { data: string }).data);
      assert.notEqual(call.thoughtSignature, 'skip_thought_signature_validator');
      assert.equal(call.thoughtSignature, issued, 'the signature the simulator issued on turn one');
      const answer = second.contents[2].parts;
      assert.ok(answer[0].functionResponse);
      assert.deepEqual(answer[1], { inlineData: { mimeType: 'image/png', data: B64 } });
    });
  });

  describe('pooled (OpenRouter)', () => {
    let sim: OpenAISim;
    before(async () => (sim = await startOpenAISim({ flavor: 'openrouter' })));
    after(() => sim.close());

    it('passes the cache marks and the echoed reasoning details through, which OpenRouter applies for Claude', async () => {
      const { config } = parseConfig({ callers: [{ name: 'dev' }], defaultCaller: 'dev', pooled: { baseUrl: sim.baseUrl }, keys: [] });
      const r = keep(new Router({ config, catalog: bundledCatalog(), secrets: new MapSecretSource(new Map(), new Map([['dev', 'sk-or-test-dev-0004']])) }));
      const details: ReasoningDetail[] = [{ type: 'reasoning.text', text: 'Oslo.', signature: 'sig-or', format: 'anthropic-claude-v1' }];
      sim.enqueue({ text: 'Oslo, 3 °C.' });
      const o = await run(r, 'anthropic/claude-sonnet-4.5', turnTwo('toolu_or_1', details));
      assert.equal(o.o.record.servedBy?.route, 'pooled');
      const sent = sim.requests[0]!.json as any;
      assert.deepEqual(sent.messages[0].content[0].cache_control, { type: 'ephemeral' });
      assert.deepEqual(sent.messages[1].content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } });
      assert.deepEqual(sent.messages[2].reasoning_details, details);
      // The tool's screenshot (the marked block) follows the tool results as a user message, its mark with it.
      assert.equal(sent.messages[3].role, 'tool');
      assert.deepEqual(sent.messages[4].content.at(-1).cache_control, { type: 'ephemeral' });
    });
  });

  describe('OpenAI-compatible', () => {
    let sim: OpenAISim;
    before(async () => (sim = await startOpenAISim({ flavor: 'openai' })));
    after(() => sim.close());

    it('sends image_url parts, moves a tool’s image into a user message, and drops cache marks OpenAI does not take', async () => {
      const r = keep(router('openai', { baseUrl: sim.baseUrl }, 'sk-test-openai-0001'));
      sim.enqueue({ text: 'Oslo, 3 °C.' });
      await run(r, 'openai/gpt-4.1', turnTwo('call_1', []));
      const sent = sim.requests[0]!.json as any;
      assert.deepEqual(sent.messages[0], { role: 'system', content: [{ type: 'text', text: 'You are a weather assistant. Answer in one sentence.' }] });
      assert.deepEqual(sent.messages[1].content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } });
      assert.deepEqual(sent.messages[3], { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '3 °C and clear' }] });
      assert.equal(sent.messages[4].role, 'user');
      assert.deepEqual(sent.messages[4].content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } });
      assert.ok(!JSON.stringify(sent).includes('cache_control'));
      assert.ok(!JSON.stringify(sent).includes('reasoning_details'));
    });
  });
});
