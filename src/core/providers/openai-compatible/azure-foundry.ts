/**
 * Azure AI Foundry models-as-a-service: one resource endpoint,
 * `https://<resource>.services.ai.azure.com/models/chat/completions?api-version=…`, that serves
 * every model deployed in the resource (DeepSeek, Llama, Grok, Mistral, Phi…) by deployment name
 * in the body's `model`, with the resource key in `api-key`. The key check is the row's (the
 * resource's models list). Azure OpenAI deployments stay in
 * azure.ts; a Foundry resource's OpenAI models can be reached either way.
 */
import { routeError, RouteFailure } from '../../errors';
import type { HttpRequestSpec } from '../../http/client';
import { buildCompatBody, compatAdapter } from '.';
import type { AdapterCall, ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { jsonPost } from '../post';

/** The model inference API's GA version; a key may name another with options.apiVersion. */
export const FOUNDRY_API_VERSION = '2024-05-01-preview';

/** `https://<resource>.services.ai.azure.com`, whichever way the key names it. */
function resourceEndpoint(call: AdapterCall): string {
  if (call.options.baseUrl) return call.options.baseUrl.replace(/\/+$/, '').replace(/\/models$/, '');
  if (call.options.resource) return `https://${call.options.resource}.services.ai.azure.com`;
  throw new RouteFailure(routeError('bad_request', 'azure-foundry key needs options.resource or options.baseUrl'));
}

export function azureFoundryAdapter(_provider: ProviderId, state: ProviderState): ProviderAdapter {
  return {
    ...compatAdapter('azure-foundry', state),

    buildRequest(call): HttpRequestSpec {
      const version = call.options.apiVersion ?? FOUNDRY_API_VERSION;
      return jsonPost(
        call,
        `${resourceEndpoint(call)}/models/chat/completions?api-version=${encodeURIComponent(version)}`,
        buildCompatBody('azure-foundry', call),
        { 'api-key': call.secret },
      );
    },
  };
}
