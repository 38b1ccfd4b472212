import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ALL_SIMS, env, nextGeneration, openIn, routedModel, sims, storeTestSecrets, VENDOR, waitFor } from './env';

describe('the language-model provider', () => {
  before(async () => {
    await storeTestSecrets();
    await openIn('dev', 'src/app.ts');
  });
  beforeEach(() => sims.reset(...ALL_SIMS));

  it('offers the models the keys can serve to any extension through vscode.lm', async () => {
    const models = await vscode.lm.selectChatModels({ vendor: VENDOR });
    const ids = models.map((m) => m.id);
    assert.ok(ids.includes(env.model), `${env.model} missing from ${ids.join(', ')}`);
    assert.ok(ids.includes(env.fallbackModel), 'a model only the fallback key serves is offered too');
    const m = models.find((x) => x.id === env.model)!;
    assert.equal(m.vendor, VENDOR);
    assert.equal(m.family, 'gpt');
    assert.ok(m.maxInputTokens > 100_000);
    assert.ok((await m.countTokens('a sentence of about eight tokens, give or take')) > 5);
  });

  it('streams text and a tool call through the router', async () => {
    await sims.enqueue('openai', [{ text: ['Let me ', 'check ', 'that.'], toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'C' } }] }]);
    const model = await routedModel();
    const generation = nextGeneration((r) => r.surface === 'lm');
    const res = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('What is the weather in Paris?')],
      {
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            inputSchema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } },
          },
        ],
      },
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of res.stream) {
      if (part instanceof vscode.LanguageModelTextPart) text += part.value;
      else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    }
    assert.equal(text, 'Let me check that.');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.name, 'get_weather');
    assert.deepEqual(calls[0]!.input, { city: 'Paris', unit: 'C' });

    const [sent] = await sims.chats('openai');
    assert.equal(sent!.json?.stream, true);
    assert.deepEqual(
      (sent!.json?.tools as { function: { name: string } }[]).map((t) => t.function.name),
      ['get_weather'],
    );
    const record = await generation;
    assert.equal(record.outcome, 'success');
    assert.equal(record.servedBy?.keyName, 'OpenAI dev');
  });

  it('sends a tool result back as a tool message in the next turn', async () => {
    const model = await routedModel();
    const res = await model.sendRequest(
      [
        vscode.LanguageModelChatMessage.User('Weather in Paris?'),
        vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelToolCallPart('call_1', 'get_weather', { city: 'Paris' })]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('call_1', [new vscode.LanguageModelTextPart('18 °C, sunny')])]),
      ],
      {},
      new vscode.CancellationTokenSource().token,
    );
    for await (const _ of res.text) void _;
    const [sent] = await sims.chats('openai');
    const roles = sent!.json!.messages!.map((m) => m.role);
    assert.deepEqual(roles, ['user', 'assistant', 'tool']);
    assert.equal((sent!.json!.messages![2] as { tool_call_id?: string }).tool_call_id, 'call_1');
  });

  it('cancels the upstream request when the caller cancels', async () => {
    await sims.enqueue('openai', [{ text: Array.from({ length: 50 }, (_, i) => `word${i} `), chunkDelayMs: 200 }]);
    const model = await routedModel();
    const cts = new vscode.CancellationTokenSource();
    const generation = nextGeneration((r) => r.surface === 'lm');
    const res = await model.sendRequest([vscode.LanguageModelChatMessage.User('Write a long story')], {}, cts.token);
    let received = '';
    try {
      for await (const t of res.text) {
        received += t;
        cts.cancel();
      }
    } catch {
      // Cancellation may surface as an error from the stream; either way the request must stop.
    }
    assert.ok(received.startsWith('word0'), 'some text arrived before cancelling');
    assert.ok(!received.includes('word49'), 'the stream stopped early');
    const record = await generation;
    assert.equal(record.outcome, 'cancelled');
    await waitFor(
      async () => ((await sims.chats('openai'))[0]?.outcome === 'client-aborted' ? true : undefined),
      5000,
      'the simulator to see the client go away',
    );
  });
});
