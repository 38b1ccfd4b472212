import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ALL_SIMS, env, nextGeneration, openIn, sims, storeTestSecrets, VENDOR } from './env';

describe('the @byok chat participant', () => {
  before(async () => {
    await storeTestSecrets();
    await openIn('dev', 'src/app.ts');
  });
  beforeEach(() => sims.reset(...ALL_SIMS));

  it('answers through the chat view with a routed model', async () => {
    await sims.enqueue('openai', [{ text: 'Routed hello from the participant.' }]);
    const generation = nextGeneration((r) => r.surface === 'chat', 45_000);
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@byok say hello to the router',
      isPartialQuery: false,
      modelSelector: { vendor: VENDOR, id: env.model },
    });
    const record = await generation;
    assert.equal(record.outcome, 'success');
    assert.equal(record.model, env.model);
    assert.equal(record.servedBy?.keyName, 'OpenAI dev');
    const [sent] = await sims.chats('openai');
    const last = sent!.json!.messages!.at(-1)!;
    assert.equal(last.role, 'user');
    assert.match(String(last.content), /say hello to the router/);
  });

  it('opens the chat on @byok with a routed model through its own command', async () => {
    await sims.enqueue('openrouter', [{ text: 'Second answer.' }]);
    const generation = nextGeneration((r) => r.surface === 'chat', 45_000);
    await vscode.commands.executeCommand('byokRouter.openChat', { query: '@byok what is a fallback key?', model: env.fallbackModel });
    const record = await generation;
    assert.equal(record.model, env.fallbackModel);
    assert.equal(record.servedBy?.route, 'pooled', 'gpt-oss is served by pooled access before the fallback key');
    assert.deepEqual(
      (await sims.chats('openrouter')).map((r) => r.json?.model),
      [env.fallbackModel],
    );
  });
});
