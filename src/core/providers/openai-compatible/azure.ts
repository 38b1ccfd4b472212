/**
 * Azure OpenAI: the OpenAI-compatible row for the v1 endpoint, plus the dated deployments endpoint
 * (`/openai/deployments/<name>/chat/completions?api-version=`) when the key names an apiVersion.
 * Dated versions before 2024-09-01-preview know neither `max_completion_tokens` nor
 * `stream_options`, so those requests fall back to `max_tokens` and no usage opt-in.
 */
import { pathSegment } from '../../http/url';
import { routeError, RouteFailure } from '../../errors';
import type { HttpRequestSpec } from '../../http/client';
import { buildCompatBody, compatAdapter } from '.';
import type { AdapterCall, ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { jsonPost } from '../post';

const MODERN = '2024-09-01';

/** The resource endpoint, `https://<resource>.openai.azure.com`, whichever way the key names it. */
function endpoint(call: AdapterCall): string {
  if (call.options.baseUrl) return call.options.baseUrl.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
  if (call.options.resource) return `https://${call.options.resource}.openai.azure.com`;
  throw new RouteFailure(routeError('bad_request', 'azure key needs options.resource or options.baseUrl'));
}

export function azureAdapter(_provider: ProviderId, state: ProviderState): ProviderAdapter {
  const v1 = compatAdapter('azure', state);
  return {
    ...v1,

    buildRequest(call): HttpRequestSpec {
      const version = call.options.apiVersion;
      if (!version) return v1.buildRequest(call) as HttpRequestSpec;
      const body = buildCompatBody('azure', call);
      if (version < MODERN) {
        if (body.max_completion_tokens !== undefined) {
          body.max_tokens = body.max_completion_tokens;
          delete body.max_completion_tokens;
        }
        delete body.stream_options;
      }
      const deployment = pathSegment(call.nativeModel, 'deployment', 'azure');
      return jsonPost(call, `${endpoint(call)}/openai/deployments/${deployment}/chat/completions?api-version=${encodeURIComponent(version)}`, body, {
        'api-key': call.secret,
      });
    },

    validationRequest(call) {
      const version = call.options.apiVersion;
      if (!version) return v1.validationRequest!(call);
      return { url: `${endpoint(call)}/openai/models?api-version=${encodeURIComponent(version)}`, method: 'GET', headers: { 'api-key': call.secret } };
    },
  };
}
