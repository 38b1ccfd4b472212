/**
 * The OpenAI-compatible family as table rows: one row per provider with its base URL, auth header
 * and what it accepts.
 */

/**
 * The cheapest request that proves a key works (`test-keys`):
 * - get/post: a key-info or models endpoint that costs nothing, at `path` under the base URL, or
 *   under the base URL's origin when `fromOrigin` (Cohere's and DeepInfra's live outside it);
 * - chat: a one-token completion with `model`, for providers whose only free endpoints answer
 *   without a key (their models lists are public) or who have none;
 * - none: no request proves the key; it is validated on first use.
 */
export type KeyCheck = { kind: 'get' | 'post'; path: string; fromOrigin?: boolean } | { kind: 'chat'; model: string } | { kind: 'none' };

export interface CompatRow {
  baseUrl: string;
  auth: 'bearer' | 'api-key';
  keyCheck: KeyCheck;
  /** Error codes that mean the account is out of money or quota: a long wait, not a backoff. */
  quotaCodes?: readonly string[];
  /** Request fields the provider accepts besides model/messages/stream. */
  accepts: readonly string[];
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** OpenAI-style opt-in for usage on the last chunk; others send it unasked. */
  streamOptions: boolean;
  tools: boolean;
  /** Mistral wants 9 alphanumerics as tool-call ids. */
  toolIdStyle?: 'alnum9';
  /** Drop `name` on user messages (Mistral 422, Groq 400). */
  dropMessageName?: boolean;
  seedField?: 'random_seed';
  toolChoiceRequired?: 'any';
  /** Send `tool_choice: "auto"` by leaving it out (Cohere's tool_choice knows only required and none). */
  omitToolChoiceAuto?: boolean;
}

