/** Display names for the provider cards. */
import { PROVIDERS, type ProviderId } from '../../core/providers/ids';

export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'google-ai-studio': 'Google AI Studio',
  'google-vertex': 'Google Vertex AI',
  'amazon-bedrock': 'Amazon Bedrock',
  azure: 'Azure OpenAI',
  mistral: 'Mistral',
  groq: 'Groq',
  xai: 'xAI',
  deepseek: 'DeepSeek',
  together: 'Together',
  fireworks: 'Fireworks',
  cerebras: 'Cerebras',
  perplexity: 'Perplexity',
  openrouter: 'OpenRouter',
};

/** Every provider a BYOK key can be for. OpenRouter is the pooled route; it gets a card only when a key names it. */
export function providerCards(configured: ReadonlySet<string>): { id: string; label: string }[] {
  return PROVIDERS.filter((p) => p !== 'openrouter' || configured.has(p)).map((id) => ({ id, label: PROVIDER_LABELS[id] }));
}
