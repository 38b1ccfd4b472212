import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './env';

describe('the extension in a real VS Code host', () => {
  it('runs inside a real editor installation, not a stand-in', () => {
    // code-server here; VS Code desktop under `npm run test:electron`.
    assert.ok(fs.existsSync(path.join(vscode.env.appRoot, 'product.json')), `no editor installation at ${vscode.env.appRoot}`);
    assert.equal(typeof vscode.lm.registerLanguageModelChatProvider, 'function');
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major! > 1 || minor! >= 104, `VS Code ${vscode.version} is older than the language-model provider API`);
  });

  it('activates after startup at the earliest, never with "*"', () => {
    // onStartupFinished: the status bar (caller, route health) and the chat's model picker need the
    // extension without a user action, but never at the cost of the editor's own startup.
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const events: string[] = ext.packageJSON.activationEvents ?? [];
    assert.deepEqual(events, ['onStartupFinished']);
  });

  it('reports its activation time, bundle evaluation included, for the benchmark table', async () => {
    const a = await api();
    assert.equal(typeof a.activationMs, 'number');
    assert.ok(a.activationMs > 0);
    // A figure for the README, not a timed assertion.
    console.log(`      activation: ${a.activationMs} ms`);
  });

  it('registers every command it contributes once activated', async () => {
    await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length >= 12, `expected the full command set, got ${contributed.length}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c)),
      [],
    );
  });

  it('opens the Providers and Activity views, each page loading and greeting the host', async () => {
    const ext = await api();
    await vscode.commands.executeCommand('byokRouter.openProviders');
    await vscode.commands.executeCommand('byokRouter.openActivity');
    // `ready` is the page script's first message: a blank or broken page never sends it.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(ext.views().providers && ext.views().activity)) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(ext.views(), { providers: true, activity: true });
  });
});
