/**
 * Simulator fixtures for the OpenAI-compatible providers that are pure data: one profile per
 * provider, read by the generic simulator (openai.ts) and by the table-driven test that runs every
 * provider row through it. Adding a provider of this kind is a row in
 * src/core/providers/openai-compatible/rows.ts and a profile here; no simulator code changes.
 *
 * Bodies and headers come from each provider's documentation where it shows them (`source`);
 * where it does not, the profile follows the provider's documented envelope and marks itself
 * `approximate: true` (the wording and headers are ours, the shape is theirs).
 *
 * Templates: in `rateLimited`, the strings `{wait}` (seconds), `{waitMs}` and `{httpDate}` are
 * replaced with the wait the test asked for.
 */
import type { UsageMode } from './openai-flavors';

/** How a provider says how long to wait after a 429, which the router must read. */
export type RetryAfterForm = 'seconds' | 'ms' | 'http-date' | 'none';

export interface Canned {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ProviderProfile {
  /** Path of the real base URL (`/v1`, `/compatible-mode/v1`, `/api/paas/v4`, …). */
  basePath: string;
  auth: 'bearer' | 'api-key';
  usageMode: UsageMode;
  /** Native ids the provider lists; the first is the default answer's model. */
  models: string[];
  /**
   * The provider's free key-check route on this server (a models or key-info endpoint), and what
   * it answers. Absent when the row's key check is a one-token completion (served by chat).
   */
  keyCheck?: { method: 'GET' | 'POST'; path: string; body: unknown };
  /** Query parameters every route requires (Azure AI Foundry's api-version). */
  requiredQuery?: string[];
  /** Top-level request fields the provider answers with 400 (Cohere refuses stream_options). */
  rejects?: string[];
  /** Error envelope for the simulator's own refusals (bad request, not found). */
  envelope: 'openai' | 'detail' | 'message' | 'code-message' | 'problem' | 'error-string';
  unauthorized: Canned;
  /** The answer to a rate limit, with `{wait}`/`{waitMs}`/`{httpDate}` templates. */
  rateLimited: Canned;
  retryAfter: RetryAfterForm;
  serverError: Canned;
  source: string;
  approximate?: boolean;
}

const OPENAI_429_HEADERS = { 'retry-after': '{wait}', 'x-ratelimit-remaining-requests': '0' };

export const PROFILES = {
  ai21: {
    basePath: '/studio/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['jamba-mini', 'jamba-large'],
    envelope: 'detail',
    unauthorized: { status: 401, body: { detail: 'Forbidden: Bad or missing API token.' } },
    rateLimited: { status: 429, body: { detail: 'Too many requests' } },
    retryAfter: 'none',
    serverError: { status: 500, body: { detail: 'Internal server error' } },
    source: 'https://docs.ai21.com/reference/jamba-1-6-api-ref',
    approximate: true,
  },
  alibaba: {
    basePath: '/compatible-mode/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['qwen3-max', 'qwen-plus'],
    keyCheck: { method: 'GET', path: '/compatible-mode/v1/models', body: { object: 'list', data: [{ id: 'qwen3-max', object: 'model', owned_by: 'system' }] } },
    envelope: 'openai',
    unauthorized: {
      status: 401,
      body: { error: { message: 'Incorrect API key provided. ', type: 'invalid_request_error', param: null, code: 'invalid_api_key' }, request_id: 'sim-req' },
    },
    rateLimited: {
      status: 429,
      body: {
        error: { message: 'Requests rate limit exceeded, please try again later.', type: 'limit_requests', param: null, code: 'limit_requests' },
        request_id: 'sim-req',
      },
      headers: { 'retry-after': '{wait}' },
    },
    retryAfter: 'seconds',
    serverError: {
      status: 500,
      body: {
        error: {
          message: 'An internal error has occured, please try again later or contact service support.',
          type: 'internal_error',
          param: null,
          code: 'internal_error',
        },
      },
    },
    source: 'https://www.alibabacloud.com/help/en/model-studio/error-code',
  },
  'azure-foundry': {
    basePath: '/models',
    auth: 'api-key',
    usageMode: 'final-chunk',
    models: ['DeepSeek-R1-0528', 'Llama-3.3-70B-Instruct', 'gpt-oss-120b'],
    keyCheck: { method: 'GET', path: '/openai/models', body: { object: 'list', data: [{ id: 'gpt-oss-120b', object: 'model' }] } },
    requiredQuery: ['api-version'],
    envelope: 'code-message',
    unauthorized: {
      status: 401,
      body: {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      },
    },
    rateLimited: {
      status: 429,
      body: {
        error: {
          code: 'RateLimitReached',
          message:
            'Your requests to Llama-3.3-70B-Instruct for Llama-3.3-70B-Instruct in East US have exceeded the call rate limit for your current AIServices S0 pricing tier. Please retry after {wait} seconds.',
        },
      },
      headers: { 'retry-after': '{wait}', 'retry-after-ms': '{waitMs}' },
    },
    retryAfter: 'ms',
    serverError: { status: 500, body: { error: { code: 'InternalServerError', message: 'The service encountered an internal error.' } } },
    source: 'https://learn.microsoft.com/azure/ai-foundry/foundry-models/how-to/inference',
  },
  baseten: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['openai/gpt-oss-120b', 'zai-org/GLM-4.6'],
    envelope: 'error-string',
    unauthorized: { status: 401, body: { error: 'Invalid API key' } },
    rateLimited: { status: 429, body: { error: 'Rate limit exceeded' }, headers: { 'retry-after': '{wait}' } },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { error: 'Internal server error' } },
    source: 'https://docs.baseten.co/quickstart',
    approximate: true,
  },
  chutes: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['openai/gpt-oss-20b', 'deepseek-ai/DeepSeek-V3.1'],
    envelope: 'detail',
    unauthorized: { status: 401, body: { detail: 'Invalid token.' } },
    rateLimited: { status: 429, body: { detail: 'Too many requests, please slow down.' }, headers: { 'retry-after': '{wait}' } },
    retryAfter: 'seconds',
    serverError: { status: 503, body: { detail: 'No instances available (yet) for chute_id' } },
    source: 'https://chutes.ai/docs',
    approximate: true,
  },
  cohere: {
    basePath: '/compatibility/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['command-a-03-2025', 'command-r7b-12-2024'],
    keyCheck: { method: 'POST', path: '/v1/check-api-key', body: { valid: true, organization_id: 'sim-org', owner_id: 'sim-owner' } },
    rejects: ['stream_options'],
    envelope: 'message',
    unauthorized: { status: 401, body: { id: 'sim-err', message: 'invalid api token' } },
    rateLimited: {
      status: 429,
      body: {
        id: 'sim-err',
        message:
          "You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions",
      },
    },
    retryAfter: 'none',
    serverError: { status: 500, body: { id: 'sim-err', message: 'internal server error, this has been reported to our developers' } },
    source: 'https://docs.cohere.com/docs/compatibility-api',
  },
  deepinfra: {
    basePath: '/v1/openai',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'openai/gpt-oss-120b'],
    keyCheck: { method: 'GET', path: '/v1/me/rate_limit', body: { rate_limit: 200 } },
    envelope: 'detail',
    unauthorized: { status: 401, body: { detail: { error: 'Auth required' } } },
    rateLimited: { status: 429, body: { detail: { error: 'Rate limited, too many concurrent requests' } }, headers: { 'retry-after': '{wait}' } },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { detail: { error: 'Internal server error' } } },
    source: 'https://deepinfra.com/docs/advanced/openai_api',
    approximate: true,
  },
  featherless: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['meta-llama/Meta-Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.3-70B-Instruct'],
    envelope: 'openai',
    unauthorized: { status: 401, body: { error: { message: 'Invalid API key', type: 'authentication_error', code: 'invalid_api_key' } } },
    // Featherless plans cap concurrent requests rather than requests per minute.
    rateLimited: { status: 429, body: { error: { message: 'Concurrency limit exceeded for your plan', type: 'rate_limit_error', code: 'concurrency_limit' } } },
    retryAfter: 'none',
    serverError: { status: 502, body: { error: { message: 'Model is loading, try again shortly', type: 'server_error' } } },
    source: 'https://featherless.ai/docs',
    approximate: true,
  },
  huggingface: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['meta-llama/Llama-3.1-8B-Instruct', 'openai/gpt-oss-120b'],
    envelope: 'error-string',
    unauthorized: { status: 401, body: { error: 'Invalid credentials in Authorization header' } },
    rateLimited: { status: 429, body: { error: 'Rate limit reached. Please retry later.' }, headers: { 'retry-after': '{wait}' } },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { error: 'Internal Error - We are working on it.' } },
    source: 'https://huggingface.co/docs/inference-providers',
    approximate: true,
  },
  hyperbolic: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['meta-llama/Meta-Llama-3.1-8B-Instruct', 'openai/gpt-oss-120b'],
    envelope: 'openai',
    unauthorized: { status: 401, body: { object: 'error', message: 'Unauthorized: invalid API key', type: 'authentication_error', code: 401 } },
    rateLimited: {
      status: 429,
      body: { object: 'error', message: 'Rate limit exceeded', type: 'rate_limit_error', code: 429 },
      headers: { 'retry-after': '{wait}' },
    },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { object: 'error', message: 'Internal server error', type: 'server_error', code: 500 } },
    source: 'https://docs.hyperbolic.xyz',
    approximate: true,
  },
  inception: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['mercury', 'mercury-coder'],
    envelope: 'openai',
    unauthorized: { status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } } },
    rateLimited: {
      status: 429,
      body: { error: { message: 'Rate limit exceeded. Please try again later.', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
      headers: { 'retry-after': '{wait}' },
    },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { error: { message: 'Internal server error', type: 'server_error' } } },
    source: 'https://docs.inceptionlabs.ai',
    approximate: true,
  },
  lambda: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['llama3.1-8b-instruct', 'llama3.3-70b-instruct-fp8'],
    envelope: 'code-message',
    unauthorized: {
      status: 401,
      body: {
        error: {
          code: 'global/invalid-api-key',
          message: 'API key was invalid, expired, or deleted.',
          suggestion: 'Check your API key or create a new one, then try again.',
        },
      },
    },
    rateLimited: { status: 429, body: { error: { code: 'global/too-many-requests', message: 'Too many requests.' } }, headers: { 'retry-after': '{wait}' } },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { error: { code: 'global/unknown', message: 'An unknown error occurred.' } } },
    source: 'https://docs.lambda.ai/public-cloud/cloud-api/',
    approximate: true,
  },
  // MiniMax answers key and rate errors with HTTP 200 and a nonzero base_resp.status_code.
  minimax: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['MiniMax-M2'],
    envelope: 'openai',
    unauthorized: {
      status: 200,
      body: {
        id: '',
        choices: null,
        created: 0,
        model: '',
        object: '',
        usage: null,
        base_resp: { status_code: 1004, status_msg: "login fail: Please carry the API secret key in the 'Authorization' field of the request header" },
      },
    },
    rateLimited: {
      status: 200,
      body: { id: '', choices: null, created: 0, model: '', object: '', usage: null, base_resp: { status_code: 1002, status_msg: 'rate limit exceeded(RPM)' } },
    },
    retryAfter: 'none',
    serverError: { status: 500, body: { base_resp: { status_code: 1000, status_msg: 'unknown error' } } },
    source: 'https://platform.minimax.io/docs/api-reference/text-openai-api',
  },
  moonshotai: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['kimi-k2-0905-preview', 'kimi-k2-thinking'],
    keyCheck: { method: 'GET', path: '/v1/models', body: { object: 'list', data: [{ id: 'kimi-k2-0905-preview', object: 'model', owned_by: 'moonshot' }] } },
    envelope: 'openai',
    unauthorized: { status: 401, body: { error: { message: 'Invalid Authentication', type: 'invalid_authentication_error' } } },
    // Moonshot says how long to wait only in the message.
    rateLimited: {
      status: 429,
      body: {
        error: {
          message: 'Your account org-sim<ak-sim> request reached organization max RPM: 3, please try again after {wait} seconds',
          type: 'rate_limit_reached_error',
        },
      },
    },
    retryAfter: 'none',
    serverError: { status: 500, body: { error: { message: 'Internal server error', type: 'server_error' } } },
    source: 'https://platform.moonshot.ai/docs/api/chat',
  },
  nebius: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['meta-llama/Llama-3.3-70B-Instruct', 'openai/gpt-oss-120b'],
    keyCheck: {
      method: 'GET',
      path: '/v1/models',
      body: { object: 'list', data: [{ id: 'meta-llama/Llama-3.3-70B-Instruct', object: 'model', owned_by: 'system' }] },
    },
    envelope: 'detail',
    unauthorized: { status: 401, body: { detail: 'Invalid API key' } },
    rateLimited: { status: 429, body: { detail: 'Rate limit exceeded' }, headers: { 'retry-after': '{wait}', 'x-ratelimit-remaining-requests': '0' } },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { detail: 'Internal server error' } },
    source: 'https://docs.tokenfactory.nebius.com/api-reference/introduction',
    approximate: true,
  },
  novita: {
    basePath: '/openai/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['meta-llama/llama-3.3-70b-instruct', 'openai/gpt-oss-120b'],
    keyCheck: { method: 'GET', path: '/openai/v1/models', body: { data: [{ id: 'meta-llama/llama-3.3-70b-instruct', object: 'model' }] } },
    envelope: 'code-message',
    unauthorized: { status: 401, body: { code: 401, reason: 'INVALID_API_KEY', message: 'Invalid API key', metadata: {} } },
    rateLimited: { status: 429, body: { code: 429, reason: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded', metadata: {} }, headers: OPENAI_429_HEADERS },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { code: 500, reason: 'INTERNAL_ERROR', message: 'Internal server error', metadata: {} } },
    source: 'https://novita.ai/docs/guides/llm-api',
    approximate: true,
  },
  // NVIDIA's API gateway answers with RFC 7807 problem details.
  nvidia: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['meta/llama-3.1-8b-instruct', 'meta/llama-3.3-70b-instruct'],
    envelope: 'problem',
    unauthorized: { status: 401, body: { status: 401, title: 'Unauthorized', detail: 'Authentication failed' } },
    rateLimited: { status: 429, body: { status: 429, title: 'Too Many Requests', detail: 'Rate limit exceeded' }, headers: { 'retry-after': '{wait}' } },
    retryAfter: 'seconds',
    serverError: { status: 503, body: { status: 503, title: 'Service Unavailable', detail: 'The model is temporarily unavailable' } },
    source: 'https://docs.api.nvidia.com/nim/reference/llm-apis',
    approximate: true,
  },
  sambanova: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'include_usage',
    models: ['Meta-Llama-3.1-8B-Instruct', 'Meta-Llama-3.3-70B-Instruct'],
    envelope: 'openai',
    unauthorized: {
      status: 401,
      body: { error: { message: 'Invalid API key', type: 'authentication_error', param: null, code: 'invalid_api_key' }, request_id: 'sim-req' },
    },
    rateLimited: {
      status: 429,
      body: { error: { message: 'Rate limit exceeded', type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' }, request_id: 'sim-req' },
      headers: { 'retry-after': '{wait}', 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0' },
    },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { error: { message: 'Internal server error', type: 'server_error', param: null, code: null }, request_id: 'sim-req' } },
    source: 'https://docs.sambanova.ai/docs/en/api-reference/using-the-api/api-error-codes',
  },
  stepfun: {
    basePath: '/v1',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['step-3', 'step-2-mini'],
    keyCheck: { method: 'GET', path: '/v1/models', body: { object: 'list', data: [{ id: 'step-3', object: 'model', owned_by: 'stepai' }] } },
    envelope: 'openai',
    unauthorized: { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_api_key' } } },
    rateLimited: {
      status: 429,
      body: { error: { message: 'Request was rejected due to rate limiting', type: 'request_rate_limit_exceeded' } },
      headers: { 'retry-after': '{wait}' },
    },
    retryAfter: 'seconds',
    serverError: { status: 500, body: { error: { message: 'Internal server error', type: 'server_error' } } },
    source: 'https://platform.stepfun.com/docs/zh/api-reference/error-codes',
    approximate: true,
  },
  // Z.ai: HTTP status outside, a numeric business code inside; 1302 is concurrency, 1113 an empty balance.
  'z-ai': {
    basePath: '/api/paas/v4',
    auth: 'bearer',
    usageMode: 'final-chunk',
    models: ['glm-4.5-flash', 'glm-4.6'],
    envelope: 'code-message',
    unauthorized: { status: 401, body: { error: { code: '1000', message: 'Authentication Failed' } } },
    rateLimited: {
      status: 429,
      body: {
        error: { code: '1302', message: 'High concurrency usage of this API, please reduce concurrency or contact customer service to increase limits' },
      },
    },
    retryAfter: 'none',
    serverError: { status: 500, body: { error: { code: '500', message: 'Internal Error' } } },
    source: 'https://docs.z.ai/api-reference/api-code',
  },
} satisfies Record<string, ProviderProfile>;

export type ProfileFlavor = keyof typeof PROFILES;

export function profileOf(flavor: string): ProviderProfile | undefined {
  return Object.hasOwn(PROFILES, flavor) ? (PROFILES as Record<string, ProviderProfile>)[flavor] : undefined;
}

/** Replaces `{wait}`, `{waitMs}` and `{httpDate}` anywhere in a canned body or header set. */
export function fillWait<T>(value: T, seconds: number): T {
  const date = new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000).toUTCString();
  const fill = (s: string) =>
    s
      .replaceAll('{waitMs}', String(seconds * 1000))
      .replaceAll('{wait}', String(seconds))
      .replaceAll('{httpDate}', date);
  const walk = (v: unknown): unknown =>
    typeof v === 'string'
      ? fill(v)
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(value) as T;
}

/** A refusal in the profile's envelope, for errors the simulator makes up itself. */
export function profileErrorBody(p: ProviderProfile, status: number, message: string, code?: string | null): unknown {
  switch (p.envelope) {
    case 'detail':
      return { detail: message };
    case 'message':
      return { id: 'sim-err', message };
    case 'code-message':
      return { error: { code: code ?? String(status), message } };
    case 'problem':
      return { status, title: message, detail: message };
    case 'error-string':
      return { error: message };
    default:
      return { error: { message, type: 'invalid_request_error', param: null, code: code ?? null } };
  }
}
