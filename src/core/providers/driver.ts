/**
 * One provider call, whatever the family: build the wire request, send it under the caller's
 * signal and the total timeout, turn a non-2xx answer into a RouteError, parse the body or stream
 * it chunk by chunk, and always release the body. Adapters only map; policy (which route, when
 * content is committed, cooldowns, price) stays with the router.
 */
import type { ChatChunk, ChatCompletion } from '../chat';
import type { Limits, Timeouts } from '../config/schema';
import type { RouteError } from '../errors';
import { Cancel, type CancelSignal } from '../http/cancel';
import { readBody, transportError, type HttpClient } from '../http/client';
import { CompletionBuilder } from '../routing/completion-builder';
import { pumpChunks } from '../routing/stream-pump';
import type { AdapterCall, ProviderAdapter } from './types';

export interface DriveOptions {
  http: HttpClient;
  timeouts: Timeouts;
  limits: Limits;
  /** The caller's cancellation. */
  signal?: CancelSignal;
  now: () => number;
  /** Applied to an error body whole, before the adapter cuts anything out of it. */
  redact: (text: string) => string;
  /** Streaming: each chunk as it arrives (the router decides when content is committed). */
  onChunk?: (chunk: ChatChunk) => void;
  /** The model name the completion reports, and when the stream started (for `created`). */
  model: string;
  startedAt: number;
}

export interface DriveResult {
  /** The HTTP status, when an answer arrived. */
  status?: number;
  /** Milliseconds from the start of the call to the response headers. */
  ttfbMs?: number;
  response?: ChatCompletion;
  error?: RouteError;
  /** Why the call was aborted, when it was: the caller's signal or the total timeout. */
  aborted?: 'cancelled' | 'total_timeout';
  /** Characters of content streamed before the end (a stream whose chunks carried none commits nothing). */
  streamedChars?: number;
}

export async function callRoute(adapter: ProviderAdapter, call: AdapterCall, o: DriveOptions): Promise<DriveResult> {
  const t0 = performance.now();
  const cancel = Cancel.linked(o.signal, o.timeouts.totalMs);
  const out: DriveResult = {};
  call.cancel = cancel;
  let body: { destroy?(e?: Error): void } | undefined;
  try {
    // Most adapters build synchronously; awaiting a plain value would still cost a microtask turn.
    const built = adapter.buildRequest(call);
    const spec = built instanceof Promise ? await built : built;
    const res = await o.http.send(spec, o.timeouts, cancel);
    body = res.body;
    out.status = res.status;
    out.ttfbMs = round(performance.now() - t0);
    if (res.status < 200 || res.status >= 300) {
      const text = o.redact(await readBody(res.body, o.limits.maxBodyBytes, res.headers).catch(() => ''));
      out.error = adapter.classifyError(res.status, res.headers, text, o.now());
      return out;
    }
    if (!call.stream) {
      out.response = adapter.parseCompletion(await readBody(res.body, o.limits.maxBodyBytes, res.headers), call);
      out.response.model = o.model;
      return out;
    }
    const builder = new CompletionBuilder();
    await pumpChunks(adapter, res.body, call, o.limits, builder, o.onChunk);
    out.streamedChars = builder.chars;
    out.response = builder.build(o.model, o.startedAt);
    return out;
  } catch (e) {
    out.error = transportError(e, cancel.why, o.timeouts);
    return out;
  } finally {
    cancel.release();
    if (cancel.why) out.aborted = cancel.why;
    body?.destroy?.();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
