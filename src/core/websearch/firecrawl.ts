/**
 * Firecrawl's search API (v2): `POST /v2/search` with the page content scraped as markdown, and
 * `GET /v2/team/credit-usage` for the credits left. Errors keep Firecrawl's own words: 401 a bad
 * key, 402 out of credits, 429 rate limited (Retry-After, or the "retry after Ns" in its message).
 */
import { z } from 'zod';
import type { Timeouts } from '../config/schema';
import { routeError, type RouteError } from '../errors';
import { Cancel, type CancelSignal } from '../http/cancel';
import { readBody, transportError, type HttpClient } from '../http/client';
import { parseRetryAfter } from '../http/retry-after';

export const FIRECRAWL_BASE_URL = 'https://api.firecrawl.dev';

export interface WebResult {
  title: string;
  url: string;
  /** Firecrawl's description, or the start of the page. */
  excerpt: string;
  /** The page as markdown, bounded; absent when Firecrawl could not scrape it. */
  content?: string;
}

export interface WebSearchOk {
  ok: true;
  results: WebResult[];
  creditsUsed: number | undefined;
  id: string | undefined;
}

export type WebSearchOutcome = WebSearchOk | { ok: false; error: RouteError };

export interface FirecrawlCall {
  http: HttpClient;
  apiKey: string;
  baseUrl?: string;
  timeouts: Timeouts;
  signal?: CancelSignal;
  now?: () => number;
}

const webItem = z
  .object({
    url: z.string().optional(),
    title: z.string().nullish(),
    description: z.string().nullish(),
    markdown: z.string().nullish(),
    metadata: z
      .object({ title: z.string().nullish(), sourceURL: z.string().nullish(), url: z.string().nullish(), description: z.string().nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough();

const searchResponse = z
  .object({
    success: z.boolean(),
    // v2 groups by source ({web, news, images}); v1 answered a flat array.
    data: z.union([z.object({ web: z.array(webItem).nullish() }).passthrough(), z.array(webItem)]).nullish(),
    creditsUsed: z.number().nullish(),
    id: z.string().nullish(),
    warning: z.string().nullish(),
  })
  .passthrough();

const errorBody = z.object({ success: z.literal(false).optional(), error: z.string().optional(), code: z.string().optional() }).passthrough();

const creditResponse = z
  .object({
    success: z.boolean(),
    data: z
      .object({
        remainingCredits: z.number().nullish(),
        planCredits: z.number().nullish(),
        billingPeriodStart: z.string().nullish(),
        billingPeriodEnd: z.string().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

export interface CreditUsage {
  remainingCredits: number | undefined;
  planCredits: number | undefined;
  billingPeriodEnd: string | undefined;
}

const MAX_BODY = 8 * 1024 * 1024;
export const MAX_CONTENT_CHARS = 6_000;
const EXCERPT_CHARS = 400;

export async function firecrawlSearch(call: FirecrawlCall, query: string, opts: { limit?: number; withContent?: boolean } = {}): Promise<WebSearchOutcome> {
  const body = {
    query,
    limit: Math.min(Math.max(opts.limit ?? 5, 1), 20),
    ...(opts.withContent === false ? {} : { scrapeOptions: { formats: ['markdown'], onlyMainContent: true } }),
  };
  const r = await send(call, 'POST', '/v2/search', JSON.stringify(body));
  if (!r.ok) return r;
  const parsed = searchResponse.safeParse(json(r.text));
  if (!parsed.success || !parsed.data.success) return { ok: false, error: routeError('server', 'Firecrawl: the search answer could not be read') };
  const d = parsed.data.data;
  const items = Array.isArray(d) ? d : (d?.web ?? []);
  const results: WebResult[] = [];
  for (const item of items) {
    const url = item.url ?? item.metadata?.sourceURL ?? item.metadata?.url;
    if (!url) continue;
    const content = item.markdown?.trim() ? item.markdown.trim().slice(0, MAX_CONTENT_CHARS) : undefined;
    const excerpt = (item.description ?? item.metadata?.description ?? content ?? '').replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS);
    results.push({ title: (item.title ?? item.metadata?.title ?? url).trim() || url, url, excerpt, ...(content ? { content } : {}) });
  }
  return { ok: true, results, creditsUsed: parsed.data.creditsUsed ?? undefined, id: parsed.data.id ?? undefined };
}

export async function firecrawlCredits(call: FirecrawlCall): Promise<{ ok: true; usage: CreditUsage } | { ok: false; error: RouteError }> {
  const r = await send(call, 'GET', '/v2/team/credit-usage');
  if (!r.ok) return r;
  const parsed = creditResponse.safeParse(json(r.text));
  if (!parsed.success) return { ok: false, error: routeError('server', 'Firecrawl: the credit usage answer could not be read') };
  const d = parsed.data.data;
  return {
    ok: true,
    usage: { remainingCredits: d.remainingCredits ?? undefined, planCredits: d.planCredits ?? undefined, billingPeriodEnd: d.billingPeriodEnd ?? undefined },
  };
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function send(
  call: FirecrawlCall,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ ok: true; text: string } | { ok: false; error: RouteError }> {
  const base = (call.baseUrl ?? FIRECRAWL_BASE_URL).replace(/\/+$/, '');
  const cancel = Cancel.linked(call.signal, call.timeouts.totalMs);
  try {
    const res = await call.http.send(
      {
        url: `${base}${path}`,
        method,
        headers: { authorization: `Bearer ${call.apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      },
      call.timeouts,
      cancel,
    );
    const text = await readBody(res.body, MAX_BODY, res.headers);
    if (res.status >= 200 && res.status < 300) return { ok: true, text };
    return { ok: false, error: statusError(res.status, text, res.headers, call.now?.() ?? Date.now()) };
  } catch (e) {
    return { ok: false, error: transportError(e, cancel.why, call.timeouts) };
  } finally {
    cancel.release();
  }
}

function statusError(status: number, text: string, headers: Record<string, string | string[] | undefined>, now: number): RouteError {
  const b = errorBody.safeParse(json(text));
  const said = (b.success && b.data.error ? b.data.error : text).replace(/\s+/g, ' ').trim();
  const extra = { status, ...(b.success && b.data.code ? { code: b.data.code } : {}) };
  if (status === 401 || status === 403) return routeError('auth', `Firecrawl refused the key (${status}): ${said}`, extra);
  if (status === 402) return routeError('policy', `Firecrawl: out of credits (402): ${said}`, { ...extra, code: 'insufficient_credits' });
  if (status === 429) {
    const fromText = /retry after (\d+)s/i.exec(said);
    const retryAfterMs = parseRetryAfter(headers, now) ?? (fromText ? Number(fromText[1]) * 1000 : undefined);
    return routeError('rate_limited', `Firecrawl rate limit (429): ${said}`, { ...extra, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (status === 400 || status === 404 || status === 422) return routeError('bad_request', `Firecrawl refused the request (${status}): ${said}`, extra);
  if (status === 408) return routeError('timeout', `Firecrawl timed out (408): ${said}`, extra);
  return routeError('server', `Firecrawl error (${status}): ${said}`, extra);
}
