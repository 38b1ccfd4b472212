/** Provider id → adapter. Families are small modules; this is the only place that knows them all. */
import { routeError, RouteFailure } from '../errors';
import type { ProviderId } from './ids';
import { ThinkingCache } from './anthropic/thinking-cache';
import { anthropicAdapter } from './anthropic';
import { azureAdapter } from './openai-compatible/azure';
import { azureFoundryAdapter } from './openai-compatible/azure-foundry';
import { bedrockAdapter } from './bedrock';
import { geminiAdapter, ThoughtSignatureCache } from './gemini';
import { COMPAT_ROWS, compatAdapter, type CompatProvider } from './openai-compatible';
import type { AdapterFactory, ProviderAdapter, ProviderState } from './types';
import { vertexAdapter } from './vertex';
import { ServiceAccountTokens } from './vertex/auth';

/** The shipped table: which factory serves which provider. */
export const ADAPTER_FACTORIES: Partial<Record<ProviderId, AdapterFactory>> = {
  ...(Object.fromEntries((Object.keys(COMPAT_ROWS) as CompatProvider[]).map((p) => [p, compatAdapter])) as Record<CompatProvider, AdapterFactory>),
  azure: azureAdapter,
  'azure-foundry': azureFoundryAdapter,
  anthropic: anthropicAdapter,
  'amazon-bedrock': bedrockAdapter,
  'google-ai-studio': geminiAdapter,
  'google-vertex': vertexAdapter,
};

/** Fresh caches, each overridable (a test injects a token source with its own clock). */
export function providerState(over: Partial<ProviderState> = {}): ProviderState {
  return {
    thinking: over.thinking ?? new ThinkingCache(),
    signatures: over.signatures ?? new ThoughtSignatureCache(),
    bedrockReasoning: over.bedrockReasoning ?? new ThinkingCache(),
    tokens: over.tokens ?? new ServiceAccountTokens(),
  };
}

export function hasAdapter(provider: ProviderId): boolean {
  return ADAPTER_FACTORIES[provider] !== undefined;
}

/** One router's adapters and the state they keep; built on first use. */
export class Adapters {
  readonly state: ProviderState;
  private readonly factories: Partial<Record<ProviderId, AdapterFactory>>;
  private readonly built = new Map<ProviderId, ProviderAdapter>();

  constructor(opts: { factories?: Partial<Record<ProviderId, AdapterFactory>>; state?: Partial<ProviderState> } = {}) {
    this.factories = { ...ADAPTER_FACTORIES, ...opts.factories };
    this.state = providerState(opts.state);
  }

  has(provider: ProviderId): boolean {
    return this.factories[provider] !== undefined;
  }

  get(provider: ProviderId): ProviderAdapter {
    let a = this.built.get(provider);
    if (a) return a;
    const make = this.factories[provider];
    if (!make) throw new RouteFailure(routeError('bad_request', `no adapter for provider "${provider}" yet`));
    a = make(provider, this.state);
    this.built.set(provider, a);
    return a;
  }
}
