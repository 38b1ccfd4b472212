/**
 * One keep-alive undici Agent (pooled per origin) for every route; never an agent per request.
 * Timeouts map to undici's: connect, headers (first byte), body (idle between chunks); the total
 * is our own timer, since keep-alive comments would otherwise keep a stalled stream alive forever.
 */
import type { Dispatcher } from 'undici';
import { undici } from './undici';
import type { Timeouts } from '../config/schema';
import type { CancelSignal } from './cancel';
import { routeError, RouteFailure, type RouteError } from '../errors';

export interface HttpRequestSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { destroy?(err?: Error): void };
}

export interface HttpClient {
  send(spec: HttpRequestSpec, timeouts: Timeouts, signal: CancelSignal): Promise<HttpResponse>;
  close(): Promise<void>;
}

export class UndiciHttpClient implements HttpClient {
  private dispatcher: Dispatcher | undefined;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly opts: { dispatcher?: Dispatcher; connectTimeoutMs?: number } = {}) {
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher;
  }

  private agent(): Dispatcher {
    return (this.dispatcher ??= new (undici().Agent)({
      connect: { timeout: this.opts.connectTimeoutMs ?? 10_000 },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connections: 128,
      pipelining: 1,
    }));
  }

  async send(spec: HttpRequestSpec, timeouts: Timeouts, signal: CancelSignal): Promise<HttpResponse> {
    // The agent takes an origin and a path: `undici.request(url)` would parse the URL and copy
    // the options on every call, for a URL that is the same for every request to a provider.
    const { origin, path } = splitUrl(spec.url);
    const res = await this.agent().request({
      origin,
      path,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      signal,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    });
    return { status: res.statusCode, headers: res.headers as HttpResponse['headers'], body: res.body };
  }

  async close() {
    if (this.ownsDispatcher && this.dispatcher) await this.dispatcher.close();
  }
}

/** Origins and paths of the URLs called so far: a handful per configuration (base URL × endpoint). */
const SPLIT = new Map<string, { origin: string; path: string }>();
const MAX_SPLIT = 256;

/** A URL's origin and path with its query, parsed once per distinct URL. */
export function splitUrl(url: string): { origin: string; path: string } {
  let split = SPLIT.get(url);
  if (!split) {
    const u = new URL(url);
    split = { origin: u.origin, path: `${u.pathname}${u.search}` };
    // Bounded: a configuration edited all day must not grow it; the next call parses again.
    if (SPLIT.size >= MAX_SPLIT) SPLIT.clear();
    SPLIT.set(url, split);
  }
  return split;
}

/**
 * Read a whole body, refusing more than `max` bytes (a provider error page can be huge). Pass the
 * response headers when there are any: a body whose declared length fits is read by undici itself.
 */
export function readBody(body: HttpResponse['body'], max: number, headers?: HttpResponse['headers']): Promise<string> {
  // At concurrency 50 the async iterator cost 50 µs of CPU per request over undici's own
  // `text()`, which feeds the body to one string without the stream's buffering; the stream's
  // events are between the two. A declared length bounds what `text()` can read.
  const declared = Number(headers?.['content-length']);
  if (declared <= max && hasText(body)) return body.text();
  return isEmitter(body) ? readEvents(body, max) : readIterated(body, max);
}

function hasText(body: object): body is { text(): Promise<string> } {
  return typeof (body as { text?: unknown }).text === 'function';
}

interface Emitter {
  on(event: string, listener: (arg: never) => void): unknown;
  removeListener(event: string, listener: (arg: never) => void): unknown;
  destroy?(err?: Error): void;
}

function isEmitter(body: object): body is Emitter & HttpResponse['body'] {
  return typeof (body as Partial<Emitter>).on === 'function' && typeof (body as Partial<Emitter>).removeListener === 'function';
}

const ignore = () => undefined;

function tooLarge(max: number): RouteFailure {
  return new RouteFailure(routeError('server', `response body exceeded the ${max}-byte limit`));
}

function readEvents(body: Emitter, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let size = 0;
    const done = () => {
      body.removeListener('data', onData);
      body.removeListener('end', onEnd);
      body.removeListener('error', onError);
      body.removeListener('close', onClose);
    };
    const onData = (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > max) {
        done();
        // undici reports its own destroy as an AbortError: expected here, and not to go unheard.
        body.on('error', ignore);
        body.destroy?.();
        reject(tooLarge(max));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(parts).toString('utf8'));
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    // Destroyed without an error (an abort undici reports by closing): not a whole body.
    const onClose = () => {
      done();
      reject(new Error('the response body closed before it ended'));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

async function readIterated(body: HttpResponse['body'], max: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) {
      body.destroy?.();
      throw tooLarge(max);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * Map a thrown transport error to a RouteError. `why` tells an abort by the caller from an abort
 * by our total timer, which undici both report as AbortError.
 */
export function transportError(e: unknown, why: 'cancelled' | 'total_timeout' | undefined, timeouts: Timeouts): RouteError {
  if (e instanceof RouteFailure) return e.error;
  if (why === 'cancelled') return routeError('cancelled', 'cancelled by the caller');
  if (why === 'total_timeout') return routeError('timeout', `no complete answer within the total timeout of ${timeouts.totalMs} ms`);
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return routeError('timeout', `no response headers within ${timeouts.firstByteMs} ms (first-byte timeout)`, { code });
  if (code === 'UND_ERR_BODY_TIMEOUT') return routeError('timeout', `no data for ${timeouts.idleMs} ms between chunks (idle timeout)`, { code });
  if (TIMEOUT_CODES.has(code)) return routeError('timeout', `could not connect within ${timeouts.connectMs} ms`, { code });
  const detail = code ? `${code}` : (err?.message ?? String(e));
  return routeError('network', `network error: ${detail}`, { code: code || undefined });
}
