/**
 * Errors in the shape each client API expects, with the HTTP status its SDK retries or gives up on.
 * The router's message already names every attempt (the route trail), so it goes out verbatim.
 */
import type { RouteError } from '../core';

export type ApiFamily = 'openai' | 'anthropic';

export interface HttpError {
  status: number;
  /** Stable, family-neutral kind; each family renders its own type name from it. */
  kind: 'bad_request' | 'auth' | 'forbidden' | 'not_found' | 'too_large' | 'rate_limited' | 'upstream' | 'timeout' | 'cancelled';
  message: string;
  retryAfterS?: number;
}

export function httpError(status: number, kind: HttpError['kind'], message: string, retryAfterS?: number): HttpError {
  return { status, kind, message, ...(retryAfterS !== undefined ? { retryAfterS } : {}) };
}

/** The status a client sees for a generation that failed upstream. Its own token was fine, so never 401. */
export function fromRouteError(e: RouteError): HttpError {
  switch (e.kind) {
    case 'rate_limited': {
      const s = e.retryAfterMs !== undefined && Number.isFinite(e.retryAfterMs) ? Math.max(1, Math.ceil(e.retryAfterMs / 1000)) : undefined;
      return httpError(429, 'rate_limited', e.message, s ?? 1);
    }
    case 'bad_request':
      return /^no route can serve /.test(e.message) ? httpError(404, 'not_found', e.message) : httpError(400, 'bad_request', e.message);
    case 'policy':
      return httpError(403, 'forbidden', e.message);
    case 'timeout':
      return httpError(504, 'timeout', e.message);
    case 'cancelled':
      return httpError(499, 'cancelled', e.message);
    default:
      // auth (every upstream key refused), server, network: the gateway's upstreams failed.
      return httpError(502, 'upstream', e.message);
  }
}

const ANTHROPIC_TYPES: Record<HttpError['kind'], string> = {
  bad_request: 'invalid_request_error',
  auth: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  upstream: 'api_error',
  timeout: 'timeout_error',
  cancelled: 'api_error',
};

const OPENAI_TYPES: Record<HttpError['kind'], [type: string, code: string | null]> = {
  bad_request: ['invalid_request_error', null],
  auth: ['invalid_request_error', 'invalid_api_key'],
  forbidden: ['invalid_request_error', 'forbidden'],
  not_found: ['invalid_request_error', 'model_not_found'],
  too_large: ['invalid_request_error', 'request_too_large'],
  rate_limited: ['rate_limit_error', 'rate_limit_exceeded'],
  upstream: ['server_error', 'upstream_error'],
  timeout: ['server_error', 'timeout'],
  cancelled: ['server_error', 'cancelled'],
};

export function errorBody(family: ApiFamily, e: HttpError): Record<string, unknown> {
  if (family === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_TYPES[e.kind], message: e.message } };
  const [type, code] = OPENAI_TYPES[e.kind];
  return { error: { message: e.message, type, param: null, code } };
}
