/**
 * Measures 1–3: one loopback simulator, every contender calling it in the same interleaved rounds.
 *   1. added latency of a non-streaming request (p50/p99 over the direct call's);
 *   2. added time to first token, the stream sent chunk by chunk;
 *   3. a 1,000-chunk stream's total time over the direct call's (which parses every chunk).
 */
import { LABELS, type Contender, type ContenderName } from '../contenders';
import { interleave } from '../interleave';
import type { ContenderFigures, RequestMeasure } from '../results';
import { ms, roundSummary, summarize } from '../stats';
import type { BenchSim } from '../sim-process';
import { words } from '../wire';

export interface RequestRounds {
  rounds: number;
  perRound: number;
  warmup: number;
}

function figures(samples: Map<ContenderName, number[]>, cpu: Map<ContenderName, number>): Partial<Record<ContenderName, ContenderFigures>> {
  const direct = summarize(samples.get('direct')!);
  const directCpu = cpu.get('direct')!;
  const out: Partial<Record<ContenderName, ContenderFigures>> = {};
  for (const [name, xs] of samples) {
    const s = summarize(xs);
    out[name] = {
      label: LABELS[name],
      ms: roundSummary(s),
      ...(name === 'direct'
        ? {}
        : { addedP50: ms(s.p50 - direct.p50), addedP99: ms(s.p99 - direct.p99), ratio: Math.round((s.p50 / direct.p50) * 1000) / 1000 }),
      ...(cpu.has(name) ? { cpuMs: ms(cpu.get(name)!), ...(name === 'direct' ? {} : { addedCpuMs: ms(cpu.get(name)! - directCpu) }) } : {}),
    };
  }
  return out;
}

/** Below every peer that ran: the router's figure is the smallest of all non-direct figures. */
function belowPeers(f: Partial<Record<ContenderName, ContenderFigures>>, pick: (x: ContenderFigures) => number | undefined): boolean {
  const ours = pick(f.router!)!;
  return (['openai', 'ai-sdk', 'portkey'] as const).every((p) => !f[p] || ours < pick(f[p]!)!);
}

export async function measureNonStreaming(sim: BenchSim, contenders: Contender[], r: RequestRounds): Promise<RequestMeasure> {
  await sim.setDefault({});
  const expected = sim.defaultText('sk-bench-0000000000001234');
  const run = await interleave(contenders, r, async (c) => {
    const t0 = performance.now();
    const text = await c.complete();
    const dt = performance.now() - t0;
    if (text !== expected) throw new Error(`${c.name} answered ${JSON.stringify(text).slice(0, 80)}`);
    return dt;
  });
  const f = figures(run.samples, run.cpuMs);
  const router = f.router!;
  return {
    target: 'p50 ≤ 0.2 ms, p99 ≤ 1 ms; below every peer',
    met: router.addedP50! <= 0.2 && router.addedP99! <= 1 && belowPeers(f, (x) => x.addedP50),
    notes: [],
    rounds: r.rounds,
    perRound: r.perRound,
    contenders: f,
    unavailable: run.unavailable,
  };
}

/**
 * Few chunks, each its own write: the simulator sends a chunk when the previous one has been
 * handed to the socket. No timer between them, since a 1 ms timer's jitter (±0.5 ms on a busy
 * machine) would bury a 0.1 ms difference.
 */
export const TTFT_CHUNKS = 5;

export async function measureFirstToken(sim: BenchSim, contenders: Contender[], r: RequestRounds): Promise<RequestMeasure> {
  const text = words(TTFT_CHUNKS);
  await sim.setDefault({ text });
  const run = await interleave(contenders, r, async (c) => {
    let first = NaN;
    const t0 = performance.now();
    const got = await c.stream(() => (first = performance.now()));
    if (got.text !== text.join('')) throw new Error(`${c.name} streamed ${JSON.stringify(got.text).slice(0, 80)}`);
    return first - t0;
  });
  await sim.setDefault({});
  const f = figures(run.samples, run.cpuMs);
  return {
    target: '≤ 0.1 ms p50; below every peer',
    met: f.router!.addedP50! <= 0.1 && belowPeers(f, (x) => x.addedP50),
    notes: [`${TTFT_CHUNKS} content chunks after the role chunk, each its own write; first token = first non-empty content delta in the caller's hands`],
    chunks: TTFT_CHUNKS,
    rounds: r.rounds,
    perRound: r.perRound,
    contenders: f,
    unavailable: run.unavailable,
  };
}

export async function measureLongStream(sim: BenchSim, contenders: Contender[], r: RequestRounds, chunks: number): Promise<RequestMeasure> {
  const text = words(chunks);
  const joined = text.join('');
  // The first chunk alone, the rest in one burst, as peer-bench's 1,000-chunk row sends them.
  // Paced a turn per chunk, the simulator set the pace (12 µs a chunk) and a client's own cost
  // per chunk hardly showed in the time.
  await sim.setDefault({ text, burst: true });
  const run = await interleave(contenders, r, async (c) => {
    const t0 = performance.now();
    const got = await c.stream(() => {});
    const dt = performance.now() - t0;
    if (got.text !== joined) throw new Error(`${c.name} streamed ${got.chunks} of ${chunks} chunks`);
    return dt;
  });
  await sim.setDefault({});
  const f = figures(run.samples, run.cpuMs);
  return {
    target: 'routed / direct ≤ 1.10 in time, ≤ 1.25 in CPU (issue 16)',
    met: f.router!.ratio! <= 1.1 && f.router!.cpuMs! <= 1.25 * f.direct!.cpuMs!,
    notes: [`${chunks} content chunks, the first alone and the rest in one burst; the direct call parses every SSE event and its JSON`],
    chunks,
    rounds: r.rounds,
    perRound: r.perRound,
    contenders: f,
    unavailable: run.unavailable,
  };
}
