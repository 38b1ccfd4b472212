import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ALL_SIMS, api, env, folder, sims, storeTestSecrets, waitFor } from './env';

/** Run from a folder's terminal: one chat request with whatever the terminal's environment says. */
const CLIENT = `
const out = process.argv[2];
fetch(process.env.OPENAI_BASE_URL + '/chat/completions', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + process.env.OPENAI_API_KEY, 'content-type': 'application/json', 'user-agent': 'terminal-probe/1.0' },
  body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'from the terminal' }] }),
})
  .then(async (r) => require('fs').writeFileSync(out, JSON.stringify({ status: r.status, body: await r.json(), anthropic: process.env.ANTHROPIC_BASE_URL || null })))
  .catch((e) => require('fs').writeFileSync(out, JSON.stringify({ error: String(e) })));
`;

describe('the local endpoint in the editor', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'byok-endpoint-itest-'));
  const script = path.join(scratch, 'probe.js');
  const config = () => vscode.workspace.getConfiguration('byokRouter.endpoint');

  before(async () => {
    await storeTestSecrets();
    fs.writeFileSync(script, CLIENT);
  });
  beforeEach(() => sims.reset(...ALL_SIMS));
  after(async () => {
    await config().update('terminalEnv', undefined, vscode.ConfigurationTarget.Global);
    await config().update('enabled', undefined, vscode.ConfigurationTarget.Global);
    for (const t of vscode.window.terminals) t.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('starts when enabled, on a loopback port shown in the status bar', async () => {
    await config().update('enabled', true, vscode.ConfigurationTarget.Global);
    const a = await api();
    const info = await waitFor(() => (a.endpoint().running ? a.endpoint() : undefined), 10_000, 'the endpoint to start');
    assert.match(info.openAIBaseUrl!, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const unauthorized = await fetch(`${info.openAIBaseUrl}/models`);
    assert.equal(unauthorized.status, 401);
  });

  it('gives each folder’s terminal that folder’s token, and a request from it is served with that folder’s keys', async function () {
    this.timeout(90_000);
    await config().update('terminalEnv', true, vscode.ConfigurationTarget.Global);
    const a = await api();
    const seen: Record<string, { caller: string; client?: string; surface: string }> = {};
    const sub = a.onDidGenerate((r) => {
      if (r.surface === 'endpoint') seen[r.caller] = { caller: r.caller, client: r.client, surface: r.surface };
    });
    try {
      for (const name of ['dev', 'prod'] as const) {
        const out = path.join(scratch, `${name}.json`);
        const terminal = vscode.window.createTerminal({ name: `endpoint ${name}`, cwd: folder(name).uri });
        terminal.sendText(`node ${JSON.stringify(script)} ${JSON.stringify(out)}`);
        const result = await waitFor(
          () => (fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : undefined),
          60_000,
          `the ${name} terminal's request`,
        );
        terminal.dispose();
        assert.equal(result.status, 200, JSON.stringify(result));
        assert.match(result.anthropic, /^http:\/\/127\.0\.0\.1:\d+$/);
      }
      const keys = (await sims.chats('openai')).map((r) => r.key);
      assert.deepEqual(keys, [env.keys.dev, env.keys.prod]);
      await waitFor(() => (seen.dev && seen.prod ? true : undefined), 5000, 'both activity records');
      assert.equal(seen.dev!.client, 'terminal-probe');
      assert.equal(seen.prod!.surface, 'endpoint');
    } finally {
      sub.dispose();
    }
  });

  it('copies a folder’s token on request and rotates it: the old token gets 401 at once', async () => {
    const info = (await api()).endpoint();
    const ask = (token: string) =>
      fetch(`${info.openAIBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      }).then((r) => r.status);
    await vscode.commands.executeCommand('byokRouter.copyEndpointToken', { folder: folder('dev').uri });
    const old = await vscode.env.clipboard.readText();
    assert.match(old, /^brt_[A-Za-z0-9_-]{43}$/);
    assert.equal(await ask(old), 200);
    await vscode.commands.executeCommand('byokRouter.rotateEndpointToken', { caller: 'dev' });
    assert.equal(await ask(old), 401);
    await vscode.commands.executeCommand('byokRouter.copyEndpointToken', { folder: folder('dev').uri });
    const fresh = await vscode.env.clipboard.readText();
    assert.notEqual(fresh, old);
    assert.equal(await ask(fresh), 200);
    await vscode.env.clipboard.writeText('');
  });

  it('stops on Stop Local Endpoint and refuses connections afterwards', async () => {
    const info = (await api()).endpoint();
    await vscode.commands.executeCommand('byokRouter.stopEndpoint');
    assert.equal((await api()).endpoint().running, false);
    await assert.rejects(fetch(`${info.openAIBaseUrl}/models`));
  });
});
