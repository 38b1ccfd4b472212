/**
 * OpenRouter's web options on a request — a model slug ending in `:online`, or
 * `plugins: [{"id": "web", "max_results": n}]` — answered with the user's Firecrawl key: the
 * results go in as context and the option is removed, so any route can serve the request. With no
 * Firecrawl key the option is passed on to OpenRouter only when the user opted in (it charges for
 * it there), and never with `byokOnly`.
 */
import type { ChatRequest } from '../chat';
import type { CancelSignal } from '../http/cancel';
import { routeError, type RouteError } from '../errors';
import { injectWebContext, lastUserText, webSearch, type WebSearchDeps } from './search';

export interface WebOption {
  /** The model slug without `:online`. */
  model: string;
  maxResults: number | undefined;
}

/** The web option a request asks for, if any. */
export function webOptionOf(request: { model: string; plugins?: unknown }): WebOption | undefined {
  const online = request.model.endsWith(':online');
  const plugin = Array.isArray(request.plugins)
    ? (request.plugins as unknown[]).find(
        (p): p is { id: string; max_results?: unknown } => typeof p === 'object' && p !== null && (p as { id?: unknown }).id === 'web',
      )
    : undefined;
  if (!online && !plugin) return undefined;
  const max = typeof plugin?.max_results === 'number' && Number.isInteger(plugin.max_results) ? plugin.max_results : undefined;
  return { model: online ? request.model.slice(0, -':online'.length) : request.model, maxResults: max };
}

export interface WebPolicy {
  /** Searches never go through OpenRouter. */
  byokOnly: boolean;
  /** Without a Firecrawl key, pass the option on to OpenRouter (which charges for it). */
  passToOpenRouter: boolean;
}

export type WebApplied =
  | { kind: 'none'; request: ChatRequest }
  | { kind: 'firecrawl'; request: ChatRequest; results: number; creditsUsed: number | undefined }
  | { kind: 'openrouter'; request: ChatRequest }
  | { kind: 'refused'; error: RouteError };

export async function applyWebOption(
  request: ChatRequest,
  deps: WebSearchDeps & { hasKey: () => Promise<boolean> },
  policy: WebPolicy,
  opts: { surface: string; folder?: string; caller?: string; signal?: CancelSignal },
): Promise<WebApplied> {
  const option = webOptionOf(request as ChatRequest & { plugins?: unknown });
  if (!option) return { kind: 'none', request };
  if (!(await deps.hasKey())) {
    if (policy.byokOnly || !policy.passToOpenRouter) {
      const why = policy.byokOnly
        ? 'byokRouter.webSearch.byokOnly keeps web search off OpenRouter'
        : 'passing it to OpenRouter is off (byokRouter.webSearch.openRouterFallback)';
      return { kind: 'refused', error: routeError('policy', `the request asks for web search, but no Firecrawl key is set and ${why}`) };
    }
    // As `:online`, only the pooled route can serve it: a key of the user's own would drop the option.
    return { kind: 'openrouter', request: { ...request, model: `${option.model}:online` } };
  }
  const query = lastUserText(request).slice(0, 1_000);
  const found = await webSearch(deps, query, { limit: option.maxResults ?? 5, ...opts });
  if (!found.ok) return { kind: 'refused', error: { ...found.error, message: `web search failed: ${found.error.message}` } };
  const { plugins: _plugins, ...rest } = request as ChatRequest & { plugins?: unknown };
  const stripped: ChatRequest = { ...rest, model: option.model };
  return { kind: 'firecrawl', request: injectWebContext(stripped, query, found.results), results: found.results.length, creditsUsed: found.creditsUsed };
}
