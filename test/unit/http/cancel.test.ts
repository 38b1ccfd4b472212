import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cancel, whenAborted } from '../../../src/core/http/cancel';
import { readBody, UndiciHttpClient } from '../../../src/core/http/client';
import { timeoutsSchema } from '../../../src/core/config/schema';

describe('a request cancellation', () => {
  it('gives a signal made after the abort, or before it, the abort', () => {
    const early = new Cancel();
    const before = early.signal;
    early.abort();
    assert.equal(before.aborted, true);
    const late = new Cancel();
    late.abort();
    assert.equal(late.signal.aborted, true);
    assert.equal((late.signal.reason as Error).name, 'AbortError');
  });

  it('calls back once when either kind of signal aborts, and not after listening stopped', () => {
    for (const make of [() => new AbortController(), () => new Cancel()]) {
      const c = make();
      const signal = c instanceof Cancel ? c : c.signal;
      let calls = 0;
      whenAborted(signal, () => calls++);
      c.abort();
      c.abort();
      assert.equal(calls, 1, c.constructor.name);
      const d = make();
      let late = 0;
      const stop = whenAborted(d instanceof Cancel ? d : d.signal, () => late++);
      stop();
      d.abort();
      assert.equal(late, 0, `${d.constructor.name}: called after listening stopped`);
    }
  });

  it('stops undici: before the answer, the request fails; during the body, the body does', async () => {
    let hold: http.ServerResponse | undefined;
    const server = http.createServer((req, res) => {
      if (req.url === '/slow-head') return void (hold = res); // never answers
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part'); // and never ends
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new UndiciHttpClient();
    const timeouts = timeoutsSchema.parse({});
    try {
      const c1 = new Cancel();
      const pending = client.send({ url: `${base}/slow-head`, method: 'GET', headers: {} }, timeouts, c1);
      setTimeout(() => c1.abort(), 30);
      await assert.rejects(pending, (e: Error) => e.name === 'AbortError');

      const c2 = new Cancel();
      const res = await client.send({ url: `${base}/slow-body`, method: 'GET', headers: {} }, timeouts, c2);
      const body = readBody(res.body, 1 << 20, res.headers);
      setTimeout(() => c2.abort(), 30);
      await assert.rejects(body, (e: Error) => e.name === 'AbortError');
      assert.equal(c2.listenerCount('abort'), 0, 'undici let go of the cancellation');
    } finally {
      hold?.destroy();
      await client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
