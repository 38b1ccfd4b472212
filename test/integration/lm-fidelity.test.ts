/**
 * Full fidelity through the real `vscode.lm`: a screenshot, a cache_control part after the system
 * prompt and a tool loop, sent by this test as any consumer would, and asserted on the wire each
 * family's simulator received. The simulators for Claude, Bedrock and Gemini run here, in the
 * extension host; keys for them are added to the user settings for this suite and removed after.
 *
 * Turn two renames the tool call, so the process-wide reasoning caches (keyed by call id) cannot
 * supply the reasoning: it reaches the wire only because this consumer echoed the `thinking` part.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startAnthropicSim, type AnthropicSim } from '../../src/sim/anthropic';
import { BEDROCK_TEST_API_KEY, startBedrockSim, type BedrockSim } from '../../src/sim/bedrock';
import { startGeminiSim, type GeminiSim } from '../../src/sim/gemini';
import { env, nextGeneration, openIn, routedModel, sims, storeTestSecrets, userKeys } from './env';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const B64 = PNG.toString('base64');
const SYSTEM_ROLE = 3 as vscode.LanguageModelChatMessageRole; // System, which the stable API does not name

type DataPartCtor = new (data: Uint8Array, mimeType: string) => { mimeType: string; data: Uint8Array };
const DataPart = (vscode as unknown as { LanguageModelDataPart: DataPartCtor }).LanguageModelDataPart;
const dataPart = (mime: string, data: Uint8Array | string) => new DataPart(typeof data === 'string' ? new TextEncoder().encode(data) : data, mime);
const cache = () => dataPart('cache_control', 'ephemeral');
const image = () => dataPart('image/png', new Uint8Array(PNG));
const text = (t: string) => new vscode.LanguageModelTextPart(t);
const weather: vscode.LanguageModelChatTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
};

const opening = () => [
  new vscode.LanguageModelChatMessage(SYSTEM_ROLE, [text('You are a weather assistant. Answer in one sentence.'), cache()] as never),
  vscode.LanguageModelChatMessage.User([text('Where was this screenshot taken, and what is the weather there?'), image()] as never),
];

interface Turn {
  text: string;
  calls: vscode.LanguageModelToolCallPart[];
  data: { mimeType: string; data: Uint8Array }[];
}

async function send(model: vscode.LanguageModelChat, messages: vscode.LanguageModelChatMessage[], modelOptions: Record<string, unknown> = {}): Promise<Turn> {
  const res = await model.sendRequest(messages, { tools: [weather], modelOptions }, new vscode.CancellationTokenSource().token);
  const turn: Turn = { text: '', calls: [], data: [] };
  for await (const part of res.stream) {
    if (part instanceof vscode.LanguageModelTextPart) turn.text += part.value;
    else if (part instanceof vscode.LanguageModelToolCallPart) turn.calls.push(part);
    else if (part instanceof DataPart) turn.data.push(part);
  }
  return turn;
}

/** Turn two as a consumer builds it: the thinking part echoed, the call (renamed), its result with a screenshot and a breakpoint. */
function turnTwo(one: Turn, callId: string) {
  const thinking = one.data.filter((d) => d.mimeType === 'thinking').map((d) => new DataPart(d.data, d.mimeType));
  return [
    ...opening(),
    vscode.LanguageModelChatMessage.Assistant([...thinking, new vscode.LanguageModelToolCallPart(callId, 'get_weather', { city: 'Oslo' })] as never),
    vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(callId, [text('3 °C and clear'), image()] as never), cache()] as never),
  ];
}

const usageOf = (t: Turn) => {
  const u = t.data.find((d) => d.mimeType === 'usage');
  return u
    ? (JSON.parse(new TextDecoder().decode(u.data)) as {
        prompt_tokens: number;
        completion_tokens: number;
        prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number };
      })
    : undefined;
};

