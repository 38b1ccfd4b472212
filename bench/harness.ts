/**
 * Runs the measures in one process and returns their results. `quick` shrinks every count to a
 * smoke-sized round (the unit test uses it); the real run is `npm run bench`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startOpenAISim } from '../src/sim/openai';
import {
  aiSdkContender,
  directContender,
  endpointContender,
  passThroughContender,
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
import { measureThroughput } from './measures/throughput';
import { measureFailover } from './measures/failover';
import { measureFamilies } from './measures/families';
import { measurePlan } from './measures/plan';
import { measureFirstToken, measureLongStream, measureNonStreaming } from './measures/requests';
import { ROOT } from './paths';
import { gc } from './gc';
import { startGatewayProcess } from './gateway-process';
import { startSimProcess } from './sim-process';
import { startPortkey, type PortkeyGateway } from './portkey';
import { MEASURES, type BenchResults, type MeasureId, type RequestMeasure, type Unavailable } from './results';

export { MEASURES as ALL_MEASURES, type MeasureId } from './results';

export interface BenchOptions {
  quick?: boolean;
  only?: readonly MeasureId[];
  /** In-process peers: the openai SDK and the Vercel AI SDK. */
  peers?: boolean;
  portkey?: boolean;
  /** Run `npm run build` for the bundle measure. */
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
    throughput: { concurrency: 50, perBatch: 500, rounds: 6, streamChunks: 200 },
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
    throughput: { concurrency: 5, perBatch: 10, rounds: 1, streamChunks: 5 },
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

/** The endpoint's figure beside the bare hop's and the relay's, so what is the endpoint's own work is plain. */
function hopNotes(m: RequestMeasure, kind: 'latency' | 'ratio'): string[] {
  const { hop, relay, endpoint, router } = m.contenders;
  if (!hop) return [];
  const what = 'a bare node:http pass-through hop in its own process (client → node:http → undici → simulator, bytes untouched, no checks)';
  const under = 'a TCP relay in its own process (bytes piped, no HTTP)';
  if (kind === 'ratio') return [`${what}: ${hop.ratio}× direct; under it, ${under}: ${relay?.ratio ?? '—'}×; the local endpoint ${endpoint?.ratio ?? '—'}×`];
  const ms = (x: number | undefined) => (x === undefined ? '—' : `+${x.toFixed(3)} ms`);
  return [
    `${what} adds ${ms(hop.addedP50)} p50 (CPU ${ms(hop.addedCpuMs)}); under it, ${under} adds ${ms(relay?.addedP50)} (CPU ${ms(relay?.addedCpuMs)}); the router in process ${ms(router?.addedP50)}; the local endpoint ${ms(endpoint?.addedP50)} — a hop plus the router is the endpoint's floor`,
  ];
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResults> {
  const quick = opts.quick ?? false;
  const size = quick ? SIZES.quick : SIZES.full;
  const wanted = new Set<MeasureId>(opts.only ?? MEASURES);
  const log = opts.log ?? (() => {});
  const results: BenchResults = { machine: machine(), quick, versions: packageVersions(), measures: {} };

  // The CPU-bound measures run first, on a small heap and with no gateway process beside them.
  if (wanted.has('families')) {
    log('4: stream transform throughput per family…');
    gc();
    results.measures.families = await measureFamilies(size.families);
  }

  if (wanted.has('plan')) {
    log('6: plan computation…');
    gc();
    results.measures.plan = await measurePlan(size.plan);
  }
  const needsSim = (['nonStreaming', 'firstToken', 'longStream', 'failover', 'throughput'] as const).some((m) => wanted.has(m));
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
    if ((['nonStreaming', 'firstToken', 'longStream', 'throughput'] as const).some((m) => wanted.has(m))) {
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
      await peer('endpoint', async () => endpointContender(await startGatewayProcess('endpoint', sim.baseUrl)));
      await peer('hop', async () => passThroughContender('hop', await startGatewayProcess('hop', sim.baseUrl)));
      await peer('relay', async () => passThroughContender('relay', await startGatewayProcess('relay', sim.baseUrl)));
      if (opts.peers ?? true) {
        await peer('openai', () => openaiContender(sim.baseUrl));
        await peer('ai-sdk', () => aiSdkContender(sim.baseUrl));
      }
      if (portkey) {
        const gateway = portkey;
        contenders.push(portkeyContender(gateway.url, portkeySingle(sim.baseUrl), () => gateway.cpuMs()));
      }
      try {
        if (wanted.has('nonStreaming')) {
          log('1: non-streaming added latency…');
          results.measures.nonStreaming = await measureNonStreaming(sim, contenders, size.nonStreaming);
          results.measures.nonStreaming.unavailable.unshift(...failed);
          results.measures.nonStreaming.notes.push(...hopNotes(results.measures.nonStreaming, 'latency'));
          results.measures.nonStreaming.routerAlone = await measureRouterAlone({ stream: false, samples: size.alone });
        }
        if (wanted.has('firstToken')) {
          log('2: time to first token…');
          results.measures.firstToken = await measureFirstToken(sim, contenders, size.firstToken);
          results.measures.firstToken.unavailable.unshift(...failed);
          results.measures.firstToken.routerAlone = await measureRouterAlone({ stream: true, samples: size.alone });
        }
        if (wanted.has('longStream')) {
          log(`3: ${size.longChunks}-chunk streams…`);
          results.measures.longStream = await measureLongStream(sim, contenders, size.longStream, size.longChunks);
          results.measures.longStream.unavailable.unshift(...failed);
          results.measures.longStream.notes.push(...hopNotes(results.measures.longStream, 'ratio'));
        }
        if (wanted.has('throughput')) {
          log(`9: concurrency ${size.throughput.concurrency} throughput…`);
          results.measures.throughput = await measureThroughput(sim, contenders, size.throughput);
          results.measures.throughput.unavailable.unshift(...failed);
        }
      } finally {
        for (const c of contenders) await c.close();
        await sim.close();
      }
    }

    if (wanted.has('failover')) {
      log('5: failover after a 429…');
      gc();
      const [a, b] = await Promise.all([
        startOpenAISim({ flavor: 'openai', keepAliveTimeoutMs: 60_000 }),
        startOpenAISim({ flavor: 'openai', keepAliveTimeoutMs: 60_000 }),
      ]);
      try {
        results.measures.failover = await measureFailover(a, b, portkey, size.failover);
        if (portkeyFailure) results.measures.failover.portkey = { unavailable: portkeyFailure.reason };
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }
  } finally {
    await portkey?.close();
  }

  if (wanted.has('concurrency')) {
    log(`7: ${size.concurrency.streams} concurrent streams…`);
    gc();
    results.measures.concurrency = await measureConcurrency(size.concurrency);
  }
  if (wanted.has('bundle')) {
    log('8: bundle sizes…');
    results.measures.bundle = await measureBundle({ build: opts.build ?? !quick });
  }
  return results;
}
