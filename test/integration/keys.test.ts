import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { env, sims, userKeys, waitFor } from './env';

/** The key the simulator saw on its key-check endpoint for a `Test All Keys` run. */
async function presentedOnTest(): Promise<(string | null)[]> {
  await sims.reset('openai');
  await vscode.commands.executeCommand('byokRouter.testKeys');
  return (await sims.requests('openai')).filter((r) => !r.path.endsWith('/chat/completions')).map((r) => r.key);
}

describe('the key store over SecretStorage', () => {
  it('adds a key, rotates its value in place, and removes it with its value', async () => {
    const before = userKeys();
    const first = 'sk-roundtrip-first-value-1111';
    const second = 'sk-roundtrip-second-value-2222';
    const id = await vscode.commands.executeCommand<string>('byokRouter.addKey', {
      provider: 'openai',
      name: 'Round trip',
      tier: 'fallback',
      secret: first,
      filters: { models: ['openai/*'] },
      options: { baseUrl: env.sims.openai!.baseUrl },
    });
    assert.ok(id, 'addKey returned no id');
    const added = await waitFor(() => (userKeys().length === before.length + 1 ? userKeys() : undefined), 5000, 'the new settings entry');
    assert.deepEqual(added.slice(0, before.length), before, 'existing keys keep their order');
    assert.deepEqual(added.at(-1), {
      id,
      provider: 'openai',
      name: 'Round trip',
      tier: 'fallback',
      filters: { models: ['openai/*'] },
      options: { baseUrl: env.sims.openai!.baseUrl },
    });
    assert.ok((await presentedOnTest()).includes(first), 'the stored value reached the provider');

    assert.equal(await vscode.commands.executeCommand('byokRouter.rotateKey', { id, secret: second }), true);
    assert.deepEqual(userKeys(), added, 'rotation keeps id, name, tier, filters and order');
    const seen = await presentedOnTest();
    assert.ok(seen.includes(second) && !seen.includes(first), `after rotation the provider saw ${JSON.stringify(seen)}`);

    assert.equal(await vscode.commands.executeCommand('byokRouter.removeKey', { id }), true);
    await waitFor(() => (userKeys().length === before.length ? true : undefined), 5000, 'the entry to go');
    assert.deepEqual(userKeys(), before);
    const after = await presentedOnTest();
    assert.ok(!after.includes(second), 'a removed key is not used any more');
  });

  it('refuses to rotate a key that does not exist', async () => {
    const ok = await vscode.commands.executeCommand('byokRouter.rotateKey', { id: 'no-such-key', secret: 'sk-whatever-0000000000' });
    assert.equal(ok, undefined, 'the command reports the failure instead of storing an orphan value');
  });
});
