/**
 * Error bodies and request validation for the OpenAI-compatible simulators, shaped the way each
 * provider really sends them (from each provider's error documentation and bodies quoted in public issue threads).
 * Bodies marked "approximate" follow the provider's envelope but the wording is ours.
 */
import type { Script } from './server';
import { FLAVOR_SPECS, maskKey, type Flavor } from './openai-flavors';
import { fillWait, profileErrorBody, profileOf } from './openai-profiles';

interface ErrorParts {
  message: string;
  /** OpenAI-style `type`. */
  type?: string;
  code?: string | null;
  param?: string | null;
  /** OpenRouter's stable `metadata.error_type`. */
  errorType?: string;
  metadata?: Record<string, unknown>;
}

// xAI answers with gRPC status texts instead of an OpenAI envelope.
const XAI_CODES: Record<number, string> = {
  400: 'Client specified an invalid argument',
  401: 'Request had invalid authentication credentials',
  403: 'The caller does not have permission to execute the specified operation',
  404: 'Some requested entity was not found',
  429: 'Some resource has been exhausted',
  500: 'Internal error',
  503: 'The service is currently unavailable',
};

/** Wraps a message in the flavor's error envelope. */
export function errorBody(flavor: Flavor, status: number, p: ErrorParts): unknown {
  const profile = profileOf(flavor);
  if (profile) return profileErrorBody(profile, status, p.message, p.code);
  const type = p.type ?? 'invalid_request_error';
  switch (flavor) {
    case 'mistral':
      return { object: 'error', message: p.message, type, param: p.param ?? null, code: p.code ?? null };
    case 'cerebras':
      return { message: p.message, type, param: p.param ?? null, code: p.code ?? null };
    case 'fireworks':
      return { error: { object: 'error', type, code: p.code ?? null, message: p.message } };
    case 'perplexity':
      return { error: { message: p.message, type, code: status } };
    case 'xai':
      return { code: XAI_CODES[status] ?? 'Unknown error', error: p.message };
    case 'azure':
      return { error: { code: p.code ?? String(status), message: p.message } };
    case 'openrouter': {
      const metadata = p.errorType || p.metadata ? { ...(p.errorType ? { error_type: p.errorType } : {}), ...p.metadata } : undefined;
      return { error: { code: status, message: p.message, ...(metadata ? { metadata } : {}) } };
    }
    default: // openai, groq, together, deepseek
      return { error: { message: p.message, type, param: p.param ?? null, code: p.code ?? null } };
  }
}

function fail(flavor: Flavor, status: number, p: ErrorParts, headers: Record<string, string> = {}): Script {
  return { status, headers, errorBody: errorBody(flavor, status, p) };
}

const PERPLEXITY_401 =
  '<html>\n<head><title>401 Authorization Required</title></head>\n<body>\n<center><h1>401 Authorization Required</h1></center>\n<hr><center>openresty/1.27.4</center>\n</body>\n</html>\n';

