/**
 * What differs between the OpenAI-compatible providers, as data: base path, where stream usage
 * goes, the reasoning field, keep-alive comment text, default models. Error bodies and request
 * validation live in openai-errors.ts. Sources: each provider's API reference.
 */
import { PROFILES, type ProfileFlavor, type RetryAfterForm } from './openai-profiles';

/** The flavors with hand-written quirks below and in openai-errors.ts; profiled ones are data. */
export const FLAVORS = ['openai', 'mistral', 'groq', 'xai', 'deepseek', 'together', 'fireworks', 'cerebras', 'perplexity', 'azure', 'openrouter'] as const;

export type LegacyFlavor = (typeof FLAVORS)[number];
/** Every simulated OpenAI-compatible provider: the hand-written flavors and the data profiles. */
export type Flavor = LegacyFlavor | ProfileFlavor;
export const PROFILE_FLAVORS = Object.keys(PROFILES) as ProfileFlavor[];
export const ALL_FLAVORS: readonly Flavor[] = [...FLAVORS, ...PROFILE_FLAVORS];

/**
 * Where a streamed answer carries usage:
 * - include_usage: only with `stream_options.include_usage`, as an extra chunk with `choices: []` (OpenAI).
 * - final-chunk: always, on the chunk that carries finish_reason (Mistral, Together, …).
 * - x_groq: always, as `x_groq.usage` on the finish chunk.
 * - usage-chunk: always, as an extra chunk with `choices: []` (OpenRouter; include_usage has no effect).
 */
export type UsageMode = 'include_usage' | 'final-chunk' | 'x_groq' | 'usage-chunk';

export interface FlavorSpec {
  /** The real base URL's path, so `sim.baseUrl` looks like the provider's. */
  basePath: string;
  usageMode: UsageMode;
  reasoningField: 'reasoning_content' | 'reasoning';
  /** Text of the SSE comment the provider uses while it waits. */
  commentText: string;
  /** Stop-reason as this provider spells it. */
  stopReason: string;
  models: string[];
  /** How its 429 says how long to wait (`sim.errors.rateLimited(s)`). */
  retryAfter: RetryAfterForm;
}

export const FLAVOR_SPECS: Record<Flavor, FlavorSpec> = {
  openai: spec('/v1', 'include_usage', ['gpt-4o-mini', 'gpt-4.1']),
  mistral: spec('/v1', 'final-chunk', ['mistral-small-latest', 'mistral-large-latest']),
  groq: { ...spec('/openai/v1', 'x_groq', ['llama-3.3-70b-versatile', 'openai/gpt-oss-20b']), reasoningField: 'reasoning' },
  xai: spec('/v1', 'include_usage', ['grok-4', 'grok-3-mini']),
  deepseek: spec('', 'include_usage', ['deepseek-chat', 'deepseek-reasoner']),
  // Together ends normal answers with "eos", which the router must map to "stop".
  together: { ...spec('/v1', 'final-chunk', ['meta-llama/Llama-3.3-70B-Instruct-Turbo']), stopReason: 'eos' },
  fireworks: spec('/inference/v1', 'final-chunk', ['accounts/fireworks/models/llama-v3p1-8b-instruct']),
  cerebras: spec('/v1', 'final-chunk', ['llama3.1-8b', 'gpt-oss-120b']),
  perplexity: spec('', 'final-chunk', ['sonar', 'sonar-pro']),
  // For Azure the "models" are deployment names.
  azure: { ...spec('/openai/v1', 'include_usage', ['gpt-4o-mini']), retryAfter: 'ms' },
  openrouter: {
    ...spec('/api/v1', 'usage-chunk', ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4']),
    reasoningField: 'reasoning',
    commentText: 'OPENROUTER PROCESSING',
  },
  ...(Object.fromEntries(
    PROFILE_FLAVORS.map((f) => {
      const p = PROFILES[f];
      return [f, { ...spec(p.basePath, p.usageMode, [...p.models]), retryAfter: p.retryAfter }];
    }),
  ) as Record<ProfileFlavor, FlavorSpec>),
};

function spec(basePath: string, usageMode: UsageMode, models: string[]): FlavorSpec {
  return { basePath, usageMode, reasoningField: 'reasoning_content', commentText: 'keep-alive', stopReason: 'stop', models, retryAfter: 'seconds' };
}

/** A key shown the way providers show it in messages: never the whole key. */
export function maskKey(key: string): string {
  return key.length >= 8 ? `${key.slice(0, 2)}***${key.slice(-2)}` : '***';
}

/** The deterministic default answer, so a test can tell which key served a request. */
export function defaultAnswerText(flavor: Flavor, key: string): string {
  return `Hello from ${flavor} key …${key.slice(-4)}`;
}
