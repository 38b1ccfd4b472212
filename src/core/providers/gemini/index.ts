/**
 * The Gemini family: Google AI Studio here, Gemini on Vertex through vertex/ with the same body,
 * response and stream handling.
 */
import { pathSegment } from '../../http/url';
import type { HttpRequestSpec } from '../../http/client';
import { geminiBody } from './request';
import type { AdapterCall, ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { classifyGeminiError } from './wire';
import { parseGeminiCompletion, streamGeminiBody } from './response';
import { jsonPost } from '../post';

export const AI_STUDIO_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';
// --- the AI Studio adapter ------------------------------------------------------------------

export function aiStudioBaseUrl(call: AdapterCall): string {
  return (call.options.baseUrl ?? AI_STUDIO_BASE_URL).replace(/\/+$/, '');
}

/** `models/gemini-2.5-flash` (as the models list names it) and `gemini-2.5-flash` are the same model. */
export function bareModel(model: string): string {
  return model.replace(/^models\//, '');
}

export function geminiMethodPath(model: string, stream: boolean): string {
  return `${pathSegment(bareModel(model), 'model id', 'gemini')}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
}

export function geminiAdapter(provider: ProviderId, state: Pick<ProviderState, 'signatures'>): ProviderAdapter {
  const signatures = state.signatures;
  return {
    family: 'gemini',

    buildRequest(call): HttpRequestSpec {
      return jsonPost(
        call,
        `${aiStudioBaseUrl(call)}/models/${geminiMethodPath(call.nativeModel, call.stream)}`,
        geminiBody(call.request, bareModel(call.nativeModel), signatures),
        { 'x-goog-api-key': call.secret },
      );
    },

    parseCompletion(text, call) {
      return parseGeminiCompletion(text, { provider, signatures, model: bareModel(call.nativeModel) });
    },

    streamChunks(body, call, limits) {
      return streamGeminiBody(body, limits, { provider, signatures, model: bareModel(call.nativeModel) });
    },

    classifyError(status, headers, text, now) {
      return classifyGeminiError(provider, status, headers, text, now);
    },

    /** Listing models costs nothing, and a bad key answers it with the same 400 API_KEY_INVALID. */
    validationRequest(call): HttpRequestSpec {
      return {
        url: `${aiStudioBaseUrl(call)}/models?pageSize=1`,
        method: 'GET',
        headers: { accept: 'application/json', ...call.options.headers, 'x-goog-api-key': call.secret },
      };
    },
  };
}

export * from './wire';
export * from './response';
export * from './request';
export * from './signatures';
