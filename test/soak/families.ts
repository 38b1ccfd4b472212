/**
 * One driver per adapter family: its simulators (one per key, so each route's script is its own),
 * the soak's keys for it, its plan per caller, and how each fault looks in its wire format.
 */
import type { Script, SimServer } from '../../src/sim/server';
import { startOpenAISim, type OpenAISim } from '../../src/sim/openai';
import { errorScripts as anthropicErrors, startAnthropicSim, type AnthropicSim } from '../../src/sim/anthropic';
import { geminiErrors, googleErrorBody, startGeminiSim, type GeminiSim } from '../../src/sim/gemini';
import { awsError, BEDROCK_TEST_CREDENTIALS, bedrockErrors, startBedrockSim, streamException, type BedrockSim } from '../../src/sim/bedrock';

export type Fault =
  | 'ok'
  | '429'
  | '429-no-retry-after'
  | '401'
  | '400'
  | '500'
  | '502'
  | '503'
  | '529'
  | 'exception-frame'
  | 'no-headers'
  | 'stall-before-content'
  | 'stall-after-content'
  | 'reset-before-headers'
  | 'reset-after-content'
  | 'malformed-before-content'
  | 'malformed-after-content'
  | 'truncated'
  | 'cancel-before-headers'
  | 'cancel-mid-stream';

export interface SoakKey {
  id: string;
  secret: string;
  config: Record<string, unknown>;
}

export interface FamilyDriver {
  name: string;
  model: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  routes(): { sim: SimServer; routeId: string }[];
  keys(): SoakKey[];
  /** Route ids in plan order for a caller: `key:<id>` or `pooled`. */
  plan(caller: string): string[];
  script(fault: Fault, stream: boolean): Script;
  pooledSim(): { sim: SimServer; baseUrl: string; script(fault: Fault, stream: boolean): Script };
}

/** The text the cancel-mid-stream fault streams; the soak aborts when it sees the marker. */
export const CANCEL_MARK = 'CANCELME';
const FOUR = ['alpha ', 'beta ', 'gamma ', 'delta'];

/**
 * Faults expressed in the generic Script knobs; `err` supplies the family's own error answers.
 * After-content faults let two content chunks through first (the role chunk counts as one).
 */
export function genericScript(
  fault: Fault,
  stream: boolean,
  err: {
    rateLimited(s?: number): Script;
    unauthorized(): Script;
    badRequest(): Script;
    server(status: number): Script;
    overloaded(): Script;
    errorIn200(): Script;
  },
  contentOffset = 1,
): Script {
  const after = contentOffset + 2;
  switch (fault) {
    case 'ok':
      return {};
    case '429':
      return err.rateLimited(1);
    case '429-no-retry-after':
      return err.rateLimited();
    case '401':
      return err.unauthorized();
    case '400':
      return err.badRequest();
    case '500':
    case '502':
    case '503':
      return err.server(Number(fault));
    case '529':
      return err.overloaded();
    case 'exception-frame':
      return stream ? { midStreamError: { afterChunks: 0, message: 'upstream failed', type: 'server_error' } } : err.errorIn200();
    case 'no-headers':
      return { neverRespond: true };
    case 'stall-before-content':
      return stream ? { stallAfterChunks: 0 } : { neverRespond: true };
    case 'stall-after-content':
      return stream ? { text: FOUR, stallAfterChunks: after } : { neverRespond: true };
    case 'reset-before-headers':
      return { resetBeforeHeaders: true };
    case 'reset-after-content':
      return stream ? { text: FOUR, resetAfterChunks: after } : { truncateBody: 'reset' };
    case 'malformed-before-content':
      return stream ? { malformedAfterChunks: 0 } : { status: 200, errorBody: '{"id": "broken', headers: { 'content-type': 'application/json' } };
    case 'malformed-after-content':
      return stream ? { text: FOUR, malformedAfterChunks: after } : { truncateBody: true };
    case 'truncated':
      return stream ? { resetAfterChunks: contentOffset } : { truncateBody: true };
    case 'cancel-mid-stream':
      return { text: [`${CANCEL_MARK} `, ...FOUR, ...FOUR], chunkDelayMs: 15 };
    case 'cancel-before-headers':
      return { neverRespond: true };
  }
}

