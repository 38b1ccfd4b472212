/** Small client-side helpers for the simulator tests: post a chat request, read an SSE body. */
import { createParser } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';

export interface SseRead {
  /** `data:` payloads in order, including `[DONE]`. */
  data: string[];
  /** Comment lines without the leading colon, trimmed. */
  comments: string[];
  /** Every event and comment in arrival order, as `data:<payload>` / `comment:<text>`. */
  sequence: string[];
}

/** Parses an SSE text with a spec-compliant parser, so the tests prove the framing too. */
export function readSse(text: string): SseRead {
  const out: SseRead = { data: [], comments: [], sequence: [] };
  const parser = createParser({
    onEvent: (event) => {
      out.data.push(event.data);
      out.sequence.push(`data:${event.data}`);
    },
    onComment: (comment) => {
      out.comments.push(comment.trim());
      out.sequence.push(`comment:${comment.trim()}`);
    },
  });
  parser.feed(text);
  return out;
}

/** The JSON chunks of an SSE read, without `[DONE]`. */
export function chunksOf(read: SseRead): Record<string, any>[] {
  return read.data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>);
}

export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'sim-model', messages: [{ role: 'user', content: 'Say hello' }], ...extra };
}

export interface PostOptions {
  key?: string | null;
  /** Header carrying the key: Bearer by default, `api-key` for Azure. */
  keyHeader?: 'authorization' | 'api-key';
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
}

export async function post(url: string, body: unknown, opts: PostOptions = {}) {
  const key = opts.key === undefined ? 'sk-sim-test-key-1234' : opts.key;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (key !== null) {
    if (opts.keyHeader === 'api-key') headers['api-key'] = key;
    else headers.authorization = `Bearer ${key}`;
  }
  return request(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: opts.signal,
    dispatcher: opts.dispatcher,
  });
}

export async function get(url: string, key: string | null = 'sk-sim-test-key-1234', keyHeader: 'authorization' | 'api-key' = 'authorization') {
  const headers: Record<string, string> = {};
  if (key !== null) {
    if (keyHeader === 'api-key') headers['api-key'] = key;
    else headers.authorization = `Bearer ${key}`;
  }
  return request(url, { method: 'GET', headers });
}

/** Counts of live TCP handles, to prove a close left nothing behind. */
export function tcpHandles(): { servers: number; sockets: number } {
  const info = process.getActiveResourcesInfo();
  return { servers: info.filter((r) => r === 'TCPServerWrap').length, sockets: info.filter((r) => r === 'TCPSocketWrap').length };
}

/** Polls `check` every few ms up to `timeoutMs`; resolves to whether it became true. */
export async function eventually(check: () => boolean, timeoutMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}
