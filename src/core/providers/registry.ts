/** Provider id → adapter. Families are small modules; this is the only place that knows them all. */
import { routeError, RouteFailure } from '../errors';
import type { ProviderId } from './ids';
import { anthropicAdapter } from './anthropic';
import { azureAdapter } from './azure';
import { azureFoundryAdapter } from './azure-foundry';
import { bedrockAdapter } from './bedrock';
import { geminiAdapter } from './gemini';
import { COMPAT_ROWS, compatAdapter, type CompatProvider } from './openai-compatible';
import type { ProviderAdapter } from './types';
import { vertexAdapter } from './vertex';

const adapters = new Map<ProviderId, ProviderAdapter>();
for (const p of Object.keys(COMPAT_ROWS) as CompatProvider[]) adapters.set(p, compatAdapter(p));
adapters.set('azure', azureAdapter);
adapters.set('azure-foundry', azureFoundryAdapter);
adapters.set('anthropic', anthropicAdapter());
adapters.set('amazon-bedrock', bedrockAdapter);
adapters.set('google-ai-studio', geminiAdapter);
adapters.set('google-vertex', vertexAdapter);

export function registerAdapter(provider: ProviderId, adapter: ProviderAdapter) {
  adapters.set(provider, adapter);
}

export function adapterFor(provider: ProviderId): ProviderAdapter {
  const a = adapters.get(provider);
  if (!a) throw new RouteFailure(routeError('bad_request', `no adapter for provider "${provider}" yet`));
  return a;
}

export function hasAdapter(provider: ProviderId): boolean {
  return adapters.has(provider);
}
