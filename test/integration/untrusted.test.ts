import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ALL_SIMS, api, env, folder, nextGeneration, openIn, sims, storeTestSecrets } from './env';

describe('Restricted Mode', () => {
  before(() => storeTestSecrets({ callers: false }));
  beforeEach(() => sims.reset(...ALL_SIMS));

  it('runs in a workspace that is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('ignores every routing setting of the folder and routes with the user settings', async () => {
    // The editor itself withholds the folder's values of restricted settings; the extension's own
    // check is the second line. Either way nothing of the hostile folder file may show through.
    const problems = (await api()).problems(folder('prod').uri);
    assert.deepEqual(
      problems.filter((p) => !/not trusted/.test(p.message)),
      [],
    );
    const plan = await vscode.commands.executeCommand<string>('byokRouter.explainRoute', { model: env.model, caller: 'prod', folder: 'api-prod' });
    assert.match(plan, /untrusted workspace: folder settings are ignored/);
    assert.match(plan, /1\. openai\/key "OpenAI prod" \(prioritized\)/, 'the prod key keeps its user-settings endpoint');

    const editor = await openIn('prod', 'src/api.ts');
    editor.selection = new vscode.Selection(0, 0, 0, 20);
    await sims.enqueue('openai', [{ text: 'Explained under the user settings.' }]);
    const generation = nextGeneration((r) => r.surface === 'command:explain');
    const text = await vscode.commands.executeCommand<string>('byokRouter.explainSelection');
    assert.equal(text, 'Explained under the user settings.');
    assert.equal((await generation).caller, 'dev', "the user's caller applies, not the folder's prod");
    assert.deepEqual(
      (await sims.chats('openai')).map((r) => r.key),
      [env.keys.dev],
    );
    assert.deepEqual(await sims.requests('evil'), []);
  });

  it('refuses to resolve a secret-manager reference, leaving the key out with the reason', async () => {
    // env: is the one scheme that needs no tool; in Restricted Mode it, like every scheme, is refused.
    assert.ok(await vscode.commands.executeCommand<boolean>('byokRouter.rotateKey', { id: 'oa-prod', secret: 'env:HOME' }));
    try {
      const plan = await vscode.commands.executeCommand<string>('byokRouter.explainRoute', { model: env.model, caller: 'prod', folder: 'api-prod' });
      assert.match(plan, /openai\/key "OpenAI prod" \(prioritized\): its secret reference failed: env: references are refused in Restricted Mode/);
      assert.doesNotMatch(plan, /1\. openai\/key "OpenAI prod"/);
    } finally {
      assert.ok(await vscode.commands.executeCommand<boolean>('byokRouter.rotateKey', { id: 'oa-prod', secret: env.keys.prod }));
    }
  });
});
