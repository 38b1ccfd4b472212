/**
 * An adapter is a request transform (canonical OpenAI-shape request → the provider's wire request)
 * and a response transform (the provider's body or stream → canonical completion or chunks),
 * plus how the provider's errors map to kinds. Adapters are stateless; `call` carries everything.
 */
import type { ChatChunk, ChatCompletion, ChatRequest } from '../chat';
import type { CatalogModel } from '../catalog/types';
import type { KeyConfig, Limits } from '../config/schema';
import type { RouteError } from '../errors';
import type { HttpClient, HttpRequestSpec } from '../http/client';
import type { HeaderBag } from '../http/retry-after';
import type { ProviderId } from './ids';
import type { ThinkingCache } from './anthropic/thinking-cache';
import type { ThoughtSignatureCache } from './gemini';
import type { ServiceAccountTokens } from './vertex/auth';

export interface AdapterCall {
  provider: ProviderId;
  request: ChatRequest;
  /** The model id this provider knows (from the catalog or the key's model map). */
  nativeModel: string;
  secret: string;
  stream: boolean;
  options: KeyConfig['options'];
  /** Pooled route: where OpenRouter (or a compatible gateway) lives, and attribution headers. */
  baseUrl?: string;
  extraHeaders?: Record<string, string>;
  /** Pooled route: fields merged into the body (OpenRouter's `provider` preferences). */
  extraBody?: Record<string, unknown>;
  model?: CatalogModel;
  /** For adapters that must fetch something first (Vertex's OAuth token). */
  http?: HttpClient;
  /** The call's cancellation, for adapters that wait on something first (Vertex's shared token exchange). */
  cancel?: { readonly signal: AbortSignal };
  /** Credentials minted at run time (Vertex access tokens) go to the redactor the moment they exist. */
  onCredential?: (value: string) => void;
}

export interface ProviderAdapter {
  readonly family: 'openai-compatible' | 'anthropic' | 'gemini' | 'bedrock';
  buildRequest(call: AdapterCall): HttpRequestSpec | Promise<HttpRequestSpec>;
  /** Non-streaming body → completion. Throws RouteFailure for an error carried in a 2xx body. */
  parseCompletion(bodyText: string, call: AdapterCall): ChatCompletion;
  /** Stream body → chunks. Throws RouteFailure for a mid-stream error or a malformed frame. */
  streamChunks(body: AsyncIterable<Uint8Array>, call: AdapterCall, limits: Limits): AsyncIterable<ChatChunk>;
  /** The same chunks, as many at a time as one read of the body completed: one async hop per read, not per chunk. Optional. */
  streamBatches?(body: AsyncIterable<Uint8Array>, call: AdapterCall, limits: Limits): AsyncIterable<readonly ChatChunk[]>;
  /** A non-2xx answer → an error kind and a message the user can act on. */
  classifyError(status: number, headers: HeaderBag, bodyText: string, now: number): RouteError;
  /**
   * The cheapest authenticated request that proves a key works (a models or key-info endpoint).
   * Undefined when the provider has none that costs nothing.
   */
  validationRequest?(call: AdapterCall): HttpRequestSpec | Promise<HttpRequestSpec> | undefined;
  /** A 2xx answer to the key check that still reports an error in its body (MiniMax's base_resp). */
  validationError?(bodyText: string, now: number): RouteError | undefined;
}

/**
 * What adapters remember between calls, owned by whoever builds them (a router), never by the
 * module: two routers in one process share none of it.
 */
export interface ProviderState {
  /** Claude's signed thinking (direct and on Vertex), keyed by the tool-call ids it led to. */
  thinking: ThinkingCache;
  /** Gemini's thought signatures (AI Studio and Vertex), keyed the same way. */
  signatures: ThoughtSignatureCache;
  /** Bedrock's signed reasoning blocks. */
  bedrockReasoning: ThinkingCache;
  /** Vertex service-account access tokens. */
  tokens: ServiceAccountTokens;
}

/** Every family's factory has this shape: the provider it serves, and the state it may keep. */
export type AdapterFactory = (provider: ProviderId, state: ProviderState) => ProviderAdapter;