const COMMON = ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'user'] as const;
/** What the open-weight hosts (vLLM / SGLang servers behind an OpenAI front) accept. */
const HOSTED = [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs', 'n'] as const;
/** What OpenAI's own API accepts beyond the common fields; OpenRouter and Azure take the same. */
const OPENAI_FULL = [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'n'] as const;
const MODELS: KeyCheck = { kind: 'get', path: '/models' };

/** A row states what differs from the common case: bearer auth, `max_tokens`, tools, usage sent unasked. */
type RowSpec = Omit<CompatRow, 'auth' | 'maxTokensField' | 'streamOptions' | 'tools'> &
  Partial<Pick<CompatRow, 'auth' | 'maxTokensField' | 'streamOptions' | 'tools'>>;

function row(spec: RowSpec): CompatRow {
  return { auth: 'bearer', maxTokensField: 'max_tokens', streamOptions: false, tools: true, ...spec };
}

export const COMPAT_ROWS = {
  openai: row({
    baseUrl: 'https://api.openai.com/v1',
    keyCheck: MODELS,
    accepts: [...OPENAI_FULL, 'reasoning_effort', 'service_tier', 'metadata', 'store'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: true,
  }),
  azure: row({
    baseUrl: '', // from the key's resource or baseUrl
    auth: 'api-key',
    keyCheck: MODELS,
    accepts: [...OPENAI_FULL, 'reasoning_effort'],
    maxTokensField: 'max_completion_tokens',
    streamOptions: true,
  }),
  mistral: row({
    baseUrl: 'https://api.mistral.ai/v1',
    keyCheck: MODELS,
    accepts: [
      'temperature',
      'top_p',
      'stop',
      'tools',
      'tool_choice',
      'response_format',
      'parallel_tool_calls',
      'frequency_penalty',
      'presence_penalty',
      'n',
      'safe_prompt',
      'seed',
    ],
    toolIdStyle: 'alnum9',
    dropMessageName: true,
    seedField: 'random_seed',
    toolChoiceRequired: 'any',
  }),
  groq: row({
    baseUrl: 'https://api.groq.com/openai/v1',
    keyCheck: MODELS,
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'reasoning_effort', 'reasoning_format', 'service_tier'],
    maxTokensField: 'max_completion_tokens',
    dropMessageName: true,
  }),
  xai: row({
    baseUrl: 'https://api.x.ai/v1',
    keyCheck: { kind: 'get', path: '/api-key' },
    accepts: [...COMMON, 'parallel_tool_calls', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs', 'n', 'reasoning_effort'],
    streamOptions: true,
  }),
  deepseek: row({
    baseUrl: 'https://api.deepseek.com',
    keyCheck: MODELS,
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs'],
    streamOptions: true,
  }),
  together: row({
    baseUrl: 'https://api.together.xyz/v1',
    keyCheck: MODELS,
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'n'],
  }),
  fireworks: row({
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    keyCheck: MODELS,
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'n'],
  }),
  cerebras: row({
    baseUrl: 'https://api.cerebras.ai/v1',
    keyCheck: MODELS,
    accepts: [...COMMON, 'logprobs', 'top_logprobs', 'reasoning_effort'],
    maxTokensField: 'max_completion_tokens',
  }),
  perplexity: row({
    baseUrl: 'https://api.perplexity.ai',
    keyCheck: { kind: 'none' },
    accepts: [
      'temperature',
      'top_p',
      'frequency_penalty',
      'presence_penalty',
      'response_format',
      'search_domain_filter',
      'search_recency_filter',
      'return_images',
      'return_related_questions',
      'search_mode',
    ],
    tools: false,
  }),
  openrouter: row({
    baseUrl: 'https://openrouter.ai/api/v1',
    keyCheck: { kind: 'get', path: '/key' },
    accepts: [...OPENAI_FULL, 'reasoning', 'reasoning_effort', 'provider', 'transforms', 'plugins', 'models', 'top_k', 'min_p', 'repetition_penalty'],
  }),
  // ---- rows added for the rest of OpenRouter's BYOK list (README "Adding a provider") ----
  ai21: row({
    baseUrl: 'https://api.ai21.com/studio/v1',
    // Its models list answers 200 without a key, so only a completion proves one.
    keyCheck: { kind: 'chat', model: 'jamba-mini' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'response_format', 'n'],
  }),
  alibaba: row({
    baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    keyCheck: MODELS,
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'parallel_tool_calls', 'logprobs', 'top_logprobs', 'n'],
    streamOptions: true,
  }),
  'azure-foundry': row({
    baseUrl: '', // from the key's resource or baseUrl; see azure-foundry.ts
    auth: 'api-key',
    // The resource's Azure OpenAI surface lists its models for free with the same key.
    keyCheck: { kind: 'get', path: '/openai/models?api-version=2024-10-21', fromOrigin: true },
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty'],
  }),
  baseten: row({
    baseUrl: 'https://inference.baseten.co/v1',
    keyCheck: { kind: 'chat', model: 'openai/gpt-oss-120b' },
    accepts: [...HOSTED, 'parallel_tool_calls'],
    streamOptions: true,
  }),
  chutes: row({
    baseUrl: 'https://llm.chutes.ai/v1',
    keyCheck: { kind: 'chat', model: 'openai/gpt-oss-20b' },
    accepts: HOSTED,
    streamOptions: true,
  }),
  // The compatibility API, not native v2 chat: it carries tools, tool_choice and streamed tool
  // calls in the OpenAI shape; it refuses `stream_options` and sends usage on the last chunk.
  cohere: row({
    baseUrl: 'https://api.cohere.ai/compatibility/v1',
    keyCheck: { kind: 'post', path: '/v1/check-api-key', fromOrigin: true },
    omitToolChoiceAuto: true,
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'frequency_penalty', 'presence_penalty', 'reasoning_effort'],
  }),
  deepinfra: row({
    baseUrl: 'https://api.deepinfra.com/v1/openai',
    keyCheck: { kind: 'get', path: '/v1/me/rate_limit', fromOrigin: true },
    accepts: [...HOSTED, 'reasoning_effort'],
    streamOptions: true,
  }),
  featherless: row({
    baseUrl: 'https://api.featherless.ai/v1',
    keyCheck: { kind: 'chat', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct' },
    accepts: HOSTED,
  }),
  huggingface: row({
    baseUrl: 'https://router.huggingface.co/v1',
    keyCheck: { kind: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct' },
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs'],
    streamOptions: true,
  }),
  hyperbolic: row({
    baseUrl: 'https://api.hyperbolic.xyz/v1',
    keyCheck: { kind: 'chat', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct' },
    accepts: HOSTED,
  }),
  inception: row({
    baseUrl: 'https://api.inceptionlabs.ai/v1',
    keyCheck: { kind: 'chat', model: 'mercury' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty'],
  }),
  lambda: row({
    baseUrl: 'https://api.lambda.ai/v1',
    keyCheck: { kind: 'chat', model: 'llama3.1-8b-instruct' },
    accepts: HOSTED,
  }),
  // MiniMax reports key and quota errors inside a 200 body (`base_resp.status_code`).
  minimax: row({
    baseUrl: 'https://api.minimax.io/v1',
    keyCheck: { kind: 'chat', model: 'MiniMax-M2' },
    accepts: ['temperature', 'top_p', 'tools', 'tool_choice', 'response_format', 'n'],
    streamOptions: true,
  }),
  moonshotai: row({
    baseUrl: 'https://api.moonshot.ai/v1',
    keyCheck: MODELS,
    quotaCodes: ['exceeded_current_quota_error'],
    accepts: [...COMMON, 'frequency_penalty', 'presence_penalty', 'n'],
  }),
  nebius: row({
    baseUrl: 'https://api.tokenfactory.nebius.com/v1',
    keyCheck: MODELS,
    accepts: [...HOSTED, 'parallel_tool_calls'],
    streamOptions: true,
  }),
  novita: row({
    baseUrl: 'https://api.novita.ai/openai/v1',
    keyCheck: MODELS,
    accepts: [...HOSTED, 'logit_bias'],
    streamOptions: true,
  }),
  nvidia: row({
    baseUrl: 'https://integrate.api.nvidia.com/v1',
    // Its models list is public; a one-token completion spends a free-tier credit at most.
    keyCheck: { kind: 'chat', model: 'meta/llama-3.1-8b-instruct' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'seed', 'frequency_penalty', 'presence_penalty'],
    streamOptions: true,
  }),
  sambanova: row({
    baseUrl: 'https://api.sambanova.ai/v1',
    keyCheck: { kind: 'chat', model: 'Meta-Llama-3.1-8B-Instruct' },
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'parallel_tool_calls'],
    streamOptions: true,
  }),
  stepfun: row({
    baseUrl: 'https://api.stepfun.ai/v1',
    keyCheck: MODELS,
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'frequency_penalty', 'presence_penalty', 'n'],
  }),
  'z-ai': row({
    baseUrl: 'https://api.z.ai/api/paas/v4',
    // No models endpoint; glm-4.5-flash is a free model, so the completion costs nothing.
    keyCheck: { kind: 'chat', model: 'glm-4.5-flash' },
    quotaCodes: ['1113'],
    accepts: ['temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'user'],
  }),
} satisfies Record<string, CompatRow>;

export type CompatProvider = keyof typeof COMPAT_ROWS;
