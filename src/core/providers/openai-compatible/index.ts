/**
 * The OpenAI-compatible adapter: one per row, stateless.
 */
import { routeError, RouteFailure } from '../../errors';
import type { HttpRequestSpec } from '../../http/client';
import type { HeaderBag } from '../../http/retry-after';
import { classifyHttpError } from '../classify';
import type { ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { COMPAT_ROWS, CompatProvider, CompatRow, KeyCheck } from './rows';
import { authHeaders, buildCompatBody, compatBaseUrl, putAuth } from './request';
import { bodyError } from './wire';
import { parseCompatCompletion, streamCompatBatches, streamCompatChunks } from './response';

/** Stateless: the row says everything. `id` must name a row. */
export function compatAdapter(id: ProviderId, _state?: ProviderState): ProviderAdapter {
  const provider = id as CompatProvider;
  const row: CompatRow | undefined = COMPAT_ROWS[provider];
  if (!row) throw new RouteFailure(routeError('bad_request', `${id} is not an OpenAI-compatible row`));
  return {
    family: 'openai-compatible',

    buildRequest(call): HttpRequestSpec {
      // Assigned in turn rather than spread from four objects: this runs on every request.
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json' };
      if (call.options.organization) headers['openai-organization'] = call.options.organization;
      if (call.options.headers) Object.assign(headers, call.options.headers);
      if (call.extraHeaders) Object.assign(headers, call.extraHeaders);
      return {
        url: `${compatBaseUrl(provider, call)}/chat/completions`,
        method: 'POST',
        headers: putAuth(headers, row, call.secret),
        body: JSON.stringify(buildCompatBody(provider, call)),
      };
    },

    parseCompletion: (text) => parseCompatCompletion(provider, text),
    streamChunks: (body, _call, limits) => streamCompatChunks(provider, body, limits),
    streamBatches: (body, _call, limits) => streamCompatBatches(provider, body, limits),

    classifyError(status, headers: HeaderBag, text, now) {
      return classifyHttpError(provider, status, headers, text, now, row.quotaCodes);
    },

    validationRequest(call) {
      const check: KeyCheck = row.keyCheck;
      const base = compatBaseUrl(provider, call);
      const headers = { ...call.options.headers, ...authHeaders(row, call.secret) };
      switch (check.kind) {
        case 'none':
          return undefined;
        case 'chat':
          return {
            url: `${base}/chat/completions`,
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ model: check.model, messages: [{ role: 'user', content: 'ping' }], [row.maxTokensField]: 1 }),
          };
        default:
          return { url: `${check.fromOrigin ? new URL(base).origin : base}${check.path}`, method: check.kind === 'get' ? 'GET' : 'POST', headers };
      }
    },

    validationError(text, now) {
      return bodyError(provider, text, now);
    },
  };
}

export * from './wire';
export * from './response';
export * from './request';
export * from './rows';
