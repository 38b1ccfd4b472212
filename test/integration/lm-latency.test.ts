import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import * as vscode from 'vscode';
import { ALL_SIMS, api, env, openIn, routedModel, sims, storeTestSecrets } from './env';

const N = Number(process.env.BYOK_LM_PROBE_N ?? 40);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/**
 * The simulator's time to first byte as the router's HTTP client sees it: from the request's headers
 * going out to the first chunk of the response body, through undici's diagnostics channels (the
 * router's bundled undici publishes on the process-wide channels).
 */
class SimTtfb {
  private readonly created = new WeakMap<object, number>();
  private readonly sent = new WeakMap<object, number>();
  readonly exchanges: { created: number; sent: number; firstChunk: number }[] = [];
  private readonly onCreate = (m: unknown) => this.created.set((m as { request: object }).request, performance.now());
  private readonly onSend = (m: unknown) => {
    const r = (m as { request: { origin?: string } }).request;
    if (String(r.origin).includes(new URL(env.sims.openai!.baseUrl).host)) this.sent.set(r, performance.now());
  };
  private readonly onChunk = (m: unknown) => {
    const r = (m as { request: object }).request;
    const sent = this.sent.get(r);
    if (sent === undefined) return;
    this.sent.delete(r);
    this.exchanges.push({ created: this.created.get(r) ?? sent, sent, firstChunk: performance.now() });
  };
  constructor() {
    dc.subscribe('undici:request:create', this.onCreate);
    dc.subscribe('undici:client:sendHeaders', this.onSend);
    dc.subscribe('undici:request:bodyChunkReceived', this.onChunk);
  }
  /** The exchange whose request went out during [from, to]. */
  within(from: number, to: number) {
    return this.exchanges.find((e) => e.sent >= from && e.sent <= to);
  }
  close() {
    dc.unsubscribe('undici:request:create', this.onCreate);
    dc.unsubscribe('undici:client:sendHeaders', this.onSend);
    dc.unsubscribe('undici:request:bodyChunkReceived', this.onChunk);
  }
}

describe('the vscode.lm path, timed in the real host', () => {
  before(async () => {
    await storeTestSecrets();
    await openIn('dev', 'src/app.ts');
    await sims.reset(...ALL_SIMS);
  });
  after(async () => {
    (await api()).lmProbe(false);
    await sims.reset(...ALL_SIMS);
  });

  it("reports how long a response takes from the provider being called to its first part, less the simulator's time to first byte", async function () {
    // N sequential requests on a shared, busy machine: a figure to report, so room to finish.
    this.timeout(300_000);
    const a = await api();
    const model = await routedModel();
    const prompt = 'Say hello in five words.';
    const send = async () => {
      const res = await model.sendRequest([vscode.LanguageModelChatMessage.User(prompt)], {}, new vscode.CancellationTokenSource().token);
      let text = '';
      for await (const t of res.text) text += t;
      return text;
    };
    const ttfb = new SimTtfb();
    try {
      a.lmProbe(true);
      const first = await send(); // the first call, reported on its own: it loads what the path needs
      const [firstSample] = a.lmProbe(true);
      assert.ok(first.length > 0, 'the routed model answered');
      assert.ok(firstSample && firstSample.firstReport > firstSample.called, 'the probe saw the first call');
      const firstSim = ttfb.within(firstSample.called, firstSample.firstReport);
      assert.ok(firstSim, 'undici reported no exchange with the simulator for the first call');

      const provider: number[] = [];
      const sim: number[] = [];
      const added: number[] = [];
      // Where the added time goes: before undici has the request, undici to the socket, first byte to first part.
      const parts = { before: [] as number[], socket: [] as number[], after: [] as number[] };
      for (let i = 0; i < N; i++) {
        a.lmProbe(true);
        await send();
        const [s] = a.lmProbe(true);
        assert.ok(s, `call ${i} reported no part`);
        const e = ttfb.within(s.called, s.firstReport);
        assert.ok(e, `call ${i}: undici reported no exchange with the simulator`);
        provider.push(s.firstReport - s.called);
        sim.push(e.firstChunk - e.sent);
        added.push(s.firstReport - s.called - (e.firstChunk - e.sent));
        parts.before.push(e.created - s.called);
        parts.socket.push(e.sent - e.created);
        parts.after.push(s.firstReport - e.firstChunk);
      }
      const f = (x: number) => x.toFixed(3);
      const firstAdded = firstSample.firstReport - firstSample.called - (firstSim.firstChunk - firstSim.sent);
      // Figures for the README, not timed assertions.
      console.log(`      lm path, N=${N}: provider called → first progress.report p50 ${f(quantile(provider, 0.5))} ms, p99 ${f(quantile(provider, 0.99))} ms`);
      console.log(`      simulator time to first byte (headers out → first body chunk) p50 ${f(quantile(sim, 0.5))} ms, p99 ${f(quantile(sim, 0.99))} ms`);
      console.log(`      added by the lm path p50 ${f(quantile(added, 0.5))} ms, p99 ${f(quantile(added, 0.99))} ms; first call ${f(firstAdded)} ms`);
      console.log(
        `      of which, p50: provider called → request handed to undici ${f(quantile(parts.before, 0.5))} ms, → headers on the socket ${f(quantile(parts.socket, 0.5))} ms, first body chunk → first progress.report ${f(quantile(parts.after, 0.5))} ms`,
      );
      assert.equal(added.length, N);
      assert.ok(
        added.every((x) => x > 0),
        'the lm path cannot take less time than the exchange inside it',
      );
    } finally {
      ttfb.close();
    }
  });
});
