/** The JSON POST every family sends: the key's own headers first, then the auth, which they cannot override. */
import type { HttpRequestSpec } from '../http/client';
import type { AdapterCall } from './types';

export function jsonPost(call: Pick<AdapterCall, 'stream' | 'options'>, url: string, body: unknown, auth: Record<string, string>): HttpRequestSpec {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json', ...call.options.headers, ...auth },
    body: JSON.stringify(body),
  };
}
