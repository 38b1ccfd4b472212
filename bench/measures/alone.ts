/**
 * The router with the network taken away: an HttpClient that answers from memory with the same
 * bytes the simulator sends. What is left is the router's own work per request, which no load on
 * the machine or the simulator's share can blur: the floor under measures 1 and 2.
 */
import type { ChatRequest } from '../../src/core/chat';
import type { HttpClient } from '../../src/core/http/client';
import { benchRouter, MESSAGES, SLUG } from '../contenders';
import { ms, roundSummary, summarize, type Summary } from '../stats';
import { bodyOf, openaiStream } from '../wire';
import { TTFT_CHUNKS } from './requests';

export interface RouterAlone {
  /** Wall time per generate(), from the call to the outcome (non-streaming) or to the first content delta (streaming), ms. */
  ms: Summary;
  /** Process CPU per generate(), µs (a streamed one run to its end). */
  cpuUs: number;
}

function memoryHttp(): HttpClient {
  const completion = Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-alone',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from memory' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    }),
  );
  const stream = openaiStream(TTFT_CHUNKS);
  return {
    async send(spec) {
      const streaming = spec.headers.accept === 'text/event-stream';
      return { status: 200, headers: {}, body: bodyOf([streaming ? stream : completion]) };
    },
    async close() {},
  };
}

export async function measureRouterAlone(opts: { stream: boolean; samples: number }): Promise<RouterAlone> {
  const router = benchRouter('http://127.0.0.1:9/v1', [], {}, memoryHttp());
  const req: ChatRequest = { model: SLUG, messages: MESSAGES, ...(opts.stream ? { stream: true } : {}) };
  const one = async () => {
    let first = NaN;
    const t0 = performance.now();
    const o = await router.generate(req, { onChunk: (c) => void (Number.isNaN(first) && c.choices[0]?.delta.content && (first = performance.now())) });
    if (!o.ok) throw new Error(`router alone: ${o.error.message}`);
    return (opts.stream ? first : performance.now()) - t0;
  };
  for (let i = 0; i < Math.min(2000, opts.samples); i++) await one();
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < opts.samples; i++) times.push(await one());
  const c = process.cpuUsage(c0);
  await router.close();
  return { ms: roundSummary(summarize(times)), cpuUs: ms((c.user + c.system) / opts.samples) };
}
