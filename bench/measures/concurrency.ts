/**
 * Measure 7: 500 streams through one router at once. All must complete with every chunk; RSS is
 * sampled throughout; and once the router is closed, no socket or timer it made may be left —
 * counted from process.getActiveResourcesInfo() against a baseline taken before it existed.
 */
import type { ChatRequest } from '../../src/core/chat';
import { startOpenAISim } from '../../src/sim/openai';
import { benchRouter, MESSAGES, SLUG } from '../contenders';
import { gc } from '../gc';
import type { ConcurrencyMeasure } from '../results';
import { words } from '../wire';

const MiB = 1024 * 1024;

function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

function beyond(base: Record<string, number>, now: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(now)) if (v > (base[k] ?? 0)) out[k] = v - (base[k] ?? 0);
  return out;
}

const settle = () => new Promise((r) => setImmediate(r));

/** Closed sockets release their handles a few loop turns later: wait until the count stops falling. */
async function quiesce(maxMs = 2000): Promise<Record<string, number>> {
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const deadline = Date.now() + maxMs;
  let last = resources();
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const now = resources();
    if (total(now) >= total(last) || Date.now() > deadline) return now;
    last = now;
  }
}

export async function measureConcurrency(opts: { streams: number; chunks: number; chunkDelayMs: number }): Promise<ConcurrencyMeasure> {
  const sim = await startOpenAISim({ flavor: 'openai' });
  const text = words(opts.chunks);
  const joined = text.join('');
  sim.setDefault({ text, chunkDelayMs: opts.chunkDelayMs });
  await settle();
  gc();
  const base = resources();
  const rssBefore = process.memoryUsage().rss;

  const router = benchRouter(sim.baseUrl);
  let peak = rssBefore;
  let maxInFlight = 0;
  // Sampled on the macrotask queue between I/O callbacks; cleared before the resource count.
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    maxInFlight = Math.max(maxInFlight, sim.inFlight());
  }, 5);
  const req: ChatRequest = { model: SLUG, messages: MESSAGES, stream: true };
  const t0 = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: opts.streams }, async () => {
      let got = '';
      const o = await router.generate(req, { onChunk: (c) => void (got += c.choices[0]?.delta.content ?? '') });
      return o.ok && got === joined && o.response.choices[0]!.message.content === joined;
    }),
  );
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const completed = outcomes.filter(Boolean).length;

  await settle();
  const leftoverWhileOpen = beyond(base, resources());
  await router.close();
  await sim.close();
  const closed = await quiesce();
  gc();
  const after = process.memoryUsage();
  const leftoverAfterClose = beyond(base, closed);

  const clean = Object.keys(leftoverAfterClose).length === 0;
  return {
    target: 'all complete; RSS growth reported; no sockets or timers left',
    met: completed === opts.streams && clean,
    notes: [
      `${opts.chunks} chunks per stream, ${opts.chunkDelayMs} ms apart, one simulator origin`,
      'the router keeps one keep-alive pool per origin capped at 128 connections (src/core/http/client.ts), so streams beyond 128 queue for a connection',
      'leftoverWhileOpen are the pool’s idle keep-alive sockets (expected until close); leftoverAfterClose must be empty',
    ],
    streams: opts.streams,
    chunksPerStream: opts.chunks,
    completed,
    failed: opts.streams - completed,
    wallMs: Math.round(wallMs),
    rssBeforeMiB: Math.round((rssBefore / MiB) * 10) / 10,
    rssPeakMiB: Math.round((peak / MiB) * 10) / 10,
    rssAfterMiB: Math.round((after.rss / MiB) * 10) / 10,
    heapAfterMiB: Math.round((after.heapUsed / MiB) * 10) / 10,
    maxInFlightAtSimulator: maxInFlight,
    leftoverWhileOpen,
    leftoverAfterClose,
  };
}