/**
 * Prioritized A, B; fallback FB (caller soak); Always-use S1 + S2 (caller strict). Each family's
 * keys are filtered to its own model, so no family's key shows up in another's plan.
 */
function keySet(prefix: string, provider: string, model: string, urls: Record<string, string>, extra: Record<string, unknown> = {}, secret?: string) {
  const mk = (id: string, tier: string, callers: string[], alwaysUse = false): SoakKey => ({
    id: `${prefix}-${id}`,
    secret: secret ?? `soak-secret-${prefix}-${id}-0000`,
    config: {
      id: `${prefix}-${id}`,
      provider,
      name: `${prefix} ${id}`,
      tier,
      alwaysUse,
      filters: { callers, models: [model] },
      options: { baseUrl: urls[id], ...extra },
    },
  });
  return [
    mk('a', 'prioritized', ['soak']),
    mk('b', 'prioritized', ['soak']),
    mk('fb', 'fallback', ['soak']),
    mk('s1', 'prioritized', ['strict'], true),
    mk('s2', 'prioritized', ['strict']),
  ];
}

export function planFor(prefix: string, caller: string): string[] {
  return caller === 'strict' ? [`key:${prefix}-s1`, `key:${prefix}-s2`] : [`key:${prefix}-a`, `key:${prefix}-b`, 'pooled', `key:${prefix}-fb`];
}

const ROUTES = ['a', 'b', 'fb', 's1', 's2'] as const;

function openaiErrors(sim: OpenAISim) {
  return {
    rateLimited: (s?: number) => sim.errors.rateLimited(s),
    unauthorized: () => sim.errors.unauthorized('wrong-key'),
    badRequest: () => sim.errors.badRequest(),
    server: (status: number) => sim.errors.serverError(status),
    overloaded: () => ({ status: 529, errorBody: { error: { message: 'The engine is currently overloaded', type: 'server_error', code: 'overloaded' } } }),
    errorIn200: () => ({ status: 200, errorBody: { error: { message: 'upstream failed', type: 'server_error', code: null } } }),
  };
}

export function openaiFamily(): FamilyDriver {
  const sims = new Map<string, OpenAISim>();
  let pooled: OpenAISim;
  let keys: SoakKey[] = [];
  return {
    name: 'openai-compatible',
    model: 'openai/gpt-4o-mini',
    async start() {
      for (const r of ROUTES) sims.set(r, await startOpenAISim({ flavor: 'openai' }));
      pooled = await startOpenAISim({ flavor: 'openrouter' });
      keys = keySet('oai', 'openai', 'openai/gpt-4o-mini', Object.fromEntries([...sims].map(([r, s]) => [r, s.baseUrl])));
    },
    async stop() {
      await Promise.all([...sims.values(), pooled].map((s) => s.close()));
    },
    routes: () => [...sims].map(([r, sim]) => ({ sim, routeId: `key:oai-${r}` })),
    keys: () => keys,
    plan: (caller) => planFor('oai', caller),
    script: (fault, stream) => genericScript(fault, stream, openaiErrors(sims.get('a')!)),
    pooledSim: () => ({ sim: pooled, baseUrl: pooled.baseUrl, script: (fault, stream) => genericScript(fault, stream, openaiErrors(pooled)) }),
  };
}

/** A driver whose simulators are one per route; everything family-specific is passed in. */
function perRouteFamily<S extends SimServer>(o: {
  name: string;
  prefix: string;
  provider: string;
  model: string;
  start: () => Promise<S>;
  url: (s: S) => string;
  extra?: (s: S) => Record<string, unknown>;
  secret?: string;
  script: (fault: Fault, stream: boolean) => Script;
}): FamilyDriver {
  const sims = new Map<string, S>();
  let keys: SoakKey[] = [];
  return {
    name: o.name,
    model: o.model,
    async start() {
      for (const r of ROUTES) sims.set(r, await o.start());
      const first = sims.get('a')!;
      keys = keySet(o.prefix, o.provider, o.model, Object.fromEntries([...sims].map(([r, s]) => [r, o.url(s)])), o.extra?.(first), o.secret);
    },
    async stop() {
      await Promise.all([...sims.values()].map((s) => s.close()));
    },
    routes: () => [...sims].map(([r, sim]) => ({ sim, routeId: `key:${o.prefix}-${r}` })),
    keys: () => keys,
    plan: (caller) => planFor(o.prefix, caller),
    script: o.script,
    pooledSim: () => {
      throw new Error('only the first family provides the pooled simulator');
    },
  };
}

