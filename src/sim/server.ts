/**
 * A scriptable loopback HTTP server that every provider simulator builds on.
 *
 * The server owns what is the same for every provider: recording requests, the per-request fault
 * script, the HTTP-level faults (delay, reset, hang, canned error), and the stream pump that applies
 * the stream faults (stall, reset, malformed frame, keep-alive comments, mid-stream error) to frames
 * a wire-format layer has already encoded. The wire-format layer (openai.ts, and later anthropic,
 * gemini, bedrock) only decides routes, auth, validation and how an answer is encoded.
 *
 * Scripts are taken lazily: a handler calls `ex.applyScript()` once a request has passed routing,
 * auth and validation. So a request refused with 401/404/422 by the simulator itself does not eat
 * the script a test queued for the request that will be served.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  bodyText: string;
  /** The body parsed as JSON when it is JSON; undefined otherwise. */
  json?: unknown;
  /** Date.now() when the body had fully arrived. */
  at: number;
  /** How the exchange ended; set when the response closes. */
  outcome?: Outcome;
}

export type Outcome = 'completed' | 'client-aborted' | 'reset' | 'server-closed';

export interface ToolCallScript {
  /** Defaults to a provider-shaped generated id. */
  id?: string;
  name: string;
  /** A JSON string as the provider would send it; objects are stringified. */
  arguments: string | Record<string, unknown>;
}

export interface MidStreamError {
  afterChunks: number;
  /** Provider-specific extras, e.g. `message`, `code`, `errorType`. */
  [detail: string]: unknown;
}

/** One request's behaviour. Every field is optional; `{}` means "answer normally". */
export interface Script {
  // -- whole-response, applied by the server before the wire layer runs --
  /** With `errorBody` or a status >= 400 the server answers this and the wire layer is skipped. */
  status?: number;
  /** Merged into whatever response this request gets (error or normal answer). */
  headers?: Record<string, string>;
  /** Objects are JSON-stringified; strings are sent verbatim (e.g. an HTML error page). */
  errorBody?: unknown;
  delayBeforeHeadersMs?: number;
  /** Destroy the socket without sending anything. */
  resetBeforeHeaders?: boolean;
  /** Hold the request until the client aborts or the server closes. */
  neverRespond?: boolean;

  // -- answer content, interpreted by the wire layer --
  /** A string is split into word deltas; an array is used as the deltas. */
  text?: string | string[];
  toolCalls?: ToolCallScript[];
  reasoning?: string | string[];
  usage?: { prompt_tokens: number; completion_tokens: number; [extra: string]: unknown };
  /** Report prompt tokens as a tokenizer counts them (src/sim/tokens.ts) rather than four characters of JSON a token. */
  realisticUsage?: boolean;
  finishReason?: string;

  // -- stream faults, applied by `SimExchange.stream` --
  chunkDelayMs?: number;
  /**
   * The first chunk alone, then every other chunk in one turn without waiting for the socket, as
   * a provider flushing a buffered answer sends them: the client reads the rest in a few large
   * reads, and the simulator's own pacing (a turn per chunk) stays out of a client's figures.
   */
  burst?: boolean;
  /** After N chunks stop sending and hold the response open. N beyond the end = stall before the trailer. */
  stallAfterChunks?: number;
  /** After N chunks destroy the socket. */
  resetAfterChunks?: number;
  /** After N chunks emit the wire layer's invalid frame, then carry on. */
  malformedAfterChunks?: number;
  /** This many comment frames before the first chunk and between chunks. */
  keepAliveComments?: number;
  /** After the trailer (`[DONE]`, `message_stop`) keep the response open, sending a comment every 100 ms. */
  holdOpenAfterTrailer?: boolean;
  /** After N chunks send the wire layer's error frames and end the stream (no trailer). */
  midStreamError?: MidStreamError;

  // -- non-streaming faults, applied by `SimExchange.send` --
  /** true: send the first half of the body with a matching Content-Length. 'reset': promise the full length, send half, drop the socket. */
  truncateBody?: boolean | 'reset';
}