describe('vscode.lm full fidelity: images, cache breakpoints, reasoning round trips, usage', function () {
  let anthropic: AnthropicSim;
  let bedrock: BedrockSim;
  let gemini: GeminiSim;
  let before_: unknown;

  before(async function () {
    if (!DataPart) this.skip(); // a host without LanguageModelDataPart (before 1.105) has nothing to test here
    await storeTestSecrets();
    await openIn('dev', 'src/app.ts');
    [anthropic, bedrock, gemini] = await Promise.all([startAnthropicSim(), startBedrockSim(), startGeminiSim()]);
    const config = vscode.workspace.getConfiguration('byokRouter');
    before_ = config.inspect('keys')?.globalValue;
    const mine = [
      {
        id: 'fid-claude',
        provider: 'anthropic',
        name: 'Claude fidelity',
        tier: 'prioritized',
        filters: { models: ['anthropic/claude-sonnet-4.5'] },
        options: { baseUrl: anthropic.url },
      },
      {
        id: 'fid-bedrock',
        provider: 'amazon-bedrock',
        name: 'Bedrock fidelity',
        tier: 'prioritized',
        filters: { models: ['anthropic/claude-haiku-4.5'] },
        options: { baseUrl: bedrock.url, region: bedrock.region },
      },
      {
        id: 'fid-gemini',
        provider: 'google-ai-studio',
        name: 'Gemini fidelity',
        tier: 'prioritized',
        filters: { models: ['google/gemini-3-pro-preview'] },
        options: { baseUrl: gemini.baseUrl },
      },
    ];
    await config.update('keys', [...userKeys().filter((k) => !k.id.startsWith('fid-')), ...mine], vscode.ConfigurationTarget.Global);
    for (const [id, secret] of [
      ['fid-claude', 'sk-ant-itest-fidelity-0001'],
      ['fid-bedrock', BEDROCK_TEST_API_KEY],
      ['fid-gemini', 'AIzaSy-itest-fidelity-000000000000000000'],
    ] as const) {
      assert.ok(await vscode.commands.executeCommand<boolean>('byokRouter.rotateKey', { id, secret }), `stored ${id}`);
    }
  });

  after(async () => {
    if (before_ !== undefined || userKeys().some((k) => k.id.startsWith('fid-')))
      await vscode.workspace.getConfiguration('byokRouter').update('keys', before_, vscode.ConfigurationTarget.Global);
    await Promise.all([anthropic?.close(), bedrock?.close(), gemini?.close()]);
  });

  it('Anthropic: an image block, cache_control on the system prompt and the tool result, signed thinking echoed on turn two, cache tokens recorded', async () => {
    const model = await routedModel('anthropic/claude-sonnet-4.5');
    const thought = 'The skyline is Oslo. I should look the weather up.';
    anthropic.enqueue({ reasoning: thought, toolCalls: [{ id: 'toolu_itest_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const options = { reasoning_effort: 'medium', max_tokens: 4000 };
    const firstRecord = nextGeneration((r) => r.surface === 'lm' && r.model === 'anthropic/claude-sonnet-4.5');
    const one = await send(model, opening(), options);
    assert.equal(one.calls[0]?.callId, 'toolu_itest_1');
    assert.ok(
      one.data.some((d) => d.mimeType === 'thinking'),
      'the signed thinking went out as a thinking part',
    );
    assert.ok((usageOf(one)?.prompt_tokens_details.cache_write_tokens ?? 0) > 0, 'the usage part reports the cache write');
    assert.ok(((await firstRecord).cacheWriteTokens ?? 0) > 0, 'the activity record holds the cache write');

    const first = anthropic.requests.at(-1)!.json as any;
    assert.deepEqual(first.system, [{ type: 'text', text: 'You are a weather assistant. Answer in one sentence.', cache_control: { type: 'ephemeral' } }]);
    assert.deepEqual(first.messages[0].content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: B64 } });

    anthropic.enqueue({ text: 'Oslo: 3 °C and clear.' });
    const two = await send(model, turnTwo(one, 'toolu_itest_renamed'), options);
    assert.equal(two.text, 'Oslo: 3 °C and clear.');
    const second = anthropic.requests.at(-1)!.json as any;
    assert.deepEqual(second.messages[1].content[0], { type: 'thinking', thinking: thought, signature: anthropic.signature(thought) });
    const result = second.messages[2].content[0];
    assert.equal(result.type, 'tool_result');
    assert.deepEqual(result.cache_control, { type: 'ephemeral' });
    assert.deepEqual(result.content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: B64 } });
  });

  it('Bedrock: a cachePoint after the system prompt, image bytes, signed reasoning echoed on turn two', async () => {
    const model = await routedModel('anthropic/claude-haiku-4.5');
    bedrock.enqueueBedrock({
      reasoning: 'Oslo skyline.',
      reasoningSignature: 'sig-itest-bedrock',
      toolCalls: [{ id: 'tooluse_itest_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
    });
    const one = await send(model, opening());
    const first = bedrock.requests.at(-1)!.json as any;
    assert.deepEqual(first.system, [{ text: 'You are a weather assistant. Answer in one sentence.' }, { cachePoint: { type: 'default' } }]);
    assert.deepEqual(first.messages[0].content[1], { image: { format: 'png', source: { bytes: B64 } } });

    bedrock.enqueueBedrock({ text: 'Oslo: 3 °C.' });
    await send(model, turnTwo(one, 'tooluse_itest_renamed'));
    const second = bedrock.requests.at(-1)!.json as any;
    assert.deepEqual(second.messages[1].content[0], { reasoningContent: { reasoningText: { text: 'Oslo skyline.', signature: 'sig-itest-bedrock' } } });
    assert.deepEqual(second.messages[2].content[0].toolResult.content[1], { image: { format: 'png', source: { bytes: B64 } } });
    assert.deepEqual(second.messages[2].content[1], { cachePoint: { type: 'default' } });
  });

  it('Gemini: inlineData for the screenshot and the thought signature echoed on the function call', async () => {
    const model = await routedModel('google/gemini-3-pro-preview');
    gemini.enqueue({ reasoning: 'Looks like Oslo.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const one = await send(model, opening());
    const first = gemini.requests.at(-1)!.json as any;
    assert.deepEqual(first.contents[0].parts[1], { inlineData: { mimeType: 'image/png', data: B64 } });
    const issued = [...gemini.issuedSignatures.keys()].at(-1);
    assert.ok(issued, 'the simulator signed the function call');

    gemini.enqueue({ text: 'Oslo: 3 °C.' });
    await send(model, turnTwo(one, 'call_itest_renamed'));
    const second = gemini.requests.at(-1)!.json as any;
    const call = second.contents[1].parts.find((p: any) => p.functionCall);
    assert.equal(call.thoughtSignature, issued);
    assert.deepEqual(second.contents[2].parts[1], { inlineData: { mimeType: 'image/png', data: B64 } });
  });

  it('OpenAI-compatible: image_url data URLs, the tool’s screenshot in a user message, and a usage part', async () => {
    await sims.reset('openai');
    await sims.enqueue('openai', [{ text: 'Oslo.' }]);
    const model = await routedModel(env.model);
    const two = await send(model, turnTwo({ text: '', calls: [], data: [] }, 'call_1'));
    const [sent] = await sims.chats('openai');
    const messages = sent!.json!.messages as any[];
    assert.deepEqual(messages[1].content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } });
    assert.equal(messages[3].role, 'tool');
    assert.deepEqual(messages[4].content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } });
    assert.ok(!JSON.stringify(messages).includes('cache_control'));
    assert.ok((usageOf(two)?.prompt_tokens ?? 0) > 0, 'a usage part ends the response');
  });

  it('refuses an image for a model without vision, naming the model', async () => {
    const model = await routedModel('openai/gpt-oss-120b');
    await assert.rejects(send(model, opening()), (e: Error) => /gpt-oss-120b/.test(e.message) && /images/.test(e.message));
  });
});
