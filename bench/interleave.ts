/**
 * Interleaved rounds: every contender runs a small batch in every round, in an order that rotates
 * from round to round, so a slow patch of the machine (GC elsewhere, a neighbour's build) lands on
 * all of them alike instead of on whoever happened to run then.
 */
import type { Contender, ContenderName } from './contenders';
import { gc } from './gc';
import type { Unavailable } from './results';

export interface Interleaved<T> {
  samples: Map<ContenderName, T[]>;
  /** Process CPU time per call, ms: this process's during the contender's batches, plus what the contender reports spending elsewhere (Portkey's gateway process). */
  cpuMs: Map<ContenderName, number>;
  unavailable: Unavailable[];
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').slice(0, 300);
}

/**
 * Runs `warmup` unmeasured calls per contender, then `rounds` × `perRound` measured ones. A peer
 * that fails is dropped with its reason rather than ending the bench; the direct call and the
 * router are never dropped, because without them there is nothing to compare.
 */
export async function interleave<T>(
  contenders: readonly Contender[],
  opts: { rounds: number; perRound: number; warmup: number },
  one: (c: Contender) => Promise<T>,
): Promise<Interleaved<T>> {
  const unavailable: Unavailable[] = [];
  const live: Contender[] = [];
  for (const c of contenders) {
    try {
      for (let i = 0; i < opts.warmup; i++) await one(c);
      live.push(c);
    } catch (e) {
      if (c.name === 'direct' || c.name === 'router') throw e;
      unavailable.push({ contender: c.name, reason: reason(e) });
    }
  }
  const samples = new Map<ContenderName, T[]>(live.map((c) => [c.name, []]));
  const cpu = new Map<ContenderName, number>(live.map((c) => [c.name, 0]));
  const elsewhere0 = new Map(live.map((c) => [c.name, c.cpuElsewhereMs?.() ?? 0]));
  for (let r = 0; r < opts.rounds; r++) {
    const order = live.map((_, k) => live[(r + k) % live.length]!);
    for (const c of order) {
      if (!samples.has(c.name)) continue;
      try {
        // A full collection before every batch, as peer-bench does. Without it this bench never
        // saw what a full GC costs a contender afterwards: V8 frees the layouts of objects no
        // longer alive with the optimized code built for them, and the router's stream path then
        // ran interpreted for about four 1,000-chunk streams (docs/ARCHITECTURE.md,
        // "Performance"). The collection is outside the measured time; what it leaves is inside.
        gc();
        const t0 = cpuNow();
        for (let i = 0; i < opts.perRound; i++) samples.get(c.name)!.push(await one(c));
        cpu.set(c.name, cpu.get(c.name)! + cpuNow() - t0);
      } catch (e) {
        if (c.name === 'direct' || c.name === 'router') throw e;
        samples.delete(c.name);
        unavailable.push({ contender: c.name, reason: reason(e) });
      }
    }
  }
  const cpuMs = new Map<ContenderName, number>();
  for (const c of live) {
    const n = samples.get(c.name)?.length;
    if (!n) continue;
    const elsewhere = (c.cpuElsewhereMs?.() ?? 0) - elsewhere0.get(c.name)!;
    cpuMs.set(c.name, (cpu.get(c.name)! + elsewhere) / n);
  }
  return { samples, cpuMs, unavailable };
}
