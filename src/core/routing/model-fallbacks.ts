/**
 * Model fallbacks (OpenRouter's `models`): when every route for one model fails with an error that
 * another route could escape, the next model's whole plan is tried. What stops a route stops the
 * chain too: a request the provider refused as malformed, a cancellation, or output already sent.
 */
import type { ChatRequest } from '../chat';
import type { RouterConfig } from '../config/schema';
import type { RouteError } from '../errors';

/** At most this many models per request, the primary included, so a chain stays bounded. */
export const MAX_MODELS = 8;

/**
 * The models a request tries, in order: its own `models` list (OpenRouter's field) or the one the
 * caller passed, else `modelFallbacks` from the settings. Duplicates are dropped.
 */
export function modelChain(request: ChatRequest, config: RouterConfig, explicit?: readonly string[]): string[] {
  const own = explicit ?? requestModels(request);
  const rest = own ?? config.modelFallbacks[request.model] ?? [];
  if (!rest.length) return request.model ? [request.model] : [];
  const chain: string[] = [];
  for (const m of [request.model, ...rest]) if (m && !chain.includes(m)) chain.push(m);
  return chain.slice(0, MAX_MODELS);
}

function requestModels(request: ChatRequest): string[] | undefined {
  const models = (request as { models?: unknown }).models;
  return Array.isArray(models) ? models.filter((m): m is string => typeof m === 'string' && m.length > 0) : undefined;
}

/** The request as one model's routes send it: that model, and no `models` list for providers to refuse. */
export function requestFor(request: ChatRequest, model: string): ChatRequest {
  // Nearly every request: its own model and no list. Nothing downstream writes to a request, so
  // it goes on as it is (a rest copy that leaves a field out is one of V8's slow paths).
  if (model === request.model && !('models' in request)) return request;
  const { models: _models, ...rest } = request as ChatRequest & { models?: unknown };
  return { ...rest, model } as ChatRequest;
}

/**
 * Whether a model's failure lets the next model try. `attempted` is false when no route was even
 * tried (none configured, all cooling down or over budget): the next model may have routes.
 */
export function movesToNextModel(error: RouteError, committed: boolean, attempted: boolean): boolean {
  if (committed || error.kind === 'cancelled') return false;
  if (!attempted) return true;
  return error.kind !== 'bad_request';
}