/** Anthropic streams message_start, content_block_start and a ping before its first text. */
export function anthropicFamily(): FamilyDriver {
  const apiError = (status: number): Script => ({ status, errorBody: { type: 'error', error: { type: 'api_error', message: `Upstream answered ${status}` } } });
  const err = {
    rateLimited: (s?: number) => anthropicErrors.rateLimited({ retryAfterSeconds: s }),
    unauthorized: () => anthropicErrors.unauthorized(),
    badRequest: () => anthropicErrors.invalidRequest(),
    server: (status: number) => (status === 500 ? anthropicErrors.serverError() : apiError(status)),
    overloaded: () => anthropicErrors.overloaded(),
    errorIn200: () => ({ status: 200, errorBody: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } }),
  };
  return perRouteFamily<AnthropicSim>({
    name: 'anthropic',
    prefix: 'ant',
    provider: 'anthropic',
    model: 'anthropic/claude-haiku-4.5',
    start: () => startAnthropicSim(),
    url: (s) => s.baseUrl,
    script: (fault, stream) => genericScript(fault, stream, err, 3),
  });
}

/** Bedrock: binary frames; exceptions ride inside the 200; a bad CRC is its malformed frame. */
export function bedrockFamily(): FamilyDriver {
  const err = {
    rateLimited: () => bedrockErrors.throttling(),
    unauthorized: () => bedrockErrors.unrecognizedClient(),
    badRequest: () => bedrockErrors.validation(),
    server: (status: number) =>
      status === 503
        ? bedrockErrors.serviceUnavailable()
        : status === 500
          ? bedrockErrors.internal()
          : awsError(status, 'InternalServerException', 'Bad gateway.'),
    overloaded: () => bedrockErrors.modelNotReady(),
    errorIn200: () => bedrockErrors.internal(),
  };
  return perRouteFamily<BedrockSim>({
    name: 'bedrock',
    prefix: 'brk',
    provider: 'amazon-bedrock',
    model: 'anthropic/claude-sonnet-4.5',
    start: () => startBedrockSim(),
    url: (s) => s.url,
    extra: (s) => ({ region: s.region, modelMap: { 'anthropic/claude-sonnet-4.5': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' } }),
    secret: JSON.stringify(BEDROCK_TEST_CREDENTIALS),
    script: (fault, stream) => {
      if (stream && fault === 'exception-frame') return streamException('throttlingException', 0);
      if (stream && fault === 'truncated') return { corruptFrame: { afterChunks: 0, kind: 'message-crc' } } as Script;
      return genericScript(fault, stream, err, 1);
    },
  });
}

/** Gemini: text arrives in the first SSE frame; errors are Google's JSON bodies. */
export function geminiFamily(): FamilyDriver {
  const google = (status: number, code: string, message: string): Script => ({
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    errorBody: googleErrorBody(status, code, message),
  });
  const err = {
    rateLimited: () => geminiErrors.rateLimited(),
    unauthorized: () => geminiErrors.apiKeyInvalid(),
    badRequest: () => google(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'),
    server: (status: number) =>
      status === 500 ? geminiErrors.internal() : status === 503 ? geminiErrors.unavailable() : google(502, 'UNAVAILABLE', 'Bad Gateway'),
    overloaded: () => google(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
    errorIn200: () => google(500, 'INTERNAL', 'An internal error has occurred.'),
  };
  return perRouteFamily<GeminiSim>({
    name: 'gemini',
    prefix: 'gem',
    provider: 'google-ai-studio',
    model: 'google/gemini-2.5-flash',
    start: () => startGeminiSim(),
    url: (s) => s.baseUrl,
    script: (fault, stream) => genericScript(fault, stream, err, 0),
  });
}

export const FAMILIES: (() => FamilyDriver)[] = [openaiFamily, anthropicFamily, bedrockFamily, geminiFamily];
