import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ALL_SIMS, env, folder, nextGeneration, openIn, sims, storeTestSecrets } from './env';

interface GitRepo {
  rootUri: vscode.Uri;
  inputBox: { value: string };
}

describe('the editor commands', () => {
  before(() => storeTestSecrets());
  beforeEach(() => sims.reset(...ALL_SIMS));

  it('explains the selection in a Markdown document beside the code', async () => {
    const editor = await openIn('dev', 'src/app.ts');
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    await sims.enqueue('openai', [{ text: 'It adds two numbers.' }]);
    const text = await vscode.commands.executeCommand<string>('byokRouter.explainSelection');
    assert.equal(text, 'It adds two numbers.');
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'markdown' && e.document.isUntitled);
    assert.equal(shown?.document.getText(), 'It adds two numbers.');
    const [sent] = await sims.chats('openai');
    assert.match(String(sent!.json!.messages!.at(-1)!.content), /export function add/);
  });

  it('replaces the selection as one edit that a single undo reverts', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: 'const answer = 41;\nconsole.log(answer);\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, 18);
    await sims.enqueue('openai', [{ text: ['```ts\n', 'const answer', ' = 42;', '\n```'] }]);
    const applied = await vscode.commands.executeCommand<boolean>('byokRouter.editSelection', { instruction: 'make it 42' });
    assert.equal(applied, true);
    assert.equal(doc.getText(), 'const answer = 42;\nconsole.log(answer);\n');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), 'const answer = 41;\nconsole.log(answer);\n');
  });

  it('writes a commit message for the staged diff into the Git input box', async () => {
    await sims.enqueue('openai', [{ text: 'Add sub() next to add()' }]);
    const message = await vscode.commands.executeCommand<string>('byokRouter.generateCommitMessage', { folder: 'app-dev' });
    assert.equal(message, 'Add sub() next to add()');
    const git = (await vscode.extensions.getExtension<{ getAPI(v: 1): { getRepository(u: vscode.Uri): GitRepo | null } }>('vscode.git')!.activate()).getAPI(1);
    assert.equal(git.getRepository(folder('dev').uri)?.inputBox.value, 'Add sub() next to add()');
    const [sent] = await sims.chats('openai');
    assert.match(String(sent!.json!.messages!.at(-1)!.content), /\+export function sub/);
  });

  it('explains a route with the reason each key was left out, sending nothing', async () => {
    const text = await vscode.commands.executeCommand<string>('byokRouter.explainRoute', { model: env.model, caller: 'prod', folder: 'app-dev' });
    assert.match(text, /Plan for openai\/gpt-5-mini as caller "prod"/);
    assert.match(text, /1\. openai\/key "OpenAI prod" \(prioritized\)/);
    assert.match(text, /openai\/key "OpenAI dev" \(prioritized\): caller filter \[dev\] does not include "prod"/);
    assert.deepEqual(await sims.requests('openai'), []);
  });

  it('tests every key and caller key and reports each verdict', async () => {
    const results = await vscode.commands.executeCommand<{ id: string; verdict: string }[]>('byokRouter.testKeys');
    const verdicts = Object.fromEntries(results.map((r) => [r.id, r.verdict]));
    assert.equal(verdicts['oa-dev'], 'ok');
    assert.equal(verdicts['oa-prod'], 'ok');
    assert.equal(verdicts['groq-backup'], 'ok');
    assert.equal(verdicts.dev, 'ok');
    assert.deepEqual((await sims.requests('openai')).map((r) => r.key).sort(), [env.keys.dev, env.keys.prod].sort());
  });

  it("sets the caller of a folder in that folder's settings", async () => {
    const settings = () => vscode.workspace.getConfiguration('byokRouter', folder('dev').uri).inspect<string>('caller')?.workspaceFolderValue;
    try {
      assert.equal(await vscode.commands.executeCommand('byokRouter.setCaller', { caller: 'prod', folder: 'app-dev' }), 'prod');
      assert.equal(settings(), 'prod');
      await openIn('dev', 'src/app.ts');
      const generation = nextGeneration((r) => r.surface === 'command:explain');
      await sims.enqueue('openai', [{ text: 'ok' }]);
      const editor = vscode.window.activeTextEditor!;
      editor.selection = new vscode.Selection(0, 0, 0, 10);
      await vscode.commands.executeCommand('byokRouter.explainSelection');
      assert.equal((await generation).caller, 'prod');
    } finally {
      await vscode.commands.executeCommand('byokRouter.setCaller', { caller: 'dev', folder: 'app-dev' });
    }
    assert.equal(settings(), 'dev');
  });
});
