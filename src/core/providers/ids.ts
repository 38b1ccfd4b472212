/** Every provider the router knows. Adapter families are in providers/registry.ts. */
export const PROVIDERS = [
  'openai',
  'anthropic',
  'google-ai-studio',
  'google-vertex',
  'amazon-bedrock',
  'azure',
  'mistral',
  'groq',
  'xai',
  'deepseek',
  'together',
  'fireworks',
  'cerebras',
  'perplexity',
  'ai21',
  'alibaba',
  'azure-foundry',
  'baseten',
  'chutes',
  'cohere',
  'deepinfra',
  'featherless',
  'huggingface',
  'hyperbolic',
  'inception',
  'lambda',
  'minimax',
  'moonshotai',
  'nebius',
  'novita',
  'nvidia',
  'sambanova',
  'stepfun',
  'z-ai',
  'openrouter',
] as const;

export type ProviderId = (typeof PROVIDERS)[number];

export function isProviderId(s: string): s is ProviderId {
  return (PROVIDERS as readonly string[]).includes(s);
}
