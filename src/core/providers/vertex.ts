/**
 * google-vertex: one provider, two wire formats. Gemini models speak generateContent (the Gemini
 * family, gemini.ts) and Claude models speak Anthropic Messages over rawPredict (anthropic.ts);
 * both sit behind the same service-account OAuth token (vertex-auth.ts), so this adapter only picks
 * the format per call and supplies the token.
 */
import type { ChatChunk, ChatCompletion } from '../chat';
import type { Limits } from '../config/schema';
import { routeError, RouteFailure, type RouteError } from '../errors';
import type { HttpRequestSpec } from '../http/client';
import { pathSegment } from '../http/url';
import type { HeaderBag } from '../http/retry-after';
import { anthropicVertexAdapter, vertexRoot } from './anthropic';
import { bareModel, classifyGeminiError, geminiBody, geminiMethodPath, parseGeminiCompletion, streamGeminiBody } from './gemini';
import type { AdapterCall, ProviderAdapter, ProviderState } from './types';
import type { ProviderId } from './ids';
import { looksLikeJson, parseServiceAccount } from './vertex-auth';

const PROVIDER = 'google-vertex';
/** A cheap Gemini to ask `countTokens` of when a key is checked: free, and proves project and permission. */
const PROBE_MODEL = 'gemini-2.5-flash';

/** Claude ids on Vertex are `claude-…@snapshot`; everything else here is Gemini. */
export function isClaudeOnVertex(call: Pick<AdapterCall, 'nativeModel' | 'model'>): boolean {
  return /^claude/i.test(call.nativeModel) || call.model?.family === 'claude';
}

export function vertexLocation(call: AdapterCall): string {
  return call.options.region ?? 'global';
}

export function vertexProject(call: AdapterCall): string {
  if (call.options.project) return call.options.project;
  const project = parseServiceAccount(call.secret, PROVIDER).project_id;
  if (!project) throw new RouteFailure(routeError('auth', `${PROVIDER}: set options.project, or use a service-account key that has project_id`));
  return project;
}

/** `…/v1/projects/{p}/locations/{l}/publishers/google/models/{m}`: Gemini on Vertex, under a project and region. */
export function vertexGeminiModelUrl(call: AdapterCall, model: string): string {
  const loc = vertexLocation(call);
  return `${vertexRoot(call)}/v1/projects/${pathSegment(vertexProject(call), 'project', PROVIDER)}/locations/${pathSegment(loc, 'region', PROVIDER)}/publishers/google/models/${model}`;
}

/**
 * Express mode: a Vertex API key (not a service account) reaches Gemini on the global host without
 * a project.
 */
function expressModelUrl(call: AdapterCall, model: string): string {
  return `${vertexRoot({ ...call, options: { ...call.options, region: 'global' } })}/v1/publishers/google/models/${model}`;
}

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
