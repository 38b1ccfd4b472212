/**
 * Stickiness for prompt caches: a conversation stays on the route that last served it while the
 * route is healthy, until its time runs out. A conversation is named by an explicit session id, or
 * else by a hash of its system prompt and first user message (a long one by its length, head and
 * tail). Only the hash, the route and the expiry are kept — never the prompt — and the map is
 * bounded (oldest dropped first).
 */
import { hash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../chat';

// One-shot hash: it runs on every served request, and a Hash object costs more than the digest.
const sha256Hex = (s: string) => hash('sha256', s, 'hex');

/**
 * What of a long text the key hashes: its length, first and last KiB. An editor's opening turn
 * carries its instructions and attached files (tens of KB), and hashing all of it would cost
 * ~100 µs on every request; two conversations that differ only in the middle of their opening
 * share a preferred route, which costs nothing but the preference.
 */
export const SAMPLED_CHARS = 1024;
function sampled(text: string): string {
  if (text.length <= 2 * SAMPLED_CHARS) return text;
  return `${text.length}\u0001${text.slice(0, SAMPLED_CHARS)}\u0001${text.slice(-SAMPLED_CHARS)}`;
}

export function conversationKey(request: ChatRequest, sessionId?: string, model = request.model): string | undefined {
  const session = sessionId ?? sessionOf(request);
  if (session) return sha256Hex(`session\0${model}\0${session}`).slice(0, 32);
  // Every system (or developer) message, joined by NULs, and the first user message: one pass.
  let system: string | undefined;
  let firstUser: ChatMessage | undefined;
  for (const m of request.messages) {
    if (m.role === 'system' || m.role === 'developer') system = system === undefined ? textOf(m) : `${system}\0${textOf(m)}`;
    else if (firstUser === undefined && m.role === 'user') firstUser = m;
  }
  if (!firstUser) return undefined;
  return sha256Hex(`prompt\0${model}\0${sampled(system ?? '')}\0${sampled(textOf(firstUser))}`).slice(0, 32);
}

/** The endpoint's `user` or `metadata.session_id`/`metadata.conversation_id`, as assistants send them. */
function sessionOf(request: ChatRequest): string | undefined {
  const meta = (request as { metadata?: unknown }).metadata;
  if (meta && typeof meta === 'object') {
    const m = meta as Record<string, unknown>;
    for (const f of ['session_id', 'conversation_id', 'sessionId']) if (typeof m[f] === 'string' && m[f]) return m[f] as string;
  }
  return request.user || undefined;
}

function textOf(m: ChatMessage): string {
  const c = (m as { content?: unknown }).content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { type?: string; text?: string }) => (p?.type === 'text' ? p.text : '')).join('');
  return '';
}

interface StickyEntry {
  routeId: string;
  expiresAt: number;
}

export class StickyRoutes {
  private readonly map = new Map<string, StickyEntry>();

  constructor(private maxEntries = 1_000) {}

  setLimit(maxEntries: number) {
    this.maxEntries = maxEntries;
    this.trim();
  }

  get(key: string, now: number): string | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e.routeId;
  }

  set(key: string, routeId: string, now: number, ttlMs: number) {
    if (ttlMs <= 0) return;
    this.map.delete(key); // re-inserted last: the Map's order is the eviction order
    this.map.set(key, { routeId, expiresAt: now + ttlMs });
    this.trim();
  }

  forget(key: string) {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** What is held, for tests: hashes, routes and expiries only. */
  entries(): [string, StickyEntry][] {
    return [...this.map.entries()].map(([k, v]) => [k, { ...v }]);
  }

  private trim() {
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
}
