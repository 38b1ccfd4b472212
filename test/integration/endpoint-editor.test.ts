import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import * as vscode from 'vscode';
import { bundledCatalog } from '../../src/core/catalog/catalog';
import { parseConfig } from '../../src/core/config/parse';
import { MapSecretSource } from '../../src/core/ports';
import { Router } from '../../src/core/routing/router';
import { routerBackend } from '../../src/serve/router-backend';
import { LocalEndpoint } from '../../src/serve/server';
import { TokenTable } from '../../src/serve/tokens';
import type { EndpointInfo } from '../../src/vscode/endpoint';
import { ALL_SIMS, api, env, folder, sims, storeTestSecrets, waitFor } from './env';

const config = () => vscode.workspace.getConfiguration('byokRouter.endpoint');

/** The port the status bar names, e.g. `$(plug) BYOK :4111` → 4111. */
function shownPort(text: string): number {
  const m = /:(\d+)\b/.exec(text);
  assert.ok(m, `no port in the status bar text "${text}"`);
  return Number(m[1]);
}

/** What the port answers without a token: our endpoint's 401 names the BYOK Router token. */
async function answerWithoutToken(port: number): Promise<{ status: number; message: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/models`);
  const body = (await r.json()) as { error?: { message?: string } };
  return { status: r.status, message: body.error?.message ?? '' };
}

async function tokenOf(name: 'dev' | 'prod'): Promise<string> {
  await vscode.commands.executeCommand('byokRouter.copyEndpointToken', { folder: folder(name).uri });
  return vscode.env.clipboard.readText();
}

function listenPlain(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

describe('the local endpoint’s status bar, port conflicts and setup snippets', () => {
  before(() => storeTestSecrets());
  beforeEach(() => sims.reset(...ALL_SIMS));
  after(async () => {
    // Disabled first, so clearing the port starts nothing.
    await config().update('enabled', undefined, vscode.ConfigurationTarget.Global);
    await config().update('port', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('byokRouter.stopEndpoint');
    await vscode.env.clipboard.writeText('');
  });

  it('shows the port it actually listens on in the status bar, only on loopback, and hides it when stopped', async () => {
    await config().update('enabled', true, vscode.ConfigurationTarget.Global);
    const a = await api();
    const info = await waitFor(() => (a.endpoint().running ? a.endpoint() : undefined), 10_000, 'the endpoint to start');
    const item = await waitFor(() => (a.endpointStatus().visible ? a.endpointStatus() : undefined), 5000, 'the endpoint’s status bar item');
    const port = shownPort(item.text);
    assert.equal(port, info.port);
    assert.ok(item.tooltip.includes(`http://127.0.0.1:${port}/v1`), item.tooltip);
    const answer = await answerWithoutToken(port);
    assert.equal(answer.status, 401);
    assert.match(answer.message, /BYOK Router token/);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (external) {
      await assert.rejects(
        new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: external.address, port }, () => {
            s.destroy();
            resolve();
          });
          s.on('error', reject);
        }),
        (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
      );
    }

    await vscode.commands.executeCommand('byokRouter.stopEndpoint');
    assert.equal(a.endpointStatus().visible, false);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/v1/models`));
  });

  it('says when another program holds the port, shows it in the status bar, and starts on a free port on request', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('someone else'));
    const held = await listenPlain(server);
    try {
      const a = await api();
      // Enabled and now pinned to the held port: the settings change starts it, and it cannot bind.
      await config().update('port', held, vscode.ConfigurationTarget.Global);
      const conflict = await waitFor(() => (a.endpoint().conflict?.port === held ? a.endpoint().conflict : undefined), 10_000, 'the port conflict');
      assert.equal(conflict.holder, 'other');
      assert.match(conflict.message, new RegExp(`port ${held} is taken by another program`));
      assert.equal(a.endpoint().running, false);
      const warning = a.endpointStatus();
      assert.equal(warning.visible, true);
      assert.equal(shownPort(warning.text), held);
      assert.match(warning.text, /taken/);

      const info = await vscode.commands.executeCommand<EndpointInfo>('byokRouter.startEndpoint', { ifPortTaken: 'free' });
      assert.equal(info.running, true);
      assert.notEqual(info.port, held);
      assert.equal(info.conflict, undefined);
      assert.equal(shownPort(a.endpointStatus().text), info.port);
      assert.equal((await answerWithoutToken(info.port!)).status, 401);
      // The holder was left alone.
      assert.equal(await (await fetch(`http://127.0.0.1:${held}/`)).text(), 'someone else');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('offers another window’s endpoint on its port, names the callers it refuses, and uses it on request', async () => {
    const a = await api();
    const dev = await tokenOf('dev');
    const prod = await tokenOf('prod');
    // Another window's endpoint: only this window's dev folder is open there, so it knows dev's token alone.
    const catalog = bundledCatalog();
    const router = new Router({
      config: parseConfig({ callers: [{ name: 'dev' }] }).config,
      catalog,
      secrets: new MapSecretSource(),
      sink: { append: () => undefined },
    });
    const table = new TokenTable({ dev });
    const other = new LocalEndpoint({ backend: routerBackend(router), tokens: () => table, catalog: () => catalog, addresses: ['127.0.0.1'] });
    await other.start();
    try {
      await config().update('port', other.port, vscode.ConfigurationTarget.Global);
      const conflict = await waitFor(() => (a.endpoint().conflict?.port === other.port ? a.endpoint().conflict : undefined), 10_000, 'the port conflict');
      assert.equal(conflict.holder, 'byok-router');
      assert.match(conflict.message, new RegExp(`port ${other.port} is used by BYOK Router in another window`));
      assert.ok(conflict.refused.includes('prod') && !conflict.refused.includes('dev'), conflict.refused.join());
      assert.match(conflict.message, /does not accept the token of callers? .*"prod"/);

      const borrowed = await vscode.commands.executeCommand<EndpointInfo>('byokRouter.startEndpoint', { ifPortTaken: 'borrow' });
      assert.equal(borrowed.running, true);
      assert.equal(borrowed.borrowed, true);
      assert.equal(borrowed.port, other.port);
      const item = a.endpointStatus();
      assert.equal(shownPort(item.text), other.port);
      assert.match(item.tooltip, /another window/);

      // The dev folder's setup now points at that window's endpoint, and it accepts the token in it.
      await vscode.commands.executeCommand('byokRouter.copyEndpointSetup', { client: 'claude-code', folder: folder('dev').uri });
      const snippet = await vscode.env.clipboard.readText();
      assert.ok(snippet.includes(`ANTHROPIC_BASE_URL=http://127.0.0.1:${other.port}\n`), snippet);
      assert.ok(snippet.includes(dev) && !snippet.includes(prod));
      const models = await fetch(`http://127.0.0.1:${other.port}/v1/models`, { headers: { authorization: `Bearer ${dev}` } });
      assert.equal(models.status, 200);

      const own = await vscode.commands.executeCommand<EndpointInfo>('byokRouter.startEndpoint', { ifPortTaken: 'free' });
      assert.equal(own.borrowed, undefined);
      assert.notEqual(own.port, other.port);
      assert.equal(shownPort(a.endpointStatus().text), own.port);
    } finally {
      await other.close();
    }
  });

  it('copies each client’s setup for the folder’s caller, with the real port and that caller’s token only', async () => {
    const a = await api();
    // No settings change here: one would restart the endpoint on another port under the test.
    const info =
      a.endpoint().running && !a.endpoint().borrowed
        ? a.endpoint()
        : await vscode.commands.executeCommand<EndpointInfo>('byokRouter.startEndpoint', { ifPortTaken: 'free' });
    assert.equal(info.running, true);
    const dev = await tokenOf('dev');
    const prod = await tokenOf('prod');
    assert.notEqual(dev, prod);
    for (const client of ['claude-code', 'codex', 'qwen-code', 'opencode', 'continue', 'cline-roo', 'aider']) {
      await vscode.commands.executeCommand('byokRouter.copyEndpointSetup', { client, folder: folder('prod').uri });
      const snippet = await vscode.env.clipboard.readText();
      assert.ok(snippet.includes(`http://127.0.0.1:${info.port}`), `${client}: ${snippet}`);
      assert.ok(snippet.includes(prod), `${client} carries prod's token`);
      assert.ok(!snippet.includes(dev), `${client} carries no other caller's token`);
      assert.match(snippet, /caller "prod"/);
    }

    // aider's snippet, used as written: a request with it is served with the prod folder's key.
    await vscode.commands.executeCommand('byokRouter.copyEndpointSetup', { client: 'aider', folder: folder('prod').uri });
    const aider = await vscode.env.clipboard.readText();
    const base = /^export OPENAI_API_BASE=(\S+)$/m.exec(aider)?.[1];
    const key = /^export OPENAI_API_KEY=(\S+)$/m.exec(aider)?.[1];
    assert.ok(base && key, aider);
    const r = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'from a copied setup' }] }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(
      (await sims.chats('openai')).map((c) => c.key),
      [env.keys.prod],
    );
  });
});
