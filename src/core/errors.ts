/** The kinds of failure a route can end in. The router decides fallback by kind alone. */
export type ErrorKind = 'rate_limited' | 'auth' | 'bad_request' | 'timeout' | 'network' | 'server' | 'cancelled' | 'policy';

/** An error as a value: what happened, in words a user can act on, and what the router needs to decide. */
export interface RouteError {
  kind: ErrorKind;
  message: string;
  /** HTTP status when the provider answered. */
  status?: number;
  /** Provider-advised wait, from Retry-After / retry-after-ms / RetryInfo. */
  retryAfterMs?: number;
  /** Provider's own error code (`insufficient_quota`, `overloaded_error`, …). */
  code?: string;
}

export function routeError(kind: ErrorKind, message: string, extra: Partial<RouteError> = {}): RouteError {
  return { kind, message, ...extra };
}

/** Kinds after which another route may succeed. bad_request would fail the same way elsewhere. */
export function shouldFallBack(kind: ErrorKind): boolean {
  return kind === 'rate_limited' || kind === 'server' || kind === 'timeout' || kind === 'network' || kind === 'auth';
}

/** Thrown inside adapters/stream transforms to carry a RouteError through async code. */
export class RouteFailure extends Error {
  constructor(readonly error: RouteError) {
    super(error.message);
    this.name = 'RouteFailure';
  }
}

export function isRouteFailure(e: unknown): e is RouteFailure {
  return e instanceof RouteFailure;
}