/** An encoded piece of a streamed body: an SSE event, a comment, a binary eventstream frame. */
export type Frame = string | Uint8Array;

/** What a wire layer hands to `SimExchange.stream`. */
export interface StreamPlan {
  status?: number;
  headers?: Record<string, string>;
  /** Sent first and not counted as chunks (e.g. OpenRouter's processing comment). */
  prelude?: Frame[];
  chunks: Frame[];
  /** Sent after the last chunk unless a fault cut the stream (e.g. `data: [DONE]`). */
  trailer?: Frame[];
  /** The frame used for `keepAliveComments`; without it the knob is ignored. */
  comment?: Frame;
  /** The frame used for `malformedAfterChunks`. */
  malformed?: Frame;
  /** Frames used for `midStreamError`; the response ends right after them. */
  errorFrames?: Frame[];
}

export type SimHandler = (ex: SimExchange) => void | Promise<void>;
export type ScriptFn = (req: RecordedRequest) => Script | undefined;

export interface SimServerOptions {
  /** How long idle keep-alive sockets stay open; Node's default is 5 s. */
  keepAliveTimeoutMs?: number;
}

/** Ids as a simulator makes them: the prefix, `sim` and a six-digit count of this sequence's ids. */
export function idSequence(): (prefix: string) => string {
  let counter = 0;
  return (prefix) => `${prefix}sim${String(++counter).padStart(6, '0')}`;
}

/** Resolves after `ms`, or early (never rejects) when `signal` aborts, so no timer outlives a close. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

// SSE encoders shared by the SSE-speaking simulators.
export const sse = {
  data: (payload: unknown): string => `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`,
  event: (name: string, payload: unknown): string => `event: ${name}\ndata: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`,
  comment: (text: string): string => `: ${text}\n\n`,
};

/** One request/response pair as the wire layer sees it. */
export class SimExchange {
  /** The script applied to this request, once `applyScript` has run. */
  script: Script | undefined;
  private applied = false;
  private resetBySim = false;

  constructor(
    readonly req: RecordedRequest,
    readonly res: http.ServerResponse,
    /** Aborts when the response closes for any reason (done, client gone, reset, server closing). */
    readonly signal: AbortSignal,
    private readonly pickScript: (req: RecordedRequest) => Script,
  ) {}

  /** True while more can still be written. */
  get open(): boolean {
    return !this.signal.aborted && !this.res.destroyed && !this.res.writableEnded;
  }

  /**
   * Takes this request's script and applies the HTTP-level faults. Resolves to the script the wire
   * layer should interpret, or undefined when a fault has already settled the response.
   */
  async applyScript(): Promise<Script | undefined> {
    if (this.applied) return this.open ? this.script : undefined;
    this.applied = true;
    const script = this.pickScript(this.req);
    this.script = script;
    if (script.delayBeforeHeadersMs) await sleep(script.delayBeforeHeadersMs, this.signal);
    if (!this.open) return undefined;
    if (script.resetBeforeHeaders) {
      this.reset();
      return undefined;
    }
    if (script.neverRespond) {
      await this.closed();
      return undefined;
    }
    if (script.errorBody !== undefined || (script.status !== undefined && script.status >= 400)) {
      this.send(script.status ?? 500, script.errorBody ?? '');
      return undefined;
    }
    return script;
  }

  /**
   * Sends a complete body. Objects become JSON; strings go verbatim (HTML if they look like it).
   * Once a script is applied its headers are merged in and `truncateBody` is honoured, so a wire
   * layer gets those faults for free.
   */
  send(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (!this.open) return;
    const { bytes, contentType } = encodeBody(body);
    const all = { 'content-type': contentType, ...headers, ...this.scriptHeaders() };
    const truncate = this.applied && status < 400 ? this.script?.truncateBody : undefined;
    if (!truncate) {
      this.res.writeHead(status, { ...all, 'content-length': String(bytes.length) });
      this.res.end(bytes);
      return;
    }
    const half = bytes.subarray(0, Math.floor(bytes.length / 2));
    if (truncate === 'reset') {
      // Promise the whole body, deliver half, then drop: the client sees a premature close.
      this.res.writeHead(status, { ...all, 'content-length': String(bytes.length) });
      this.res.write(half, () => this.reset());
      return;
    }
    this.res.writeHead(status, { ...all, 'content-length': String(half.length) });
    this.res.end(half);
  }

