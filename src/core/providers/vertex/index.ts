/**
 * google-vertex: one provider, two wire formats. Gemini models speak generateContent (the Gemini
 * family, gemini/) and Claude models speak Anthropic Messages over rawPredict (anthropic/);
 * both sit behind the same service-account OAuth token (auth.ts), so this adapter only picks
 * the format per call and supplies the token.
 */
import type { ChatChunk, ChatCompletion } from '../../chat';
import type { Limits } from '../../config/schema';
import type { RouteError } from '../../errors';
import type { HttpRequestSpec } from '../../http/client';
import type { HeaderBag } from '../../http/retry-after';
import { anthropicVertexAdapter } from '../anthropic';
import { bareModel, classifyGeminiError, geminiBody, geminiMethodPath, parseGeminiCompletion, streamGeminiBody } from '../gemini';
import type { AdapterCall, ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { looksLikeJson } from './auth';
import { expressModelUrl, isClaudeOnVertex, vertexGeminiModelUrl } from './urls';

export * from './urls';

const PROVIDER = 'google-vertex';
/** A cheap Gemini to ask `countTokens` of when a key is checked: free, and proves project and permission. */
const PROBE_MODEL = 'gemini-2.5-flash';

/** Anthropic-shaped error bodies come from Claude itself; everything else is Google's front end. */
function isAnthropicError(text: string): boolean {
  try {
    const j = JSON.parse(text);
    return j?.type === 'error' && typeof j?.error?.type === 'string';
  } catch {
    return false;
  }
}

/** Claude on Vertex shares the router's thinking cache with direct Anthropic, Gemini its signatures with AI Studio. */
export function vertexAdapter(_provider: ProviderId, state: ProviderState): ProviderAdapter {
  const { tokens, signatures } = state;
  const claude = anthropicVertexAdapter((call) => tokens.forCall(call), { cache: state.thinking });

  const geminiHeaders = async (call: AdapterCall): Promise<Record<string, string>> => {
    const base = { 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json', ...call.options.headers };
    if (!looksLikeJson(call.secret)) return { ...base, 'x-goog-api-key': call.secret };
    return { ...base, authorization: `Bearer ${await tokens.forCall(call)}` };
  };
  const modelUrl = (call: AdapterCall, method: string) => (looksLikeJson(call.secret) ? vertexGeminiModelUrl(call, method) : expressModelUrl(call, method));

  return {
    family: 'gemini',

    async buildRequest(call): Promise<HttpRequestSpec> {
      if (isClaudeOnVertex(call)) return claude.buildRequest(call);
      const url = modelUrl(call, geminiMethodPath(call.nativeModel, call.stream));
      return {
        url,
        method: 'POST',
        headers: await geminiHeaders(call),
        body: JSON.stringify(geminiBody(call.request, bareModel(call.nativeModel), signatures)),
      };
    },

    parseCompletion(text, call): ChatCompletion {
      if (isClaudeOnVertex(call)) return claude.parseCompletion(text, call);
      return parseGeminiCompletion(text, { provider: PROVIDER, signatures, model: bareModel(call.nativeModel) });
    },

    streamChunks(body, call, limits: Limits): AsyncIterable<ChatChunk> {
      if (isClaudeOnVertex(call)) return claude.streamChunks(body, call, limits);
      return streamGeminiBody(body, limits, { provider: PROVIDER, signatures, model: bareModel(call.nativeModel) });
    },

    classifyError(status, headers: HeaderBag, text, now): RouteError {
      // Our token was refused: forget cached tokens so the next request mints a fresh one.
      if (status === 401) tokens.invalidate();
      if (isAnthropicError(text)) return claude.classifyError(status, headers, text, now);
      return classifyGeminiError(PROVIDER, status, headers, text, now);
    },

    /** A token exchange and a free `countTokens`: proves the account, the project and the permission. */
    async validationRequest(call): Promise<HttpRequestSpec> {
      const probe = { ...call, nativeModel: PROBE_MODEL, stream: false };
      return {
        url: modelUrl(probe, `${PROBE_MODEL}:countTokens`),
        method: 'POST',
        headers: await geminiHeaders(probe),
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }] }),
      };
    },
  };
}
