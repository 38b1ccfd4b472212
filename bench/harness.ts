/**
 * Runs the measures in one process and returns their results. `quick` shrinks every count to a
 * smoke-sized round (the unit test uses it); the real run is `npm run bench`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startOpenAISim } from '../test/sim/openai';
import {
  aiSdkContender,
  directContender,
  endpointContender,
  hopContender,
  openaiContender,
  portkeyContender,
  portkeySingle,
  routerContender,
  type Contender,
  type ContenderName,
} from './contenders';
import { machine } from './machine';
import { measureRouterAlone } from './measures/alone';
import { measureBundle } from './measures/bundle';
import { measureConcurrency } from './measures/concurrency';
import { measureFailover } from './measures/failover';
import { measureFamilies } from './measures/families';
import { measurePlan } from './measures/plan';
import { measureFirstToken, measureLongStream, measureNonStreaming } from './measures/requests';
import { ROOT } from './paths';
import { startSimProcess } from './sim-process';
import { startPortkey, type PortkeyGateway } from './portkey';
import type { BenchResults, RequestMeasure, Unavailable } from './results';

export type MeasureId = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
export const ALL_MEASURES: readonly MeasureId[] = [1, 2, 3, 4, 5, 6, 7, 8];

export interface BenchOptions {
  quick?: boolean;
  only?: readonly MeasureId[];
  /** In-process peers: the openai SDK and the Vercel AI SDK. */
  peers?: boolean;
  portkey?: boolean;
  /** Run `npm run build` for measure 8. */
  build?: boolean;
  log?: (line: string) => void;
}

const SIZES = {
  full: {
    nonStreaming: { rounds: 40, perRound: 25, warmup: 100 },
    firstToken: { rounds: 40, perRound: 15, warmup: 50 },
    longStream: { rounds: 20, perRound: 3, warmup: 2 },
    longChunks: 1000,
    alone: 20_000,
    families: { chunks: 20_000, repeats: 9 },
    failover: { iterations: 300, afterRequests: 20 },
    plan: { samples: 3000 },
    concurrency: { streams: 500, chunks: 50, chunkDelayMs: 2 },
  },
  quick: {
    nonStreaming: { rounds: 2, perRound: 3, warmup: 2 },
    firstToken: { rounds: 2, perRound: 2, warmup: 1 },
    longStream: { rounds: 1, perRound: 1, warmup: 1 },
    longChunks: 50,
    alone: 50,
    families: { chunks: 200, repeats: 2 },
    failover: { iterations: 3, afterRequests: 3 },
    plan: { samples: 20 },
    concurrency: { streams: 20, chunks: 5, chunkDelayMs: 1 },
  },
};

function packageVersions(): Record<string, string> {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const out: Record<string, string> = {};
  for (const name of ['openai', 'ai', '@ai-sdk/openai-compatible', '@portkey-ai/gateway', 'undici']) {
    out[name] = 'not installed';
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version;
      continue;
    } catch {
      /* not exported: found below */
    }
    try {
      // Some packages do not export their package.json: walk up from the entry point instead.
      for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const file = path.join(dir, 'package.json');
        if (!existsSync(file)) continue;
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
        if (pkg.name !== name) continue;
        out[name] = pkg.version;
        break;
      }
    } catch {
      /* stays "not installed" */
    }
  }
  return out;
}

