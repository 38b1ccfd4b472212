/**
 * Claude over Anthropic Messages on two hosts: Anthropic's API (x-api-key) and Vertex
 * (rawPredict behind a Bearer token).
 */
import type { HttpRequestSpec } from '../../http/client';
import { buildMessagesBody, DIRECT, VERTEX } from './request';
import { ThinkingCache } from './thinking-cache';
import type { AdapterCall, ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { classifyAnthropicError } from './wire';
import { parseMessage, streamMessages } from './response';
import { vertexClaudeUrl, type VertexTokenSource } from '../vertex/urls';
import { jsonPost } from '../post';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
// ---------------------------------------------------------------- the two hosts

export interface AnthropicAdapterOptions {
  /** Where signed thinking waits for the next turn: the router's, or a fresh one. */
  cache?: ThinkingCache;
}

/** A base URL with or without the trailing `/v1`, so either spelling in settings works. */
function root(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function family(cache: ThinkingCache): Omit<ProviderAdapter, 'buildRequest'> {
  return {
    family: 'anthropic',
    parseCompletion: (text, call) => parseMessage(text, call, cache),
    streamChunks: (body, call, limits) => streamMessages(body, call, limits, cache),
    classifyError: (status, headers, text, now) => classifyAnthropicError('anthropic', status, headers, text, now),
  };
}

function directBase(call: AdapterCall): string {
  return root(call.options.baseUrl ?? call.baseUrl ?? ANTHROPIC_BASE_URL);
}

function directHeaders(call: AdapterCall): Record<string, string> {
  return { ...call.options.headers, ...call.extraHeaders, 'x-api-key': call.secret, 'anthropic-version': ANTHROPIC_VERSION };
}

export function anthropicAdapter(_provider: ProviderId, state: Pick<ProviderState, 'thinking'>): ProviderAdapter {
  const cache = state.thinking;
  return {
    ...family(cache),

    buildRequest(call): HttpRequestSpec {
      return {
        url: `${directBase(call)}/v1/messages`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json', ...directHeaders(call) },
        body: JSON.stringify(buildMessagesBody(call, DIRECT, cache)),
      };
    },

    validationRequest(call): HttpRequestSpec {
      return { url: `${directBase(call)}/v1/models?limit=1`, method: 'GET', headers: { accept: 'application/json', ...directHeaders(call) } };
    },
  };
}

export function anthropicVertexAdapter(token: VertexTokenSource, opts: AnthropicAdapterOptions = {}): ProviderAdapter {
  const cache = opts.cache ?? new ThinkingCache();
  return {
    ...family(cache),
    classifyError: (status, headers, text, now) => classifyAnthropicError('google-vertex', status, headers, text, now),

    async buildRequest(call): Promise<HttpRequestSpec> {
      const url = vertexClaudeUrl(call);
      const accessToken = await token(call);
      return jsonPost(call, url, buildMessagesBody(call, VERTEX, cache), { authorization: `Bearer ${accessToken}` });
    },
  };
}

export * from './wire';
export * from './response';
export * from './request';
export { ThinkingCache, type ThinkingBlock } from './thinking-cache';