/** The answer to a missing (key undefined/empty) or unknown key. Note xAI uses 400, Perplexity HTML. */
export function unauthorized(flavor: Flavor, key?: string): Script {
  const missing = !key;
  const profile = profileOf(flavor);
  if (profile) return { status: profile.unauthorized.status, headers: profile.unauthorized.headers, errorBody: profile.unauthorized.body };
  switch (flavor) {
    case 'openai':
      return fail(
        flavor,
        401,
        missing
          ? {
              message:
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            }
          : {
              message: `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              code: 'invalid_api_key',
            },
      );
    case 'mistral':
      return { status: 401, errorBody: { detail: 'Unauthorized' } };
    case 'groq':
      return fail(flavor, 401, { message: 'Invalid API Key', code: 'invalid_api_key' });
    case 'xai':
      return fail(flavor, 400, {
        message: missing
          ? 'No API key provided. You can obtain an API key from https://console.x.ai.'
          : `Incorrect API key provided: ${maskKey(key)}. You can obtain an API key from https://console.x.ai.`,
      });
    case 'deepseek':
      return fail(flavor, 401, {
        message: `Authentication Fails, Your api key: ****${(key ?? '').slice(-4)} is invalid`,
        type: 'authentication_error',
        code: 'invalid_request_error',
      });
    case 'together':
      return fail(flavor, 401, {
        message: 'Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.',
        code: 'invalid_api_key',
      });
    case 'fireworks':
      return fail(flavor, 401, { message: 'The API key you provided is invalid.' }); // approximate
    case 'cerebras':
      return fail(flavor, 401, { message: 'Wrong API Key', param: 'api_key', code: 'wrong_api_key' });
    case 'perplexity':
      return { status: 401, errorBody: PERPLEXITY_401 };
    case 'azure':
      return fail(flavor, 401, {
        message:
          'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      });
    case 'openrouter':
      return fail(flavor, 401, { message: missing ? 'No auth credentials found' : 'User not found.' });
    default:
      throw new Error(`no 401 for ${flavor}`);
  }
}

/** Rate-limit headers in each provider's own naming. */
function rateLimitHeaders(flavor: Flavor, retryAfter: number | undefined): Record<string, string> {
  const wait = retryAfter ?? 1;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  switch (flavor) {
    case 'mistral':
      return {
        ...headers,
        'x-ratelimit-limit-req-minute': '60',
        'x-ratelimit-remaining-req-minute': '0',
        'x-ratelimit-limit-tokens-minute': '500000',
        'x-ratelimit-remaining-tokens-minute': '0',
      };
    case 'cerebras':
      return {
        ...headers,
        'x-ratelimit-limit-requests-day': '14400',
        'x-ratelimit-remaining-requests-day': '14000',
        'x-ratelimit-reset-requests-day': '3600.0',
        'x-ratelimit-limit-tokens-minute': '60000',
        'x-ratelimit-remaining-tokens-minute': '0',
        'x-ratelimit-reset-tokens-minute': `${wait}.0`,
      };
    case 'azure':
      return {
        ...headers,
        ...(retryAfter === undefined ? {} : { 'retry-after-ms': String(retryAfter * 1000) }),
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-remaining-tokens': '0',
      };
    case 'openrouter':
      return { ...headers, 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.now() + wait * 1000) };
    case 'perplexity':
      return headers;
    default:
      return {
        ...headers,
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': `${wait}s`,
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '6m0s',
      };
  }
}

export function rateLimited(flavor: Flavor, retryAfterSeconds?: number): Script {
  const profile = profileOf(flavor);
  if (profile) {
    // Without a wait the provider's headers that carry one are left out, as the real ones omit them.
    const canned = fillWait(profile.rateLimited, retryAfterSeconds ?? 1);
    const headers = retryAfterSeconds === undefined ? {} : (canned.headers ?? {});
    return { status: canned.status, headers, errorBody: canned.body };
  }
  const headers = rateLimitHeaders(flavor, retryAfterSeconds);
  const wait = retryAfterSeconds ?? 1;
  switch (flavor) {
    case 'mistral':
      return fail(flavor, 429, { message: 'Rate limit exceeded', type: 'rate_limited', code: '1300' }, headers);
    case 'azure':
      return fail(
        flavor,
        429,
        {
          message: `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${wait} seconds.`,
          code: '429',
        },
        headers,
      );
    case 'openrouter':
      return fail(flavor, 429, { message: 'Rate limit exceeded: free-models-per-min.', errorType: 'rate_limit_exceeded' }, headers);
    case 'cerebras':
      return fail(
        flavor,
        429,
        {
          message: 'Tokens per minute limit exceeded - too many tokens processed.',
          type: 'too_many_tokens_error',
          param: 'quota',
          code: 'token_quota_exceeded',
        },
        headers,
      );
    case 'groq':
      return fail(
        flavor,
        429,
        {
          message: `Rate limit reached for model \`llama-3.3-70b-versatile\` in organization \`org_sim\` service tier \`on_demand\` on tokens per minute (TPM): Limit 6000, Used 5990, Requested 120. Please try again in ${wait}s.`,
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
        headers,
      );
    case 'xai':
      return fail(flavor, 429, { message: 'Too many requests. Please slow down.' }, headers); // approximate wording
    case 'perplexity':
      return fail(flavor, 429, { message: 'Rate limit exceeded', type: 'rate_limit_exceeded' }, headers); // approximate
    default:
      return fail(
        flavor,
        429,
        {
          message: `Rate limit reached for requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in ${wait}s.`,
          type: 'requests',
          code: 'rate_limit_exceeded',
        },
        headers,
      );
  }
}

/** The "out of money" answer: must not be retried. OpenAI uses 429, OpenRouter/DeepSeek 402. */
export function insufficientQuota(flavor: Flavor): Script {
  switch (flavor) {
    case 'openrouter':
      return fail(flavor, 402, {
        message: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
        errorType: 'payment_required',
        metadata: { limit_source: 'account' },
      });
    case 'deepseek':
      return fail(flavor, 402, { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' });
    case 'xai':
      return fail(flavor, 429, {
        message:
          'Your team has either used all available credits or reached its monthly spending limit. To continue making API requests, please purchase more credits or raise your spending limit.',
      });
    case 'mistral':
      return fail(flavor, 429, { message: 'Monthly usage limit exceeded', type: 'rate_limited', code: '1301' }); // approximate
    case 'azure':
      return fail(flavor, 429, { message: 'You exceeded your current quota.', code: 'insufficient_quota' }); // approximate
    default:
      return fail(flavor, 429, {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      });
  }
}

export function serverError(flavor: Flavor, status = 500): Script {
  const profile = profileOf(flavor);
  if (profile) return { status: status === 500 ? profile.serverError.status : status, errorBody: profile.serverError.body };
  switch (flavor) {
    case 'openrouter': {
      const errorType = status === 502 ? 'provider_unavailable' : status === 503 ? 'provider_overloaded' : 'internal_error';
      const message = status === 503 ? 'No available provider meets your routing requirements' : 'Provider returned error';
      return fail(flavor, status, { message, errorType, metadata: { provider_name: 'SimUpstream' } });
    }
    case 'azure':
      return fail(flavor, status, {
        message: 'The server had an error processing your request. Sorry about that!',
        code: status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
      });
    case 'deepseek':
      if (status === 503) return fail(flavor, 503, { message: 'Server overloaded, please try again later.', type: 'server_error' });
      return fail(flavor, status, { message: 'Server error', type: 'server_error' });
    case 'mistral':
      return fail(flavor, status, { message: 'Internal server error', type: 'internal_server_error' });
    default:
      return fail(flavor, status, { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error' });
  }
}

export function contextLengthExceeded(flavor: Flavor): Script {
  const message =
    "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.";
  return fail(flavor, 400, { message, code: 'context_length_exceeded', param: 'messages', errorType: 'context_length_exceeded' });
}

export function modelNotFound(flavor: Flavor, model = 'sim-missing-model'): Script {
  if (flavor === 'azure') return deploymentNotFound(model);
  return fail(flavor, 404, {
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    code: 'model_not_found',
    errorType: 'model_not_found',
  });
}

export function deploymentNotFound(_deployment?: string): Script {
  return fail('azure', 404, {
    message:
      'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
    code: 'DeploymentNotFound',
  });
}

/** A proxy/CDN HTML page instead of JSON, as gateways send on 502/503/504. */
export function htmlError(status = 502): Script {
  const title = `${status} ${status === 503 ? 'Service Temporarily Unavailable' : status === 504 ? 'Gateway Time-out' : 'Bad Gateway'}`;
  return {
    status,
    errorBody: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`,
  };
}

// ---------------------------------------------------------------- request validation

/** A refusal the simulator answers itself, before any script is taken. */
export interface Refusal {
  status: number;
  body: unknown;
}

type Body = Record<string, unknown>;
type Message = Record<string, unknown>;

/** Checks a chat request the way the provider would; undefined means accepted. */
export function validateChat(flavor: Flavor, json: unknown): Refusal | undefined {
  const refuse = (status: number, p: ErrorParts): Refusal => ({ status, body: errorBody(flavor, status, p) });
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return refuse(400, {
      message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
    });
  }
  const body = json as Body;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return refuse(flavor === 'mistral' ? 422 : 400, { message: "'messages' is a required property and must be a non-empty array", param: 'messages' });
  }
  const messages = body.messages as Message[];
  const rejected = profileOf(flavor)?.rejects?.find((k) => k in body);
  if (rejected) return refuse(400, { message: `invalid request: unknown field \`${rejected}\``, param: rejected });
  switch (flavor) {
    case 'mistral':
      return validateMistral(body, messages);
    case 'groq':
      return validateGroq(body, messages, refuse);
    case 'cerebras': {
      const bad = ['frequency_penalty', 'presence_penalty', 'logit_bias', 'parallel_tool_calls', 'service_tier'].find((k) => k in body);
      return bad ? refuse(400, { message: `${bad}: property '${bad}' is unsupported`, param: 'validation_error', code: 'wrong_api_format' }) : undefined;
    }
    case 'perplexity':
      return validatePerplexity(body, messages, refuse);
    case 'openrouter':
      return validateOpenRouterProvider(body, refuse);
    default:
      return undefined;
  }
}

// Mistral's request model forbids extra fields (pydantic `extra_forbidden` → 422).
const MISTRAL_TOP = new Set([
  'model',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'metadata',
  'messages',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'prompt_mode',
  'safe_prompt',
]);
const MISTRAL_MESSAGE: Record<string, Set<string>> = {
  system: new Set(['role', 'content']),
  user: new Set(['role', 'content']),
  assistant: new Set(['role', 'content', 'tool_calls', 'prefix']),
  tool: new Set(['role', 'content', 'tool_call_id', 'name']),
};
const MISTRAL_TOOL_ID = /^[a-zA-Z0-9]{9}$/;

function validateMistral(body: Body, messages: Message[]): Refusal | undefined {
  const detail: unknown[] = [];
  const extra = (loc: (string | number)[], input: unknown) =>
    detail.push({
      type: 'extra_forbidden',
      loc: ['body', ...loc],
      msg: 'Extra inputs are not permitted',
      input,
      url: 'https://errors.pydantic.dev/2.10/v/extra_forbidden',
    });
  for (const [k, v] of Object.entries(body)) if (!MISTRAL_TOP.has(k)) extra([k], v);
  messages.forEach((m, i) => {
    const role = String(m.role);
    const allowed = MISTRAL_MESSAGE[role];
    if (!allowed) return;
    for (const [k, v] of Object.entries(m)) if (!allowed.has(k)) extra(['messages', i, role, k], v);
  });
  if (detail.length) {
    return { status: 422, body: { object: 'error', message: { detail }, type: 'invalid_request_error', param: null, code: null } };
  }
  // Mistral only accepts its own 9-character tool-call ids.
  for (const m of messages) {
    const ids = [...(Array.isArray(m.tool_calls) ? (m.tool_calls as Message[]).map((c) => c.id) : []), ...(m.role === 'tool' ? [m.tool_call_id] : [])];
    const bad = ids.find((id) => typeof id !== 'string' || !MISTRAL_TOOL_ID.test(id));
    if (bad !== undefined) {
      return { status: 400, body: errorBody('mistral', 400, { message: `Tool call id was ${String(bad)} but must be a-z, A-Z, 0-9, with a length of 9.` }) };
    }
  }
  return undefined;
}

function validateGroq(body: Body, messages: Message[], refuse: (s: number, p: ErrorParts) => Refusal): Refusal | undefined {
  const unsupported = (param: string) => refuse(400, { message: `\`${param}\` is not supported`, param });
  if (body.logprobs === true) return unsupported('logprobs');
  if ('top_logprobs' in body) return unsupported('top_logprobs');
  if ('logit_bias' in body) return unsupported('logit_bias');
  if (body.n !== undefined && body.n !== null && body.n !== 1) return refuse(400, { message: "'n' : number must be at most 1", param: 'n' });
  if (messages.some((m) => 'name' in m && m.role !== 'tool')) return unsupported('messages[].name');
  return undefined;
}

function validatePerplexity(body: Body, messages: Message[], refuse: (s: number, p: ErrorParts) => Refusal): Refusal | undefined {
  if (body.tools !== undefined) return refuse(400, { message: 'Tool calling is not supported for this model.', type: 'bad_request' });
  const turns = messages.filter((m) => m.role !== 'system').map((m) => m.role);
  const alternates = turns.every((role, i) => role === (i % 2 === 0 ? 'user' : 'assistant'));
  if (!alternates || turns.at(-1) !== 'user') {
    return refuse(400, { message: 'After the (optional) system message(s), user and assistant roles should be alternating.', type: 'invalid_message' });
  }
  return undefined;
}

/** Per-flavor script builders, exposed as `sim.errors`. */
export interface OpenAIErrorScripts {
  unauthorized(key?: string): Script;
  rateLimited(retryAfterSeconds?: number): Script;
  insufficientQuota(): Script;
  serverError(status?: number): Script;
  /** 503 in the flavor's words (OpenRouter: provider_overloaded, DeepSeek: "Server overloaded"). */
  overloaded(): Script;
  badRequest(message?: string, param?: string): Script;
  contextLengthExceeded(): Script;
  modelNotFound(model?: string): Script;
  deploymentNotFound(deployment?: string): Script;
  htmlError(status?: number): Script;
  /** A 200 stream that fails after `afterChunks` chunks, in the flavor's mid-stream error form. */
  midStream(afterChunks?: number, message?: string): Script;
}

export function errorScripts(flavor: Flavor): OpenAIErrorScripts {
  return {
    unauthorized: (key) => unauthorized(flavor, key ?? 'sk-sim-invalid-key'),
    rateLimited: (s) => rateLimited(flavor, s),
    insufficientQuota: () => insufficientQuota(flavor),
    serverError: (s) => serverError(flavor, s),
    overloaded: () => serverError(flavor, 503),
    badRequest: (message = 'Invalid request', param) => fail(flavor, 400, { message, param: param ?? null }),
    contextLengthExceeded: () => contextLengthExceeded(flavor),
    modelNotFound: (model) => modelNotFound(flavor, model ?? FLAVOR_SPECS[flavor].models[0]),
    deploymentNotFound: (d) => deploymentNotFound(d),
    htmlError: (s) => htmlError(s),
    midStream: (afterChunks = 1, message = 'Upstream provider error') => ({ midStreamError: { afterChunks, message } }),
  };
}

// OpenRouter's provider-routing object: unknown fields and wrong types are refused with 400.
const OPENROUTER_PROVIDER_FIELDS: Record<string, (v: unknown) => boolean> = {
  data_collection: (v) => v === 'allow' || v === 'deny',
  zdr: (v) => typeof v === 'boolean',
  allow_fallbacks: (v) => typeof v === 'boolean',
  require_parameters: (v) => typeof v === 'boolean',
  only: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  ignore: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  order: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  sort: (v) => v === 'price' || v === 'throughput' || v === 'latency',
  max_price: (v) => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number'),
};

function validateOpenRouterProvider(body: Body, refuse: (status: number, p: ErrorParts) => Refusal): Refusal | undefined {
  const p = (body as Record<string, unknown>).provider;
  if (p === undefined) return undefined;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return refuse(400, { message: 'provider: Expected object' });
  for (const [k, v] of Object.entries(p)) {
    const ok = OPENROUTER_PROVIDER_FIELDS[k];
    if (!ok) return refuse(400, { message: `provider: Unrecognized key: "${k}"` });
    if (!ok(v)) return refuse(400, { message: `provider.${k}: Invalid input` });
  }
  return undefined;
}
