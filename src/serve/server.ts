/**
 * The local endpoint: OpenAI- and Anthropic-compatible HTTP on loopback, driving the core router.
 * Shared by `byok-router serve` and the editor. Safe by default: loopback only, a caller token on
 * every request, Host and Origin checks against DNS rebinding and web pages, body and concurrency
 * limits, a header timeout, no CORS, and a client that goes away takes its upstream request with it.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Cancel, type Catalog, type ChatRequest, type GenerateOptions, type GenerationOutcome, type Plan, routeLabel } from '../core';
import { BadRequest, nowSeconds, type ClientApi, type ParsedRequest } from './api';
import { anthropicMessages, countTokens } from './anthropic-messages';
import { errorBody, fromRouteError, httpError, type ApiFamily, type HttpError } from './errors';
import { ModelResolver } from './models';
import { openAIChat } from './openai-chat';
import { openAIResponses } from './openai-responses';
import { presentedToken, type TokenTable } from './tokens';

/** What the endpoint needs from its host: the router, per caller. */
export interface EndpointBackend {
  generate(request: ChatRequest, opts: GenerateOptions & { caller: string }): Promise<GenerationOutcome>;
  /** Slugs this caller's plan can serve, for GET /v1/models. */
  models(caller: string): Promise<string[]>;
  /** The plan a request for `model` from `caller` would run, for checks made before routing. */
  plan(model: string, caller: string): Promise<Plan>;
}

