// Bundled model catalog: which providers serve each OpenRouter slug, under which native id, at what list price.
//
// Prices are USD per million tokens, standard (non-batch, non-priority) list prices of the data
// snapshot; long-context tiers (e.g. Gemini 2.5 Pro above 200k input tokens) and cache-write
// surcharges are not modelled. `refresh` from OpenRouter's public models list updates pooled
// prices, context lengths and capabilities at run time; provider offers only change here or
// through a key's model map.
//
// Native id conventions:
// - anthropic: the undated alias (`claude-sonnet-4-5`), which Anthropic points at the current snapshot.
// - google-vertex: Claude ids carry the snapshot after `@` (`claude-sonnet-4-5@20250929`); Gemini ids
//   are the same as at AI Studio.
// - amazon-bedrock: cross-region inference profiles. `global.` profiles (Claude 4.5 and Sonnet 4)
//   work from any commercial region at the base price (regional `us.`/`eu.` profiles of these models
//   cost about 10 % more); older models only have regional (`us.`) profiles. A key in another
//   geography overrides the id through its model map.
// - azure: the OpenAI model id, used as the default deployment name.

import type { CatalogModel } from './types.js';

export const BUNDLED_MODELS: readonly CatalogModel[] = [
  // ---------------------------------------------------------------- OpenAI
  {
    slug: 'openai/gpt-5.1',
    name: 'GPT-5.1',
    family: 'gpt',
    contextLength: 400_000,
    maxOutput: 128_000,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-5.1', input: 1.25, output: 10, cacheRead: 0.125 },
      azure: { id: 'gpt-5.1', input: 1.25, output: 10, cacheRead: 0.125 },
    },
  },
  {
    slug: 'openai/gpt-5',
    name: 'GPT-5',
    family: 'gpt',
    contextLength: 400_000,
    maxOutput: 128_000,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-5', input: 1.25, output: 10, cacheRead: 0.125 },
      azure: { id: 'gpt-5', input: 1.25, output: 10, cacheRead: 0.125 },
    },
  },
  {
    slug: 'openai/gpt-5-mini',
    name: 'GPT-5 mini',
    family: 'gpt',
    contextLength: 400_000,
    maxOutput: 128_000,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-5-mini', input: 0.25, output: 2, cacheRead: 0.025 },
      azure: { id: 'gpt-5-mini', input: 0.25, output: 2, cacheRead: 0.025 },
    },
  },
  {
    slug: 'openai/gpt-5-nano',
    name: 'GPT-5 nano',
    family: 'gpt',
    contextLength: 400_000,
    maxOutput: 128_000,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-5-nano', input: 0.05, output: 0.4, cacheRead: 0.005 },
      azure: { id: 'gpt-5-nano', input: 0.05, output: 0.4, cacheRead: 0.005 },
    },
  },
  {
    slug: 'openai/gpt-4.1',
    name: 'GPT-4.1',
    family: 'gpt',
    contextLength: 1_047_576,
    maxOutput: 32_768,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-4.1', input: 2, output: 8, cacheRead: 0.5 },
      azure: { id: 'gpt-4.1', input: 2, output: 8, cacheRead: 0.5 },
    },
  },
  {
    slug: 'openai/gpt-4.1-mini',
    name: 'GPT-4.1 mini',
    family: 'gpt',
    contextLength: 1_047_576,
    maxOutput: 32_768,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-4.1-mini', input: 0.4, output: 1.6, cacheRead: 0.1 },
      azure: { id: 'gpt-4.1-mini', input: 0.4, output: 1.6, cacheRead: 0.1 },
    },
  },
  {
    slug: 'openai/gpt-4.1-nano',
    name: 'GPT-4.1 nano',
    family: 'gpt',
    contextLength: 1_047_576,
    maxOutput: 32_768,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-4.1-nano', input: 0.1, output: 0.4, cacheRead: 0.025 },
      azure: { id: 'gpt-4.1-nano', input: 0.1, output: 0.4, cacheRead: 0.025 },
    },
  },
  {
    slug: 'openai/gpt-4o',
    name: 'GPT-4o',
    family: 'gpt',
    contextLength: 128_000,
    maxOutput: 16_384,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-4o', input: 2.5, output: 10, cacheRead: 1.25 },
      azure: { id: 'gpt-4o', input: 2.5, output: 10, cacheRead: 1.25 },
    },
  },
  {
    slug: 'openai/gpt-4o-mini',
    name: 'GPT-4o mini',
    family: 'gpt',
    contextLength: 128_000,
    maxOutput: 16_384,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'gpt-4o-mini', input: 0.15, output: 0.6, cacheRead: 0.075 },
      azure: { id: 'gpt-4o-mini', input: 0.15, output: 0.6, cacheRead: 0.075 },
    },
  },
  {
    slug: 'openai/o3',
    name: 'o3',
    family: 'o',
    contextLength: 200_000,
    maxOutput: 100_000,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'o3', input: 2, output: 8, cacheRead: 0.5 },
      azure: { id: 'o3', input: 2, output: 8, cacheRead: 0.5 },
    },
  },
  {
    slug: 'openai/o4-mini',
    name: 'o4-mini',
    family: 'o',
    contextLength: 200_000,
    maxOutput: 100_000,
    tools: true,
    vision: true,
    providers: {
      openai: { id: 'o4-mini', input: 1.1, output: 4.4, cacheRead: 0.275 },
      azure: { id: 'o4-mini', input: 1.1, output: 4.4, cacheRead: 0.275 },
    },
  },
  // Open-weight: OpenAI's own API does not serve these, so the pooled price is given.
  {
    slug: 'openai/gpt-oss-120b',
    name: 'gpt-oss-120b',
    family: 'gpt-oss',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    pooled: { input: 0.05, output: 0.25 },
    providers: {
      groq: { id: 'openai/gpt-oss-120b', input: 0.15, output: 0.6 },
      cerebras: { id: 'gpt-oss-120b', input: 0.25, output: 0.69 },
      together: { id: 'openai/gpt-oss-120b', input: 0.15, output: 0.6 },
      fireworks: { id: 'accounts/fireworks/models/gpt-oss-120b', input: 0.15, output: 0.6 },
      'amazon-bedrock': { id: 'openai.gpt-oss-120b-1:0', input: 0.15, output: 0.6 },
    },
  },
  {
    slug: 'openai/gpt-oss-20b',
    name: 'gpt-oss-20b',
    family: 'gpt-oss',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    pooled: { input: 0.03, output: 0.14 },
    providers: {
      groq: { id: 'openai/gpt-oss-20b', input: 0.075, output: 0.3 },
      together: { id: 'openai/gpt-oss-20b', input: 0.05, output: 0.2 },
      fireworks: { id: 'accounts/fireworks/models/gpt-oss-20b', input: 0.07, output: 0.3 },
      'amazon-bedrock': { id: 'openai.gpt-oss-20b-1:0', input: 0.07, output: 0.3 },
    },
  },

  // ---------------------------------------------------------------- Anthropic
  // Cache reads are 10 % of input; the 1M-token window of Sonnet 4/4.5 needs a beta header,
  // so the native offers state 200k.
  {
    slug: 'anthropic/claude-opus-4.5',
    name: 'Claude Opus 4.5',
    family: 'claude',
    contextLength: 200_000,
    maxOutput: 64_000,
    tools: true,
    vision: true,
    providers: {
      anthropic: { id: 'claude-opus-4-5', input: 5, output: 25, cacheRead: 0.5 },
      'amazon-bedrock': { id: 'global.anthropic.claude-opus-4-5-20251101-v1:0', input: 5, output: 25, cacheRead: 0.5 },
      'google-vertex': { id: 'claude-opus-4-5@20251101', input: 5, output: 25, cacheRead: 0.5 },
    },
  },
  {
    slug: 'anthropic/claude-opus-4.1',
    name: 'Claude Opus 4.1',
    family: 'claude',
    contextLength: 200_000,
    maxOutput: 32_000,
    tools: true,
    vision: true,
    providers: {
      anthropic: { id: 'claude-opus-4-1', input: 15, output: 75, cacheRead: 1.5 },
      'amazon-bedrock': { id: 'us.anthropic.claude-opus-4-1-20250805-v1:0', input: 15, output: 75, cacheRead: 1.5 },
      'google-vertex': { id: 'claude-opus-4-1@20250805', input: 15, output: 75, cacheRead: 1.5 },
    },
  },
  {
    slug: 'anthropic/claude-opus-4',
    name: 'Claude Opus 4',
    family: 'claude',
    contextLength: 200_000,
    maxOutput: 32_000,
    tools: true,
    vision: true,
    providers: {
      anthropic: { id: 'claude-opus-4-0', input: 15, output: 75, cacheRead: 1.5 },
      'amazon-bedrock': { id: 'us.anthropic.claude-opus-4-20250514-v1:0', input: 15, output: 75, cacheRead: 1.5 },
      'google-vertex': { id: 'claude-opus-4@20250514', input: 15, output: 75, cacheRead: 1.5 },
    },
  },
  {
    slug: 'anthropic/claude-sonnet-4.5',
    name: 'Claude Sonnet 4.5',
    family: 'claude',
    contextLength: 1_000_000,
    maxOutput: 64_000,
    tools: true,
    vision: true,
    providers: {
      anthropic: { id: 'claude-sonnet-4-5', input: 3, output: 15, cacheRead: 0.3, contextLength: 200_000 },
      'amazon-bedrock': {
        id: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
        input: 3,
        output: 15,
        cacheRead: 0.3,
        contextLength: 200_000,
      },
      'google-vertex': { id: 'claude-sonnet-4-5@20250929', input: 3, output: 15, cacheRead: 0.3, contextLength: 200_000 },
    },
  },
  {
    slug: 'anthropic/claude-sonnet-4',
    name: 'Claude Sonnet 4',
    family: 'claude',
    contextLength: 1_000_000,
    maxOutput: 64_000,
    tools: true,
    vision: true,
    providers: {
      anthropic: { id: 'claude-sonnet-4-0', input: 3, output: 15, cacheRead: 0.3, contextLength: 200_000 },
      'amazon-bedrock': {
        id: 'global.anthropic.claude-sonnet-4-20250514-v1:0',
        input: 3,
        output: 15,
        cacheRead: 0.3,
        contextLength: 200_000,
      },
      'google-vertex': { id: 'claude-sonnet-4@20250514', input: 3, output: 15, cacheRead: 0.3, contextLength: 200_000 },
    },
  },
  {
    slug: 'anthropic/claude-haiku-4.5',
    name: 'Claude Haiku 4.5',
    family: 'claude',
    contextLength: 200_000,
    maxOutput: 64_000,
    tools: true,
    vision: true,
    providers: {
      anthropic: { id: 'claude-haiku-4-5', input: 1, output: 5, cacheRead: 0.1 },
      'amazon-bedrock': { id: 'global.anthropic.claude-haiku-4-5-20251001-v1:0', input: 1, output: 5, cacheRead: 0.1 },
      'google-vertex': { id: 'claude-haiku-4-5@20251001', input: 1, output: 5, cacheRead: 0.1 },
    },
  },

  // ---------------------------------------------------------------- Google
  {
    slug: 'google/gemini-3-pro-preview',
    name: 'Gemini 3 Pro Preview',
    family: 'gemini',
    contextLength: 1_048_576,
    maxOutput: 65_536,
    tools: true,
    vision: true,
    providers: {
      'google-ai-studio': { id: 'gemini-3-pro-preview', input: 2, output: 12, cacheRead: 0.2 },
      'google-vertex': { id: 'gemini-3-pro-preview', input: 2, output: 12, cacheRead: 0.2 },
    },
  },
  {
    slug: 'google/gemini-3-flash-preview',
    name: 'Gemini 3 Flash Preview',
    family: 'gemini',
    contextLength: 1_048_576,
    maxOutput: 65_536,
    tools: true,
    vision: true,
    providers: {
      'google-ai-studio': { id: 'gemini-3-flash-preview', input: 0.5, output: 3, cacheRead: 0.05 },
      'google-vertex': { id: 'gemini-3-flash-preview', input: 0.5, output: 3, cacheRead: 0.05 },
    },
  },
  {
    slug: 'google/gemini-2.5-pro',
    name: 'Gemini 2.5 Pro',
    family: 'gemini',
    contextLength: 1_048_576,
    maxOutput: 65_536,
    tools: true,
    vision: true,
    providers: {
      'google-ai-studio': { id: 'gemini-2.5-pro', input: 1.25, output: 10, cacheRead: 0.125 },
      'google-vertex': { id: 'gemini-2.5-pro', input: 1.25, output: 10, cacheRead: 0.125 },
    },
  },
  {
    slug: 'google/gemini-2.5-flash',
    name: 'Gemini 2.5 Flash',
    family: 'gemini',
    contextLength: 1_048_576,
    maxOutput: 65_536,
    tools: true,
    vision: true,
    providers: {
      'google-ai-studio': { id: 'gemini-2.5-flash', input: 0.3, output: 2.5, cacheRead: 0.03 },
      'google-vertex': { id: 'gemini-2.5-flash', input: 0.3, output: 2.5, cacheRead: 0.03 },
    },
  },
  {
    slug: 'google/gemini-2.5-flash-lite',
    name: 'Gemini 2.5 Flash-Lite',
    family: 'gemini',
    contextLength: 1_048_576,
    maxOutput: 65_536,
    tools: true,
    vision: true,
    providers: {
      'google-ai-studio': { id: 'gemini-2.5-flash-lite', input: 0.1, output: 0.4, cacheRead: 0.01 },
      'google-vertex': { id: 'gemini-2.5-flash-lite', input: 0.1, output: 0.4, cacheRead: 0.01 },
    },
  },

  // ---------------------------------------------------------------- Mistral
  {
    slug: 'mistralai/mistral-large-2411',
    name: 'Mistral Large 2411',
    family: 'mistral',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    providers: {
      mistral: { id: 'mistral-large-2411', input: 2, output: 6 },
    },
  },
  {
    slug: 'mistralai/mistral-medium-3.1',
    name: 'Mistral Medium 3.1',
    family: 'mistral',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: true,
    providers: {
      mistral: { id: 'mistral-medium-2508', input: 0.4, output: 2 },
    },
  },
  {
    slug: 'mistralai/mistral-small-3.2-24b-instruct',
    name: 'Mistral Small 3.2',
    family: 'mistral',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: true,
    providers: {
      mistral: { id: 'mistral-small-2506', input: 0.1, output: 0.3 },
    },
  },
  {
    slug: 'mistralai/codestral-2508',
    name: 'Codestral 2508',
    family: 'codestral',
    contextLength: 256_000,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    providers: {
      mistral: { id: 'codestral-2508', input: 0.3, output: 0.9 },
    },
  },
  {
    slug: 'mistralai/devstral-medium',
    name: 'Devstral Medium',
    family: 'devstral',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    providers: {
      mistral: { id: 'devstral-medium-2507', input: 0.4, output: 2 },
    },
  },

  // ---------------------------------------------------------------- Meta Llama (open weights, hosts only)
  {
    slug: 'meta-llama/llama-3.3-70b-instruct',
    name: 'Llama 3.3 70B Instruct',
    family: 'llama',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    pooled: { input: 0.13, output: 0.39 },
    providers: {
      groq: { id: 'llama-3.3-70b-versatile', input: 0.59, output: 0.79 },
      together: { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', input: 0.88, output: 0.88 },
      fireworks: { id: 'accounts/fireworks/models/llama-v3p3-70b-instruct', input: 0.9, output: 0.9 },
      cerebras: { id: 'llama-3.3-70b', input: 0.85, output: 1.2 },
      'amazon-bedrock': { id: 'us.meta.llama3-3-70b-instruct-v1:0', input: 0.72, output: 0.72 },
    },
  },
  {
    slug: 'meta-llama/llama-3.1-8b-instruct',
    name: 'Llama 3.1 8B Instruct',
    family: 'llama',
    contextLength: 131_072,
    maxOutput: 8_192,
    tools: true,
    vision: false,
    pooled: { input: 0.02, output: 0.03 },
    providers: {
      groq: { id: 'llama-3.1-8b-instant', input: 0.05, output: 0.08 },
      together: { id: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', input: 0.18, output: 0.18 },
      fireworks: { id: 'accounts/fireworks/models/llama-v3p1-8b-instruct', input: 0.2, output: 0.2 },
      cerebras: { id: 'llama3.1-8b', input: 0.1, output: 0.1 },
      'amazon-bedrock': { id: 'us.meta.llama3-1-8b-instruct-v1:0', input: 0.22, output: 0.22 },
    },
  },
  {
    slug: 'meta-llama/llama-4-maverick',
    name: 'Llama 4 Maverick',
    family: 'llama',
    contextLength: 1_048_576,
    maxOutput: 16_384,
    tools: true,
    vision: true,
    pooled: { input: 0.15, output: 0.6 },
    providers: {
      groq: {
        id: 'meta-llama/llama-4-maverick-17b-128e-instruct',
        input: 0.2,
        output: 0.6,
        contextLength: 131_072,
        maxOutput: 8_192,
      },
      together: { id: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8', input: 0.27, output: 0.85 },
      fireworks: { id: 'accounts/fireworks/models/llama4-maverick-instruct-basic', input: 0.22, output: 0.88 },
      'amazon-bedrock': { id: 'us.meta.llama4-maverick-17b-instruct-v1:0', input: 0.24, output: 0.97 },
    },
  },
  {
    slug: 'meta-llama/llama-4-scout',
    name: 'Llama 4 Scout',
    family: 'llama',
    contextLength: 327_680,
    maxOutput: 16_384,
    tools: true,
    vision: true,
    pooled: { input: 0.08, output: 0.3 },
    providers: {
      groq: {
        id: 'meta-llama/llama-4-scout-17b-16e-instruct',
        input: 0.11,
        output: 0.34,
        contextLength: 131_072,
        maxOutput: 8_192,
      },
      together: { id: 'meta-llama/Llama-4-Scout-17B-16E-Instruct', input: 0.18, output: 0.59 },
      fireworks: { id: 'accounts/fireworks/models/llama4-scout-instruct-basic', input: 0.15, output: 0.6 },
      cerebras: { id: 'llama-4-scout-17b-16e-instruct', input: 0.65, output: 0.85 },
      'amazon-bedrock': { id: 'us.meta.llama4-scout-17b-instruct-v1:0', input: 0.17, output: 0.66 },
    },
  },

  // ---------------------------------------------------------------- xAI
  {
    slug: 'x-ai/grok-4',
    name: 'Grok 4',
    family: 'grok',
    contextLength: 256_000,
    maxOutput: 64_000,
    tools: true,
    vision: true,
    providers: {
      xai: { id: 'grok-4-0709', input: 3, output: 15, cacheRead: 0.75 },
    },
  },
  {
    slug: 'x-ai/grok-4.1-fast',
    name: 'Grok 4.1 Fast',
    family: 'grok',
    contextLength: 2_000_000,
    maxOutput: 30_000,
    tools: true,
    vision: true,
    providers: {
      xai: { id: 'grok-4-1-fast-reasoning', input: 0.2, output: 0.5, cacheRead: 0.05 },
    },
  },
  {
    slug: 'x-ai/grok-4-fast',
    name: 'Grok 4 Fast',
    family: 'grok',
    contextLength: 2_000_000,
    maxOutput: 30_000,
    tools: true,
    vision: true,
    providers: {
      xai: { id: 'grok-4-fast-reasoning', input: 0.2, output: 0.5, cacheRead: 0.05 },
    },
  },
  {
    slug: 'x-ai/grok-code-fast-1',
    name: 'Grok Code Fast 1',
    family: 'grok',
    contextLength: 256_000,
    maxOutput: 10_000,
    tools: true,
    vision: false,
    providers: {
      xai: { id: 'grok-code-fast-1', input: 0.2, output: 1.5, cacheRead: 0.02 },
    },
  },
  {
    slug: 'x-ai/grok-3-mini',
    name: 'Grok 3 Mini',
    family: 'grok',
    contextLength: 131_072,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    providers: {
      xai: { id: 'grok-3-mini', input: 0.3, output: 0.5, cacheRead: 0.075 },
    },
  },

  // ---------------------------------------------------------------- DeepSeek
  // DeepSeek's own API serves only its newest model: `deepseek-chat` (and `deepseek-reasoner`, the
  // same model in thinking mode). Earlier releases remain at the open-weight hosts.
  {
    slug: 'deepseek/deepseek-v3.2',
    name: 'DeepSeek V3.2',
    family: 'deepseek',
    contextLength: 163_840,
    maxOutput: 65_536,
    tools: true,
    vision: false,
    providers: {
      deepseek: { id: 'deepseek-chat', input: 0.28, output: 0.42, cacheRead: 0.028, contextLength: 128_000, maxOutput: 8_192 },
    },
  },
  {
    slug: 'deepseek/deepseek-chat-v3.1',
    name: 'DeepSeek V3.1',
    family: 'deepseek',
    contextLength: 163_840,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    pooled: { input: 0.2, output: 0.8 },
    providers: {
      together: { id: 'deepseek-ai/DeepSeek-V3.1', input: 0.6, output: 1.7 },
      fireworks: { id: 'accounts/fireworks/models/deepseek-v3p1', input: 0.56, output: 1.68 },
    },
  },
  {
    slug: 'deepseek/deepseek-r1-0528',
    name: 'DeepSeek R1 0528',
    family: 'deepseek',
    contextLength: 163_840,
    maxOutput: 32_768,
    tools: true,
    vision: false,
    pooled: { input: 0.5, output: 2.15 },
    providers: {
      together: { id: 'deepseek-ai/DeepSeek-R1', input: 3, output: 7 },
      fireworks: { id: 'accounts/fireworks/models/deepseek-r1-0528', input: 3, output: 8 },
    },
  },

  // ---------------------------------------------------------------- Perplexity (no tool calling)
  {
    slug: 'perplexity/sonar',
    name: 'Sonar',
    family: 'sonar',
    contextLength: 127_072,
    maxOutput: 8_000,
    tools: false,
    vision: false,
    providers: {
      perplexity: { id: 'sonar', input: 1, output: 1 },
    },
  },
  {
    slug: 'perplexity/sonar-pro',
    name: 'Sonar Pro',
    family: 'sonar',
    contextLength: 200_000,
    maxOutput: 8_000,
    tools: false,
    vision: false,
    providers: {
      perplexity: { id: 'sonar-pro', input: 3, output: 15 },
    },
  },
  {
    slug: 'perplexity/sonar-reasoning-pro',
    name: 'Sonar Reasoning Pro',
    family: 'sonar',
    contextLength: 128_000,
    maxOutput: 8_000,
    tools: false,
    vision: false,
    providers: {
      perplexity: { id: 'sonar-reasoning-pro', input: 2, output: 8 },
    },
  },

  // ---------------------------------------------------------------- Amazon (Bedrock only)
  {
    slug: 'amazon/nova-pro-v1',
    name: 'Amazon Nova Pro',
    family: 'nova',
    contextLength: 300_000,
    maxOutput: 10_000,
    tools: true,
    vision: true,
    providers: {
      'amazon-bedrock': { id: 'us.amazon.nova-pro-v1:0', input: 0.8, output: 3.2 },
    },
  },
  {
    slug: 'amazon/nova-lite-v1',
    name: 'Amazon Nova Lite',
    family: 'nova',
    contextLength: 300_000,
    maxOutput: 10_000,
    tools: true,
    vision: true,
    providers: {
      'amazon-bedrock': { id: 'us.amazon.nova-lite-v1:0', input: 0.06, output: 0.24 },
    },
  },
  {
    slug: 'amazon/nova-micro-v1',
    name: 'Amazon Nova Micro',
    family: 'nova',
    contextLength: 128_000,
    maxOutput: 10_000,
    tools: true,
    vision: false,
    providers: {
      'amazon-bedrock': { id: 'us.amazon.nova-micro-v1:0', input: 0.035, output: 0.14 },
    },
  },

  // ---------------------------------------------------------------- Other open weights at the hosts
  {
    slug: 'qwen/qwen3-coder',
    name: 'Qwen3 Coder 480B A35B',
    family: 'qwen',
    contextLength: 262_144,
    maxOutput: 65_536,
    tools: true,
    vision: false,
    pooled: { input: 0.22, output: 0.95 },
    providers: {
      together: { id: 'Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8', input: 2, output: 2 },
      fireworks: { id: 'accounts/fireworks/models/qwen3-coder-480b-a35b-instruct', input: 0.45, output: 1.8 },
    },
  },
  {
    slug: 'moonshotai/kimi-k2-0905',
    name: 'Kimi K2 0905',
    family: 'kimi',
    contextLength: 262_144,
    maxOutput: 16_384,
    tools: true,
    vision: false,
    pooled: { input: 0.39, output: 1.9 },
    providers: {
      groq: { id: 'moonshotai/kimi-k2-instruct-0905', input: 1, output: 3 },
      together: { id: 'moonshotai/Kimi-K2-Instruct-0905', input: 1, output: 3 },
      fireworks: { id: 'accounts/fireworks/models/kimi-k2-instruct-0905', input: 0.6, output: 2.5 },
    },
  },
];
