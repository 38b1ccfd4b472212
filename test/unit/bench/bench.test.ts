import assert from 'node:assert/strict';
import { runBench } from '../../../bench/harness';
import { benchChart } from '../../../bench/chart';
import { markdownReport, markdownTable } from '../../../bench/report';
import type { BenchResults, ContenderFigures, FamilyFigures } from '../../../bench/results';
import type { Summary } from '../../../bench/stats';

function assertSummary(s: Summary, what: string) {
  assert.ok(s.n > 0, `${what}: no samples`);
  for (const k of ['mean', 'p50', 'p90', 'p99', 'min', 'max'] as const) assert.ok(Number.isFinite(s[k]) && s[k] >= 0, `${what}.${k} = ${s[k]}`);
  assert.ok(s.min <= s.p50 && s.p50 <= s.p99 && s.p99 <= s.max, `${what}: percentiles out of order`);
}

function assertFigures(f: ContenderFigures | undefined, what: string, added: boolean) {
  assert.ok(f, `${what} missing`);
  assertSummary(f.ms, what);
  if (added) {
    assert.ok(Number.isFinite(f.addedP50) && Number.isFinite(f.addedP99) && Number.isFinite(f.ratio), `${what}: added/ratio missing`);
  }
}

describe('the benchmark harness', function () {
  this.timeout(120_000);
  let results: BenchResults;

  before(async () => {
    // Tiny counts and no build: this proves the harness and its contenders work, never how fast.
    results = await runBench({ quick: true, build: false, portkey: true, peers: true });
  });

  it('records the machine, the date and the peer versions', () => {
    assert.ok(results.machine.cpu && results.machine.cores > 0);
    assert.match(results.machine.node, /^v\d+\./);
    assert.ok(!Number.isNaN(Date.parse(results.machine.date)));
    assert.equal(results.quick, true);
    for (const pkg of ['openai', 'ai', '@ai-sdk/openai-compatible', '@portkey-ai/gateway']) assert.match(results.versions[pkg]!, /^\d+\.\d+\.\d+/, pkg);
  });

  it('times the direct call, the router and every peer against one simulator for measures 1 to 3', () => {
    for (const id of ['nonStreaming', 'firstToken', 'longStream'] as const) {
      const m = results.measures[id]!;
      assert.deepEqual(m.unavailable, [], `measure ${id}: ${JSON.stringify(m.unavailable)}`);
      assertFigures(m.contenders.direct, `${id}.direct`, false);
      for (const c of ['router', 'endpoint', 'hop', 'relay', 'openai', 'ai-sdk', 'portkey'] as const) assertFigures(m.contenders[c], `${id}.${c}`, true);
      // The verdict agrees with the figures it is drawn from (the README's targets).
      const r = m.contenders.router!;
      const below = (pick: (x: ContenderFigures) => number) => (['openai', 'ai-sdk', 'portkey'] as const).every((p) => pick(r) < pick(m.contenders[p]!));
      const expected =
        id === 'nonStreaming'
          ? r.addedP50! <= 0.2 && r.addedP99! <= 1 && below((x) => x.addedP50!)
          : id === 'firstToken'
            ? r.addedP50! <= 0.1 && below((x) => x.addedP50!)
            : r.ratio! <= 1.1 && r.cpuMs! <= 1.25 * m.contenders.direct!.cpuMs!;
      assert.equal(
        m.met,
        expected,
        `measure ${id}: verdict ${m.met} against router ${JSON.stringify({ addedP50: r.addedP50, addedP99: r.addedP99, ratio: r.ratio })}`,
      );
      for (const c of ['direct', 'router', 'openai', 'ai-sdk', 'portkey'] as const) assert.ok(Number.isFinite(m.contenders[c]!.cpuMs), `${id}.${c} cpu`);
    }
    for (const id of ['nonStreaming', 'firstToken'] as const) {
      const alone = results.measures[id]!.routerAlone!;
      assertSummary(alone.ms, `${id}.routerAlone`);
      assert.ok(alone.cpuUs > 0);
    }
  });

  it('reports chunks per second for every adapter family that exists', () => {
    const m = results.measures.families!;
    assert.ok(Object.keys(m.families).includes('openai-compatible'));
    for (const [family, f] of Object.entries(m.families)) {
      if ('missing' in f) continue;
      const fig = f as FamilyFigures;
      assert.ok(fig.chunks > 0 && fig.chunksPerSecond > 0, `${family}: ${JSON.stringify(fig)}`);
    }
  });

  it('measures failover through the simulators and shows a cooling key gets no request', () => {
    const m = results.measures.failover!;
    assertSummary(m.router, 'router span');
    assertSummary(m.direct, 'direct span');
    assert.equal(m.cooldown.requestsToLimitedKey, 0);
    assert.equal(m.cooldown.servedByNextKey, m.cooldown.requestsAfter429);
    assert.ok(m.portkey && !('unavailable' in m.portkey), JSON.stringify(m.portkey));
    assert.equal(m.cooldown.portkeyRequestsToLimitedTarget, m.cooldown.requestsAfter429);
  });

  it('plans over 2,000 keys and 20 callers', () => {
    const m = results.measures.plan!;
    assert.equal(m.keys, 2000);
    assert.equal(m.callers, 20);
    assertSummary(m.ms, 'plan');
    assert.ok(m.routesPerPlan.max > 0);
  });

  it('completes every concurrent stream and leaves no socket or timer after close', () => {
    const m = results.measures.concurrency!;
    assert.equal(m.completed, m.streams);
    assert.deepEqual(m.leftoverAfterClose, {});
    assert.ok(m.rssPeakMiB >= m.rssBeforeMiB);
  });

  it('rates every contender at concurrency against the direct call in the same rounds, with a verdict drawn from the ratios', () => {
    const m = results.measures.throughput!;
    assert.deepEqual(m.unavailable, [], JSON.stringify(m.unavailable));
    const direct = m.contenders.direct!;
    assert.equal(direct.requestsRatio, 1);
    assert.equal(direct.streamsRatio, 1);
    for (const c of ['router', 'endpoint', 'hop', 'relay', 'openai', 'ai-sdk', 'portkey'] as const) {
      const f = m.contenders[c];
      assert.ok(f, `${c} missing`);
      assert.ok(f.requestsPerSecond > 0 && f.streamsPerSecond > 0, `${c}: ${JSON.stringify(f)}`);
      // The ratio is the two rates' quotient, not a figure of its own.
      assert.ok(Math.abs(f.requestsRatio - f.requestsPerSecond / direct.requestsPerSecond) < 0.02 + 1 / direct.requestsPerSecond, `${c} requests ratio`);
      assert.ok(Math.abs(f.streamsRatio - f.streamsPerSecond / direct.streamsPerSecond) < 0.02 + 1 / direct.streamsPerSecond, `${c} streams ratio`);
    }
    const r = m.contenders.router!;
    assert.equal(m.met, r.requestsRatio >= 0.9 && r.streamsRatio >= 0.9);
  });

  it('leaves a slot for the activation time and reports bundle files', () => {
    const m = results.measures.bundle!;
    assert.equal(m.activationMs, null);
    assert.deepEqual(Object.keys(m.files).sort(), ['dist/cli.js', 'dist/extension.js', 'dist/main.js']);
  });

  it('renders one table row per measure, with the machine line above it', () => {
    const table = markdownTable(results).split('\n');
    const ids = ['1', '1e', '2', '3', '3e', '4', '5', '6', '7', '8', '9', '9e'];
    assert.equal(table.length, 2 + ids.length);
    ids.forEach((id, i) => assert.ok(table[2 + i]!.startsWith(`| ${id} |`), table[2 + i]));
    // The local endpoint ran beside the others and answered correctly.
    assert.ok(results.measures.nonStreaming!.contenders.endpoint!.addedP50 !== undefined);
    const report = markdownReport(results);
    assert.match(report, new RegExp(`Node ${results.machine.node.replace(/\./g, '\\.')}`));
  });

  it('draws a bar with its figure for every contender in both chart panels', () => {
    const svg = benchChart(results);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const bars = svg.match(/<rect x="210"/g) ?? [];
    const expected = (['nonStreaming', 'longStream'] as const).reduce((n, id) => n + Object.keys(results.measures[id]!.contenders).length - 1, 0);
    assert.equal(bars.length, expected, 'one bar per contender other than the direct call, per panel');
    const ratio = results.measures.longStream!.contenders.router!.ratio!;
    assert.ok(svg.includes(`${ratio.toFixed(2)}×`), 'the router’s stream ratio is written beside its bar');
  });
});
