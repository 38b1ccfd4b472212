/**
 * URL path segments from values a settings file or a model id supplies. Every such value is
 * encoded, and `.`/`..` are refused: URL parsers resolve them (even as `%2e%2e`), which would move
 * a request carrying the user's credential to another path on the host.
 */
import { routeError, RouteFailure } from '../errors';

export function pathSegment(value: string, what: string, provider: string): string {
  if (!value || value === '.' || value === '..') {
    throw new RouteFailure(routeError('bad_request', `${provider}: ${what} ${JSON.stringify(value)} cannot be used in a request path`));
  }
  // "@" stays readable (Vertex's claude-…@snapshot ids); it has no meaning inside a path.
  return encodeURIComponent(value).replace(/%40/g, '@');
}
