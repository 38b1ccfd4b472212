/**
 * Measure 9: throughput at concurrency 50, as peer-bench's c50 rows measure it. Each contender
 * keeps 50 requests in flight until a batch is done, and its rate is requests (or 200-chunk
 * streams) finished per second of the batch's wall time; batches are interleaved like measures
 * 1–3. On a shared machine every rate moves with the load, so the ratio to the direct call in the
 * same rounds is the figure; the target is the router at ≥ 0.9× the direct call in both.
 */
import { LABELS, type Contender, type ContenderName } from '../contenders';
import { interleave } from '../interleave';
import type { ThroughputMeasure, ThroughputFigures } from '../results';
import type { BenchSim } from '../sim-process';
import { summarize } from '../stats';
import { words } from '../wire';

export interface ThroughputSize {
  concurrency: number;
  /** Requests (or streams) per batch; one batch is one sample. */
  perBatch: number;
  rounds: number;
  streamChunks: number;
}

/** `perBatch` calls of `one`, `concurrency` at a time; the calls finished per second. */
async function batchRate(size: ThroughputSize, one: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < size.perBatch) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size.concurrency, size.perBatch) }, worker));
  return (size.perBatch * 1000) / (performance.now() - t0);
}

export async function measureThroughput(sim: BenchSim, contenders: Contender[], size: ThroughputSize): Promise<ThroughputMeasure> {
  const rounds = { rounds: size.rounds, perRound: 1, warmup: 1 };
  await sim.setDefault({});
  const expected = sim.defaultText('sk-bench-0000000000001234');
  const requests = await interleave(contenders, rounds, (c) =>
    batchRate(size, async () => {
      const text = await c.complete();
      if (text !== expected) throw new Error(`${c.name} answered ${JSON.stringify(text).slice(0, 80)}`);
    }),
  );
  const text = words(size.streamChunks);
  const joined = text.join('');
  // In a burst, as peer-bench's upstream sends them: paced a turn per chunk, the simulator's
  // process was the bottleneck (a bare hop in front of the direct call read 1.03× it), which hid
  // what each client spends per chunk.
  await sim.setDefault({ text, burst: true });
  const streams = await interleave(contenders, rounds, (c) =>
    batchRate(size, async () => {
      const got = await c.stream(() => {});
      if (got.text !== joined) throw new Error(`${c.name} streamed ${got.chunks} of ${size.streamChunks} chunks`);
    }),
  );
  await sim.setDefault({});
  const median = (xs: number[] | undefined) => (xs?.length ? summarize(xs).p50 : undefined);
  const directReq = median(requests.samples.get('direct'))!;
  const directStreams = median(streams.samples.get('direct'))!;
  const out: Partial<Record<ContenderName, ThroughputFigures>> = {};
  for (const name of requests.samples.keys()) {
    const r = median(requests.samples.get(name));
    const s = median(streams.samples.get(name));
    if (r === undefined || s === undefined) continue;
    out[name] = {
      label: LABELS[name],
      requestsPerSecond: Math.round(r),
      streamsPerSecond: Math.round(s),
      requestsRatio: Math.round((r / directReq) * 100) / 100,
      streamsRatio: Math.round((s / directStreams) * 100) / 100,
    };
  }
  const router = out.router!;
  return {
    target: 'router ≥ 0.9× the direct call in requests/s and in streams/s',
    met: router.requestsRatio >= 0.9 && router.streamsRatio >= 0.9,
    notes: [
      `concurrency ${size.concurrency}, ${size.perBatch} requests or ${size.streamChunks}-chunk streams per batch (each stream's first chunk alone, the rest in one burst), ${size.rounds} interleaved batches each; the median batch's rate`,
    ],
    concurrency: size.concurrency,
    perBatch: size.perBatch,
    streamChunks: size.streamChunks,
    rounds: size.rounds,
    contenders: out,
    unavailable: [...requests.unavailable, ...streams.unavailable],
  };
}