export interface EndpointOptions {
  backend: EndpointBackend;
  /** Read on every request, so rotating a token takes effect at once. */
  tokens: () => TokenTable;
  catalog: () => Catalog;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback addresses to bind. Default both; ::1 is skipped where the host has no IPv6. */
  addresses?: ('127.0.0.1' | '::1')[];
  /** Exact `Origin` values allowed (none by default: a browser page can never drive the endpoint). */
  allowedOrigins?: string[];
  modelAliases?: Record<string, string>;
  maxBodyBytes?: number;
  maxConcurrentPerCaller?: number;
  /** A client must finish sending headers within this (slowloris). */
  headersTimeoutMs?: number;
  /** One line per request: method, route, caller, client, status. Never a token or prompt text. */
  log?: (line: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT = 128;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

const ROUTES: Record<string, ClientApi> = {
  '/v1/chat/completions': openAIChat,
  '/v1/responses': openAIResponses,
  '/v1/messages': anthropicMessages,
};

/** `claude-cli/2.0.14 (external, cli)` → `claude-cli`; `OpenAI/JS 6.49.0` → `OpenAI/JS`. */
export function clientName(userAgent: string | undefined): string {
  const first = (userAgent ?? '').trim().split(/\s+/)[0] ?? '';
  const name = first
    .replace(/\/v?\d[\w.+-]*$/, '')
    .replace(/[^A-Za-z0-9._/-]/g, '')
    .slice(0, 40);
  return name || 'unknown';
}

class Refusal extends Error {
  constructor(readonly http: HttpError) {
    super(http.message);
  }
}

export class LocalEndpoint {
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<Socket>();
  /** Each generation in flight, by its cancellation: a `Cancel`, which the router listens to for far less than an AbortSignal. */
  private readonly active = new Set<Cancel>();
  private readonly inFlight = new Map<string, number>();
  private readonly models: ModelResolver;
  private allowedHosts = new Set<string>();
  private boundPort = 0;
  private closing = false;

  constructor(private readonly opts: EndpointOptions) {
    this.models = new ModelResolver(opts.catalog, opts.modelAliases);
  }

  get port(): number {
    return this.boundPort;
  }

  /** Every address actually listening, as `host:port`. */
  get addresses(): { address: string; family: string; port: number }[] {
    return this.servers.map((s) => s.address() as AddressInfo);
  }

  get openAIBaseUrl(): string {
    return `http://127.0.0.1:${this.boundPort}/v1`;
  }

  /** Anthropic clients add `/v1` themselves. */
  get anthropicBaseUrl(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  async start(): Promise<void> {
    const addresses = this.opts.addresses ?? ['127.0.0.1', '::1'];
    const primary = addresses[0] ?? '127.0.0.1';
    const first = this.createServer();
    await listen(first, this.opts.port ?? 0, primary);
    this.servers.push(first);
    this.boundPort = (first.address() as AddressInfo).port;
    for (const extra of addresses.slice(1)) {
      const s = this.createServer();
      try {
        await listen(s, this.boundPort, extra);
        this.servers.push(s);
      } catch {
        // No IPv6 loopback here (or the port is taken on it): IPv4 alone still serves every client.
      }
    }
    const p = this.boundPort;
    this.allowedHosts = new Set([`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`]);
  }

  /** Stops listening, aborts every upstream request in flight, and closes every socket. */
  async close(): Promise<void> {
    this.closing = true;
    for (const ac of this.active) ac.abort();
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    // Aborted generations end their responses themselves; give them a moment, then cut the rest.
    for (let i = 0; i < 100 && this.active.size; i++) await new Promise((r) => setTimeout(r, 10));
    for (const s of this.servers) s.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
    this.servers.length = 0;
  }

  private createServer(): http.Server {
    const headersTimeout = this.opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    const server = http.createServer(
      {
        headersTimeout,
        requestTimeout: Math.max(headersTimeout, 120_000),
        keepAliveTimeout: 5_000,
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 2))),
      },
      (req, res) => void this.handle(req, res),
    );
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
      const timedOut = e.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      if (socket.writable) socket.end(`HTTP/1.1 ${timedOut ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
    return server;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const t0 = performance.now();
    const path = routePath(req.url ?? '/');
    const family: ApiFamily = path.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
    const client = this.clientOf(req.headers['user-agent']);
    let caller: string | undefined;
    let status = 0;
    let note = '';
    try {
      if (this.closing) throw new Refusal(httpError(503 as number, 'upstream', 'the endpoint is shutting down'));
      const host = req.headers.host;
      if (!host || !this.allowedHosts.has(host.toLowerCase())) {
        throw new Refusal(httpError(403, 'forbidden', `Host "${(host ?? '').slice(0, 100)}" is not this endpoint; use ${this.openAIBaseUrl}`));
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !(this.opts.allowedOrigins ?? []).includes(origin)) {
        throw new Refusal(httpError(403, 'forbidden', 'requests from web pages are refused (Origin is not allow-listed)'));
      }
      caller = this.opts.tokens().callerFor(presentedToken(req.headers));
      if (!caller) throw new Refusal(httpError(401, 'auth', 'missing or unknown BYOK Router token: send `Authorization: Bearer brt_…` or `x-api-key: brt_…`'));

      if (req.method === 'GET' && path === '/v1/models') {
        status = this.sendJson(res, 200, await this.listModels(caller, family));
        return;
      }
      const api = req.method === 'POST' ? ROUTES[path] : undefined;
      const isCount = req.method === 'POST' && path === '/v1/messages/count_tokens';
      if (!api && !isCount)
        throw new Refusal(
          httpError(
            404,
            'not_found',
            `no route ${req.method} ${path} (served: POST /v1/chat/completions, /v1/responses, /v1/messages, /v1/messages/count_tokens; GET /v1/models)`,
          ),
        );

      const running = this.inFlight.get(caller) ?? 0;
      const limit = this.opts.maxConcurrentPerCaller ?? DEFAULT_MAX_CONCURRENT;
      if (running >= limit)
        throw new Refusal(httpError(429, 'rate_limited', `caller "${caller}" already has ${running} requests in flight (limit ${limit})`, 1));
      this.inFlight.set(caller, running + 1);
      try {
        const body = await this.readJson(req);
        if (isCount) {
          status = this.sendJson(res, 200, countTokens(body));
          return;
        }
        const r = await this.serve(api!, body, caller, client, req, res);
        status = r.status;
        note = r.note;
      } finally {
        const n = (this.inFlight.get(caller) ?? 1) - 1;
        if (n > 0) this.inFlight.set(caller, n);
        else this.inFlight.delete(caller);
      }
    } catch (e) {
      const err =
        e instanceof Refusal
          ? e.http
          : e instanceof BadRequest
            ? httpError(e.status, e.status === 413 ? 'too_large' : 'bad_request', e.message)
            : httpError(502, 'upstream', `internal error: ${(e as Error)?.message ?? e}`);
      status = this.sendError(res, family, err);
      if (err.status === 413) req.resume();
    } finally {
      this.opts.log?.(
        `endpoint ${req.method} ${path.slice(0, 60)} caller=${caller ?? '-'} client=${client} → ${status || res.statusCode}${note} in ${Math.round(performance.now() - t0)} ms`,
      );
    }
  }

  /** A client sends the same User-Agent on every request: its name is worked out once. */
  private lastAgent: { ua: string | undefined; name: string } | undefined;
  private clientOf(userAgent: string | undefined): string {
    const last = this.lastAgent;
    if (last && last.ua === userAgent) return last.name;
    const name = clientName(userAgent);
    this.lastAgent = { ua: userAgent, name };
    return name;
  }

  private async serve(
    api: ClientApi,
    body: unknown,
    caller: string,
    client: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<{ status: number; note: string }> {
    const parsed: ParsedRequest = api.parse(body, (m) => this.models.resolve(m));
    // Clients ask for their own model's ceiling (Claude Code: 128k); the served model's is what counts.
    const maxOutput = this.opts.catalog().get(parsed.request.model)?.maxOutput;
    if (maxOutput && parsed.request.max_tokens && parsed.request.max_tokens > maxOutput) parsed.request.max_tokens = maxOutput;
    const stream = parsed.request.stream === true;
    const ac = new Cancel();
    this.active.add(ac);
    const onClose = () => {
      if (!res.writableFinished) ac.abort();
    };
    res.on('close', onClose);
    const encoder = stream ? api.stream(parsed) : undefined;
    const open = () => {
      if (res.headersSent) return;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
    };
    // Chunks that arrive in one turn of the loop (a burst read from upstream) go out as one write:
    // one chunked-encoding frame instead of one per chunk, and far fewer buffers for the socket.
    let pending = '';
    const flush = () => {
      if (!pending || res.destroyed) return void (pending = '');
      const out = pending;
      pending = '';
      open();
      res.write(out);
    };
    try {
      const outcome = await this.opts.backend.generate(parsed.request, {
        caller,
        signal: ac,
        surface: 'endpoint',
        client,
        ...(encoder
          ? {
              onChunk: (c) => {
                if (res.destroyed) return;
                const out = encoder.chunk(c);
                if (!out) return;
                if (!pending) process.nextTick(flush);
                pending += out;
              },
            }
          : {}),
      });
      flush();
      const served = outcome.record.servedBy;
      // Only the log reads the note: no string building per request without one.
      const note = !this.opts.log
        ? ''
        : ` model=${parsed.request.model}${served ? ` served by ${routeLabel(served, { tier: false, caller: false })}` : ''}${outcome.ok ? '' : ` (${outcome.error.kind})`}`;
      if (res.destroyed) return { status: 499, note: `${note} client gone` };
      if (ac.aborted) {
        // Shutting down: the client is still there and gets a clean end.
        const err = httpError(503, 'upstream', 'the endpoint is shutting down');
        if (encoder && res.headersSent) res.end(encoder.error(err));
        else this.sendError(res, api.family, err);
        return { status: 503, note: `${note} shut down` };
      }
      if (outcome.ok) {
        if (encoder) {
          open();
          res.end(encoder.end(outcome.response));
          return { status: 200, note };
        }
        return { status: this.sendJson(res, 200, api.complete(outcome.response, parsed)), note };
      }
      const err = fromRouteError(outcome.error);
      if (encoder && res.headersSent) {
        res.end(encoder.error(err));
        return { status: 200, note };
      }
      return { status: this.sendError(res, api.family, err), note };
    } finally {
      res.off('close', onClose);
      this.active.delete(ac);
    }
  }

  private async listModels(caller: string, family: ApiFamily): Promise<unknown> {
    const slugs = await this.opts.backend.models(caller);
    const catalog = this.opts.catalog();
    if (family === 'anthropic') {
      const data = slugs.map((id) => ({ type: 'model', id, display_name: catalog.get(id)?.name ?? id, created_at: '2025-01-01T00:00:00Z' }));
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    }
    const created = nowSeconds();
    return { object: 'list', data: slugs.map((id) => ({ id, object: 'model', created, owned_by: id.split('/')[0] ?? 'byok-router' })) };
  }

  private readJson(req: http.IncomingMessage): Promise<unknown> {
    const limit = this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BadRequest(`request body is ${declared} bytes; the limit is ${limit}`, 413));
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (b: Buffer) => {
        if (done) return;
        size += b.length;
        if (size > limit) {
          done = true;
          reject(new BadRequest(`request body is over the limit of ${limit} bytes`, 413));
          return;
        }
        parts.push(b);
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        try {
          resolve(JSON.parse((parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8')));
        } catch {
          reject(new BadRequest('request body is not valid JSON'));
        }
      });
      req.on('error', (e) => {
        if (!done) reject(e);
        done = true;
      });
      req.on('aborted', () => {
        if (!done) reject(new BadRequest('the client closed the request before sending its body'));
        done = true;
      });
    });
  }

  private sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    if (res.headersSent || res.destroyed) return status;
    // A string body goes out in one write with the headers; a Buffer would be a second (writev) chunk.
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
    return status;
  }

  private sendError(res: http.ServerResponse, family: ApiFamily, e: HttpError): number {
    const headers: Record<string, string> = {};
    if (e.retryAfterS !== undefined) headers['retry-after'] = String(e.retryAfterS);
    if (e.status === 413 || e.status === 403) headers.connection = 'close';
    if (res.headersSent) {
      res.end();
      return e.status;
    }
    return this.sendJson(res, e.status, errorBody(family, e), headers);
  }
}

/** `/v1/models/?x=1` → `/v1/models`; the common case (no query, no trailing slash) costs no regex. */
function routePath(url: string): string {
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  if (p.length <= 1 || p.charCodeAt(p.length - 1) !== 47 /* / */) return p || '/';
  return p.replace(/\/+$/, '') || '/';
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
