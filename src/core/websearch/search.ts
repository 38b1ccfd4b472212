/**
 * Web search with the user's Firecrawl key, shared by the editor's `byok_webSearch` tool,
 * `@byok /web` and the local endpoint's OpenRouter-style web options. Every search is recorded in
 * the activity log with the credits it used.
 */
import { randomUUID } from 'node:crypto';
import type { ActivitySink, GenerationRecord } from '../activity/record';
import type { ChatMessage, ChatRequest } from '../chat';
import type { Timeouts } from '../config/schema';
import { routeError, type RouteError } from '../errors';
import type { CancelSignal } from '../http/cancel';
import type { HttpClient } from '../http/client';
import { systemClock, type Clock } from '../ports';
import { Redactor, redactThenClip } from '../redact';

/** Firecrawl's own words, bounded after redaction. */
const MAX_ERROR_CHARS = 700;
import { firecrawlSearch, type WebResult } from './firecrawl';

export interface WebSearchDeps {
  http: HttpClient;
  timeouts: Timeouts;
  /** The Firecrawl key in effect (a folder's override, or the workspace one). */
  apiKey: () => Promise<string | undefined>;
  /** Which stored key answered, for the activity log: its id, never its value. */
  keyId?: string;
  baseUrl?: string;
  sink?: ActivitySink;
  clock?: Clock;
  redactor?: Redactor;
}

export type WebSearchResult =
  { ok: true; results: WebResult[]; creditsUsed: number | undefined; record: GenerationRecord } | { ok: false; error: RouteError; record?: GenerationRecord };

export const WEB_SEARCH_MODEL = 'firecrawl/search';

export async function webSearch(
  deps: WebSearchDeps,
  query: string,
  opts: { limit?: number; surface: string; folder?: string; caller?: string; signal?: CancelSignal },
): Promise<WebSearchResult> {
  const q = query.trim();
  if (!q) return { ok: false, error: routeError('bad_request', 'the web search query is empty') };
  const clock = deps.clock ?? systemClock;
  let apiKey: string | undefined;
  try {
    apiKey = await deps.apiKey();
  } catch (e) {
    // A Firecrawl key held in a secret manager whose reference failed.
    return { ok: false, error: routeError('auth', `the Firecrawl key's secret reference failed: ${e instanceof Error ? e.message : String(e)}`) };
  }
  if (!apiKey) return { ok: false, error: routeError('auth', 'no Firecrawl key is set: add one in the Providers view, Web search section') };
  deps.redactor?.add(apiKey);
  const startedAt = clock.now();
  const t0 = performance.now();
  const out = await firecrawlSearch(
    { http: deps.http, apiKey, baseUrl: deps.baseUrl, timeouts: deps.timeouts, signal: opts.signal, now: () => clock.now() },
    q,
    { limit: opts.limit, withContent: true },
  );
  const latencyMs = Math.round(performance.now() - t0);
  const error = out.ok ? undefined : { ...out.error, message: redactThenClip(deps.redactor ?? new Redactor(), out.error.message, MAX_ERROR_CHARS) };
  const record: GenerationRecord = {
    v: 1,
    id: `web-${randomUUID()}`,
    startedAt,
    surface: opts.surface,
    caller: opts.caller ?? 'web-search',
    ...(opts.folder ? { folder: opts.folder } : {}),
    model: WEB_SEARCH_MODEL,
    stream: false,
    outcome: out.ok ? 'success' : error!.kind === 'cancelled' ? 'cancelled' : 'error',
    ...(error ? { errorKind: error.kind, errorMessage: error.message } : {}),
    ...(out.ok ? { servedBy: { route: 'byok', provider: 'firecrawl', keyId: deps.keyId, keyName: 'Firecrawl' } } : {}),
    plan: [{ route: 'byok', provider: 'firecrawl', keyId: deps.keyId, keyName: 'Firecrawl' }],
    attempts: [
      {
        route: 'byok',
        provider: 'firecrawl',
        keyId: deps.keyId,
        keyName: 'Firecrawl',
        nativeModel: 'search',
        ok: out.ok,
        startedAt,
        latencyMs,
        ...(error
          ? {
              errorKind: error.kind,
              message: error.message,
              ...(error.status ? { status: error.status } : {}),
              ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
            }
          : { status: 200 }),
      },
    ],
    latencyMs,
    ...(out.ok && out.creditsUsed !== undefined ? { webSearchCredits: out.creditsUsed } : {}),
    ...(out.ok ? { webResults: out.results.length } : {}),
  };
  try {
    const pending = deps.sink?.append(record);
    if (pending) pending.catch(() => undefined);
  } catch {
    /* the activity log must never fail a search */
  }
  return out.ok ? { ok: true, results: out.results, creditsUsed: out.creditsUsed, record } : { ok: false, error: error!, record };
}

/** Results as a model reads them: numbered sources with title, URL, excerpt and page content. */
export function formatResults(query: string, results: readonly WebResult[], opts: { contentChars?: number } = {}): string {
  if (!results.length) return `A web search for "${query}" found nothing.`;
  const max = opts.contentChars ?? 2_500;
  const blocks = results.map((r, i) => {
    const content = r.content ? `\n${r.content.slice(0, max)}` : '';
    return `[${i + 1}] ${r.title}\nURL: ${r.url}\n${r.excerpt}${content}`;
  });
  return `Web search results for "${query}" (Firecrawl):\n\n${blocks.join('\n\n')}`;
}

export const CITE_INSTRUCTION = 'Answer from these sources where they apply and cite them inline as [n], listing each cited source with its URL at the end.';

/** The results, as context ahead of the conversation: one system message, the rest unchanged. */
export function injectWebContext(request: ChatRequest, query: string, results: readonly WebResult[]): ChatRequest {
  const context: ChatMessage = { role: 'system', content: `${formatResults(query, results)}\n\n${CITE_INSTRUCTION}` };
  const firstNonSystem = request.messages.findIndex((m) => m.role !== 'system' && m.role !== 'developer');
  const at = firstNonSystem < 0 ? request.messages.length : firstNonSystem;
  return { ...request, messages: [...request.messages.slice(0, at), context, ...request.messages.slice(at)] };
}

/** The text of the last user message: what a web option searches for. */
export function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    return m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  }
  return '';
}
