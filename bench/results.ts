/** The shape of `bench/results.json`: every figure with what it is measured against. */
import type { ContenderName } from './contenders';
import type { Machine } from './machine';
import type { Summary } from './stats';

export interface ContenderFigures {
  label: string;
  /** Milliseconds per request (or per stream, or to first token). */
  ms: Summary;
  /** p50 and p99 minus the direct call's, in ms. */
  addedP50?: number;
  addedP99?: number;
  /** p50 over the direct call's p50. */
  ratio?: number;
  /** Process CPU per call, ms (the simulator's share included, as for every contender); Portkey's includes its gateway process. */
  cpuMs?: number;
  /** cpuMs minus the direct call's: the work a contender adds, which a busy machine does not inflate. */
  addedCpuMs?: number;
}

export interface Unavailable {
  contender: ContenderName;
  reason: string;
}

interface Measured {
  target: string;
  met: boolean | null;
  notes: string[];
}

export interface RequestMeasure extends Measured {
  rounds: number;
  perRound: number;
  /** Content chunks per stream, where the measure streams. */
  chunks?: number;
  /** The router answering from memory: its own work, without network or simulator. */
  routerAlone?: { ms: Summary; cpuUs: number };
  contenders: Partial<Record<ContenderName, ContenderFigures>>;
  unavailable: Unavailable[];
}

export interface FamilyFigures {
  provider: string;
  chunks: number;
  bytes: number;
  /** Median of the repeats. */
  chunksPerSecond: number;
  /** The best repeat: the one least disturbed by other work on the machine. */
  bestChunksPerSecond: number;
  /** Every repeat, for the spread. */
  repeats: number[];
  /** Chunks per second of process CPU time (median), which a busy machine does not deflate. */
  chunksPerCpuSecond: number;
  /** SSE parse + JSON.parse alone over the same bytes (SSE families only), best repeat: the floor. */
  parseFloorChunksPerSecond?: number;
}

export interface FamilyMeasure extends Measured {
  readBytes: number;
  families: Record<string, FamilyFigures | { missing: string }>;
}

export interface FailoverMeasure extends Measured {
  iterations: number;
  /** Simulator-stamped time from sending the 429 to receiving the next route's request, ms. */
  router: Summary;
  direct: Summary;
  routerAddedP50: number;
  routerAddedP99: number;
  portkey?: Summary | { unavailable: string };
  cooldown: {
    requestsAfter429: number;
    requestsToLimitedKey: number;
    servedByNextKey: number;
    skippedInPlan: number;
    /** The same count for Portkey's fallback, which keeps no cooldown. */
    portkeyRequestsToLimitedTarget?: number;
  };
}

export interface PlanMeasure extends Measured {
  keys: number;
  providers: number;
  callers: number;
  routesPerPlan: Summary;
  ms: Summary;
  /** Process CPU time per plan (user + system), ms. */
  cpuMsPerPlan: number;
}

export interface ConcurrencyMeasure extends Measured {
  streams: number;
  chunksPerStream: number;
  completed: number;
  failed: number;
  wallMs: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
  heapAfterMiB: number;
  maxInFlightAtSimulator: number;
  /** Active handles by type beyond the baseline: while the router is open, and after close(). */
  leftoverWhileOpen: Record<string, number>;
  leftoverAfterClose: Record<string, number>;
}

export interface ThroughputFigures {
  label: string;
  /** The median batch's rate. */
  requestsPerSecond: number;
  streamsPerSecond: number;
  /** Over the direct call's rate in the same rounds. */
  requestsRatio: number;
  streamsRatio: number;
}

export interface ThroughputMeasure extends Measured {
  concurrency: number;
  perBatch: number;
  streamChunks: number;
  rounds: number;
  contenders: Partial<Record<ContenderName, ThroughputFigures>>;
  unavailable: Unavailable[];
}

export interface BundleMeasure extends Measured {
  build: { ok: boolean; output?: string };
  files: Record<string, { bytes: number; gzipBytes: number; minifiedBytes?: number; minifiedGzipBytes?: number } | { missing: string }>;
  /** Filled in by the VS Code host engineer from the real host. */
  activationMs: number | null;
}

/** The measures, in the order of the README table's rows (row n is `MEASURES[n - 1]`). */
export const MEASURES = ['nonStreaming', 'firstToken', 'longStream', 'families', 'failover', 'plan', 'concurrency', 'bundle', 'throughput'] as const;
export type MeasureId = (typeof MEASURES)[number];

/** The measure's row number in the README table, which the notes cite. */
export const measureRow = (id: MeasureId): number => MEASURES.indexOf(id) + 1;

export interface BenchResults {
  machine: Machine;
  quick: boolean;
  versions: Record<string, string>;
  measures: {
    nonStreaming?: RequestMeasure;
    firstToken?: RequestMeasure;
    longStream?: RequestMeasure;
    families?: FamilyMeasure;
    failover?: FailoverMeasure;
    plan?: PlanMeasure;
    concurrency?: ConcurrencyMeasure;
    bundle?: BundleMeasure;
    throughput?: ThroughputMeasure;
  };
}