  /** Streams `plan.chunks`, applying the script's stream faults. Resolves when the response is over. */
  async stream(plan: StreamPlan): Promise<void> {
    if (!this.open) return;
    const s = this.script ?? {};
    this.res.writeHead(plan.status ?? 200, { ...plan.headers, ...this.scriptHeaders() });
    this.res.flushHeaders(); // headers must reach the client even if we stall before chunk 1
    for (const frame of plan.prelude ?? []) await this.write(frame);
    const n = plan.chunks.length;
    const at = (k: number | undefined) => (k === undefined ? -1 : Math.min(k, n));
    for (let i = 0; i <= n; i++) {
      if (!this.open) return;
      if (s.midStreamError && at(s.midStreamError.afterChunks) === i && plan.errorFrames) {
        for (const frame of plan.errorFrames) await this.write(frame);
        this.res.end();
        return;
      }
      if (at(s.resetAfterChunks) === i) return this.reset();
      if (at(s.stallAfterChunks) === i) return this.closed();
      if (at(s.malformedAfterChunks) === i && plan.malformed) await this.write(plan.malformed);
      if (i === n) break;
      if (i > 0 && s.chunkDelayMs) await sleep(s.chunkDelayMs, this.signal);
      if (plan.comment) for (let c = 0; c < (s.keepAliveComments ?? 0); c++) await this.write(plan.comment);
      const written = this.write(plan.chunks[i]!);
      if (!s.burst || i === 0) await written;
    }
    for (const frame of plan.trailer ?? []) await this.write(frame);
    while (s.holdOpenAfterTrailer && this.open) {
      if (plan.comment) await this.write(plan.comment);
      await sleep(100, this.signal).catch(() => undefined);
    }
    if (this.open) this.res.end();
  }

  /** Destroys the socket under this response: the client sees ECONNRESET / "other side closed". */
  reset(): void {
    this.resetBySim = true;
    this.res.socket?.destroy();
    this.res.destroy();
  }

  /** Resolves when the response has closed (client abort, reset, end, or server close). */
  closed(): Promise<void> {
    if (this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** @internal used by the server to classify how the exchange ended. */
  get wasResetBySim(): boolean {
    return this.resetBySim;
  }

  private scriptHeaders(): Record<string, string> {
    return this.applied ? (this.script?.headers ?? {}) : {};
  }

  private write(frame: Frame): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => {
      // The callback fires once the bytes are handed to the socket (or with an error if it died);
      // either way the pump moves on and re-checks `open`.
      this.res.write(frame, () => resolve());
    });
  }
}

function encodeBody(body: unknown): { bytes: Buffer; contentType: string } {
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body), contentType: 'application/octet-stream' };
  if (typeof body === 'string') {
    const html = /^\s*</.test(body);
    return { bytes: Buffer.from(body, 'utf8'), contentType: html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' };
  }
  return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), contentType: 'application/json' };
}

/** A running simulator. Wire-format simulators extend this object with their own fields. */
export class SimServer {
  readonly requests: RecordedRequest[] = [];
  /** Errors thrown by the handler (answered as 500); tests can assert this stays empty. */
  readonly handlerErrors: unknown[] = [];
  /** Consulted when the queue is empty, before the default. */
  script: ScriptFn | undefined;
  private readonly queue: Script[] = [];
  private defaultScript: Script = {};
  private readonly sockets = new Set<Socket>();
  private readonly live = new Set<AbortController>();
  private readonly waiters = new Set<() => void>();
  private closing: Promise<void> | undefined;

