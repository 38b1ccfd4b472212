/**
 * Amazon Bedrock through the Converse API, with SigV4 or a Bedrock API key.
 */
import type { HttpRequestSpec } from '../../http/client';
import { ThinkingCache } from '../anthropic/thinking-cache';
import type { AdapterCall, ProviderAdapter, ProviderState } from '../types';
import type { ProviderId } from '../ids';
import { EVENTSTREAM, authorize, lowerCaseHeaders, bedrockAuth, bedrockRegion, buildConverseBody, controlBase, converseUrl } from './request';
import { converseStreamChunks, parseConverseResponse } from './response';
import { classifyBedrockError } from './wire';

// ---------------------------------------------------------------------------------------------
// The adapter

function baseHeaders(call: Pick<AdapterCall, 'options'>, accept: string, json: boolean): Record<string, string> {
  return { ...lowerCaseHeaders(call.options.headers), ...(json ? { 'content-type': 'application/json' } : {}), accept };
}

/** `cache`: Claude's signed reasoning, kept by tool-call id until the tool loop sends that turn back. */
export function buildBedrockRequest(call: AdapterCall, now: Date, cache: ThinkingCache = new ThinkingCache()): HttpRequestSpec {
  const auth = bedrockAuth(call.secret, call.options.auth);
  const spec: HttpRequestSpec = {
    url: converseUrl(call),
    method: 'POST',
    headers: baseHeaders(call, call.stream ? EVENTSTREAM : 'application/json', true),
    body: JSON.stringify(buildConverseBody(call, cache)),
  };
  return authorize(spec, auth, bedrockRegion(call.options), now);
}

/** ListFoundationModels on the control plane: free, and proves the credentials (needs bedrock:ListFoundationModels). */
export function buildValidationRequest(call: Pick<AdapterCall, 'options' | 'secret'>, now: Date): HttpRequestSpec {
  const auth = bedrockAuth(call.secret, call.options.auth);
  const spec: HttpRequestSpec = {
    url: `${controlBase(call)}/foundation-models?byOutputModality=TEXT`,
    method: 'GET',
    headers: baseHeaders(call, 'application/json', false),
  };
  return authorize(spec, auth, bedrockRegion(call.options), now);
}

export function bedrockAdapter(_provider: ProviderId, state: ProviderState): ProviderAdapter {
  const cache = state.bedrockReasoning;
  return {
    family: 'bedrock',
    buildRequest: (call) => buildBedrockRequest(call, new Date(), cache),
    parseCompletion: (text, call) => parseConverseResponse(text, call, cache),
    streamChunks: (body, call, limits) => converseStreamChunks(body, call, limits, cache),
    classifyError: classifyBedrockError,
    validationRequest: (call) => buildValidationRequest(call, new Date()),
  };
}

export * from './wire';
export * from './response';
export * from './request';
export * from './sigv4';