/** The endpoint's figure beside the bare hop's, so what is the endpoint's own work is plain. */
function hopNotes(m: RequestMeasure, kind: 'latency' | 'ratio'): string[] {
  const { hop, endpoint, router } = m.contenders;
  if (!hop) return [];
  const what = 'a bare node:http pass-through hop (client → node:http → undici → simulator, bytes untouched, no checks)';
  if (kind === 'ratio') return [`${what}: ${hop.ratio}× direct; the local endpoint ${endpoint?.ratio ?? '—'}×`];
  const ms = (x: number | undefined) => (x === undefined ? '—' : `+${x.toFixed(3)} ms`);
  return [
    `${what} adds ${ms(hop.addedP50)} p50 (CPU ${ms(hop.addedCpuMs)}); the router in process ${ms(router?.addedP50)}; the local endpoint ${ms(endpoint?.addedP50)} — a hop plus the router is the endpoint's floor`,
  ];
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResults> {
  const quick = opts.quick ?? false;
  const size = quick ? SIZES.quick : SIZES.full;
  const wanted = new Set(opts.only ?? ALL_MEASURES);
  const log = opts.log ?? (() => {});
  const gc = () => (globalThis as { gc?: () => void }).gc?.();
  const results: BenchResults = { machine: machine(), quick, versions: packageVersions(), measures: {} };

  // The CPU-bound measures run first, on a small heap and with no gateway process beside them.
  if (wanted.has(4)) {
    log('4: stream transform throughput per family…');
    gc();
    results.measures['4'] = await measureFamilies(size.families);
  }

  if (wanted.has(6)) {
    log('6: plan computation…');
    gc();
    results.measures['6'] = await measurePlan(size.plan);
  }
  const needsSim = [1, 2, 3, 5].some((m) => wanted.has(m as MeasureId));
  const needsPortkey = (opts.portkey ?? true) && needsSim;
  let portkey: PortkeyGateway | undefined;
  let portkeyFailure: Unavailable | undefined;
  if (needsPortkey) {
    log('starting the Portkey gateway…');
    try {
      portkey = await startPortkey();
    } catch (e) {
      portkeyFailure = { contender: 'portkey', reason: (e as Error).message.slice(0, 300) };
    }
  }

  try {
    if ([1, 2, 3].some((m) => wanted.has(m as MeasureId))) {
      const sim = await startSimProcess();
      const contenders: Contender[] = [directContender(sim.baseUrl), routerContender(sim.baseUrl)];
      const failed: Unavailable[] = portkeyFailure ? [portkeyFailure] : [];
      const peer = async (name: ContenderName, make: () => Promise<Contender>) => {
        try {
          contenders.push(await make());
        } catch (e) {
          failed.push({ contender: name, reason: (e as Error).message.slice(0, 300) });
        }
      };
      await peer('endpoint', () => endpointContender(sim.baseUrl));
      await peer('hop', () => hopContender(sim.baseUrl));
      if (opts.peers ?? true) {
        await peer('openai', () => openaiContender(sim.baseUrl));
        await peer('ai-sdk', () => aiSdkContender(sim.baseUrl));
      }
      if (portkey) {
        const gateway = portkey;
        contenders.push(portkeyContender(gateway.url, portkeySingle(sim.baseUrl), gateway.cpuMs() === undefined ? undefined : () => gateway.cpuMs()!));
      }
      try {
        if (wanted.has(1)) {
          log('1: non-streaming added latency…');
          gc();
          results.measures['1'] = await measureNonStreaming(sim, contenders, size.nonStreaming);
          results.measures['1'].unavailable.unshift(...failed);
          results.measures['1'].notes.push(...hopNotes(results.measures['1'], 'latency'));
          results.measures['1'].routerAlone = await measureRouterAlone({ stream: false, samples: size.alone });
        }
        if (wanted.has(2)) {
          log('2: time to first token…');
          gc();
          results.measures['2'] = await measureFirstToken(sim, contenders, size.firstToken);
          results.measures['2'].unavailable.unshift(...failed);
          results.measures['2'].routerAlone = await measureRouterAlone({ stream: true, samples: size.alone });
        }
        if (wanted.has(3)) {
          log(`3: ${size.longChunks}-chunk streams…`);
          gc();
          results.measures['3'] = await measureLongStream(sim, contenders, size.longStream, size.longChunks);
          results.measures['3'].unavailable.unshift(...failed);
          results.measures['3'].notes.push(...hopNotes(results.measures['3'], 'ratio'));
        }
      } finally {
        for (const c of contenders) await c.close();
        await sim.close();
      }
    }

    if (wanted.has(5)) {
      log('5: failover after a 429…');
      gc();
      const [a, b] = await Promise.all([
        startOpenAISim({ flavor: 'openai', keepAliveTimeoutMs: 60_000 }),
        startOpenAISim({ flavor: 'openai', keepAliveTimeoutMs: 60_000 }),
      ]);
      try {
        results.measures['5'] = await measureFailover(a, b, portkey, size.failover);
        if (portkeyFailure) results.measures['5'].portkey = { unavailable: portkeyFailure.reason };
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }
  } finally {
    await portkey?.close();
  }

  if (wanted.has(7)) {
    log(`7: ${size.concurrency.streams} concurrent streams…`);
    gc();
    results.measures['7'] = await measureConcurrency(size.concurrency);
  }
  if (wanted.has(8)) {
    log('8: bundle sizes…');
    results.measures['8'] = await measureBundle({ build: opts.build ?? !quick });
  }
  return results;
}