  /** @internal use `startSimServer`. */
  constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  /** `http://127.0.0.1:<port>` with no trailing slash. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues scripts; each served request takes the next one. */
  enqueue(...scripts: Script[]): this {
    this.queue.push(...scripts);
    return this;
  }

  /** The script used when the queue is empty and `script` returns nothing. */
  setDefault(script: Script): this {
    this.defaultScript = script;
    return this;
  }

  /** Scripts still waiting in the queue. */
  queued(): number {
    return this.queue.length;
  }

  /** Exchanges whose response has not closed yet. */
  inFlight(): number {
    return this.live.size;
  }

  /** Resolves with the first `n` recorded requests; rejects after `timeoutMs` so a test never hangs. */
  waitForRequests(n: number, timeoutMs = 2000): Promise<RecordedRequest[]> {
    return this.waitUntil(
      () => this.requests.length >= n,
      timeoutMs,
      () => `${n} request(s), saw ${this.requests.length}`,
    ).then(() => this.requests.slice(0, n));
  }

  /** Resolves once `check()` is true, re-checked on every request and every settled exchange. */
  waitUntil(check: () => boolean, timeoutMs = 2000, describe: () => string = () => 'condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(poke);
        if (error) reject(error);
        else resolve();
      };
      const poke = () => {
        if (this.closing) finish(new Error(`sim closed while waiting for ${describe()}`));
        else if (check()) finish();
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`)), timeoutMs);
      this.waiters.add(poke);
    });
  }

  /** Stops listening, ends every in-flight exchange and destroys every socket. Never hangs. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const controller of this.live) controller.abort();
      for (const socket of this.sockets) socket.destroy();
      this.notify();
    });
    return this.closing;
  }

  /** @internal */
  pick(req: RecordedRequest): Script {
    return this.queue.shift() ?? this.script?.(req) ?? this.defaultScript;
  }

  /** @internal */
  track(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** @internal */
  async serve(handler: SimHandler, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const controller = new AbortController();
    this.live.add(controller);
    res.once('close', () => {
      controller.abort();
      this.live.delete(controller);
      this.notify();
    });
    let bodyText: string;
    try {
      bodyText = await readBody(req);
    } catch {
      return; // client went away mid-body; nothing to record
    }
    const recorded = recordRequest(req, bodyText);
    this.requests.push(recorded);
    const ex = new SimExchange(recorded, res, controller.signal, (r) => this.pick(r));
    res.once('close', () => {
      recorded.outcome = this.closing ? 'server-closed' : ex.wasResetBySim ? 'reset' : res.writableFinished ? 'completed' : 'client-aborted';
      this.notify();
    });
    this.notify();
    try {
      await handler(ex);
      // A handler that returns without answering would leave the client hanging; answer for it.
      if (ex.open && !res.headersSent) ex.send(500, { error: { message: 'simulator handler returned without answering' } });
    } catch (error) {
      this.handlerErrors.push(error);
      if (!ex.open) return;
      if (res.headersSent) ex.reset();
      else ex.send(500, { error: { message: `simulator handler threw: ${String(error)}` } });
    }
  }

  private notify(): void {
    for (const poke of [...this.waiters]) poke();
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('aborted')));
  });
}

function recordRequest(req: http.IncomingMessage, bodyText: string): RecordedRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let json: unknown;
  if (bodyText) {
    try {
      json = JSON.parse(bodyText);
    } catch {
      json = undefined; // the wire layer decides whether that is a 400
    }
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    bodyText,
    json,
    at: Date.now(),
  };
}

/** Starts a simulator on 127.0.0.1 with an OS-assigned port. */
export async function startSimServer(handler: SimHandler, opts: SimServerOptions = {}): Promise<SimServer> {
  const server = http.createServer({ keepAlive: true, noDelay: true });
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 5000;
  // Malformed client input must not crash the test process.
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const sim = new SimServer(server, (server.address() as AddressInfo).port);
  server.on('connection', (socket: Socket) => sim.track(socket));
  server.on('request', (req, res) => void sim.serve(handler, req, res));
  return sim;
}
