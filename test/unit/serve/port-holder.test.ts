import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { GenerationRecord } from '../../../src/core/activity/record';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { parseConfig } from '../../../src/core/config/parse';
import { MapSecretSource } from '../../../src/core/ports';
import { Router } from '../../../src/core/routing/router';
import { callersItRefuses, PORT_TAKEN_LABELS, portTakenNotice, whoHoldsPort } from '../../../src/serve/port-holder';
import { routerBackend } from '../../../src/serve/router-backend';
import { LocalEndpoint } from '../../../src/serve/server';
import { generateToken, TokenTable } from '../../../src/serve/tokens';

const catalog = bundledCatalog();

/** An endpoint as another window runs it: a real router (with no keys), knowing only the tokens given. */
function otherWindow(tokens: Record<string, string>, port = 0) {
  const records: GenerationRecord[] = [];
  const router = new Router({
    config: parseConfig({ callers: Object.keys(tokens).map((name) => ({ name })) }).config,
    catalog,
    secrets: new MapSecretSource(),
    sink: { append: (r) => void records.push(r) },
  });
  const table = new TokenTable(tokens);
  const endpoint = new LocalEndpoint({ backend: routerBackend(router), tokens: () => table, catalog: () => catalog, port, addresses: ['127.0.0.1'] });
  return { endpoint, records };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('who holds the endpoint’s port', () => {
  it('recognises another window’s endpoint holding the port our endpoint could not bind', async () => {
    const other = otherWindow({ dev: generateToken() });
    await other.endpoint.start();
    try {
      const ours = otherWindow({ dev: generateToken() }, other.endpoint.port);
      await assert.rejects(ours.endpoint.start(), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
      assert.equal(await whoHoldsPort(other.endpoint.port), 'byok-router');
      assert.deepEqual(other.records, [], 'the probe routes nothing');
    } finally {
      await other.endpoint.close();
    }
  });

  it('takes a plain HTTP server for another program, even one answering 401', async () => {
    for (const [status, body] of [
      [200, '{"object":"list","data":[]}'],
      [401, '{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}'],
      [401, 'BYOK Router token'],
    ] as const) {
      const server = http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
      const port = await listen(server);
      try {
        assert.equal(await whoHoldsPort(port), 'other', `${status} ${body}`);
      } finally {
        server.closeAllConnections();
        await close(server);
      }
    }
  });

  it('gives up on a holder that accepts the connection and never answers, within its time limit', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => void sockets.add(s));
    const port = await listen(server);
    try {
      const t0 = Date.now();
      assert.equal(await whoHoldsPort(port, 300), 'other');
      assert.ok(Date.now() - t0 < 5_000, 'bounded by the timeout');
    } finally {
      for (const s of sockets) s.destroy();
      await close(server);
    }
  });

  it('says which of our callers the other window’s endpoint does not accept, without routing anything', async () => {
    const dev = generateToken();
    const other = otherWindow({ dev });
    await other.endpoint.start();
    try {
      const refused = await callersItRefuses(other.endpoint.port, { dev, prod: generateToken() });
      assert.deepEqual(refused, ['prod']);
      assert.deepEqual(other.records, []);
    } finally {
      await other.endpoint.close();
    }
  });

  it('offers that window’s endpoint or a free port when the holder is ours, and only a free port otherwise', () => {
    const ours = portTakenNotice(4111, 'byok-router');
    assert.match(ours.message, /port 4111 is used by BYOK Router in another window/);
    assert.deepEqual(
      ours.actions.map((a) => a.action),
      ['borrow', 'free'],
    );
    assert.equal(ours.actions[0]!.label, PORT_TAKEN_LABELS.borrow);
    const partly = portTakenNotice(4111, 'byok-router', ['prod']);
    assert.match(partly.message, /does not accept the token of caller "prod"/);
    const foreign = portTakenNotice(4111, 'other');
    assert.match(foreign.message, /port 4111 is taken by another program/);
    assert.deepEqual(
      foreign.actions.map((a) => a.action),
      ['free'],
    );
  });
});
