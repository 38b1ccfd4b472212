/**
 * Loopback simulator for Amazon Bedrock: Converse, ConverseStream (real binary event-stream
 * frames) and the control plane's ListFoundationModels, behind real authentication — SigV4
 * recomputed from the test credentials, or a Bedrock API key as bearer token.
 *
 *   const sim = await startBedrockSim();
 *   sim.enqueue(bedrockErrors.throttling(), { text: 'Hello' });
 *   // key options: { baseUrl: sim.url, region: sim.region }; secret: JSON.stringify(BEDROCK_TEST_CREDENTIALS)
 *   await sim.close();
 *
 * Bedrock faults on top of the generic ones (server.ts): `corruptFrame` (bad prelude CRC, bad
 * message CRC, a frame cut short), `midStreamError` as an exception or error frame inside the
 * 200, and error scripts shaped like AWS's (`bedrockErrors`).
 */
import { createHash } from 'node:crypto';
import { startSimServer } from './server';
import type { Frame, RecordedRequest, Script, SimExchange, SimServer, SimServerOptions, StreamPlan } from './server';
import { verifySigV4, type SimCredentials } from './bedrock-sigv4';
import { corruptFrame, errorFrame, eventFrame, exceptionFrame } from './eventstream-encode';

export type { SimCredentials } from './bedrock-sigv4';

/** AWS's documentation example credentials, the ones of its published SigV4 example. */
export const BEDROCK_TEST_CREDENTIALS: SimCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

export const BEDROCK_TEST_SESSION_CREDENTIALS: SimCredentials = {
  accessKeyId: 'ASIDEXAMPLESESSION',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKENvalue0123456789',
};

/** Bedrock long-term API keys start with `ABSK`. */
export const BEDROCK_TEST_API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1zaW11bGF0ZWQtMDAwMQ==';

export const BEDROCK_SIM_MODELS = [
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  'us.amazon.nova-lite-v1:0',
  'us.meta.llama3-3-70b-instruct-v1:0',
];

export interface BedrockCorruption {
  /** Index of the chunk frame to damage (clamped to the last one). */
  afterChunks: number;
  kind: 'prelude-crc' | 'message-crc' | 'truncate';
}

export interface BedrockScript extends Script {
  corruptFrame?: BedrockCorruption;
  /** Signature to stream after reasoning text (Claude's extended thinking). */
  reasoningSignature?: string;
  /** Usage fields as Bedrock names them, merged over those derived from `usage`. */
  bedrockUsage?: Record<string, number>;
}

export interface BedrockSimOptions extends SimServerOptions {
  /** Credentials whose SigV4 signatures verify. Defaults to both test credential sets. */
  credentials?: SimCredentials[];
  /** Bedrock API keys accepted as bearer tokens. Defaults to the test key. */
  apiKeys?: string[];
  region?: string;
  /** Model ids that exist; empty accepts any. Defaults to BEDROCK_SIM_MODELS. */
  models?: string[];
}

export interface BedrockSimExtras {
  /** Prompt prefixes cached so far (by hash), for cacheRead/cacheWrite usage. */
  readonly promptCache: Set<string>;
  readonly region: string;
  /** Mutable: remove an entry mid-test to model a revoked key. */
  readonly credentials: SimCredentials[];
  readonly apiKeys: Set<string>;
  models: string[];
  /** Model ids answered with 403 AccessDeniedException (model access not granted). */
  readonly deniedModels: Set<string>;
  /** Added to the simulator's clock when checking signature dates: models a skewed client clock. */
  clockSkewMs: number;
  /** Who a served request authenticated as: `sigv4:<access key id>` or `bearer:…<last 4>`. */
  principalOf(req: RecordedRequest): string | undefined;
  /** Typed `enqueue` for Bedrock's own script fields. */
  enqueueBedrock(...scripts: BedrockScript[]): BedrockSim;
}

export type BedrockSim = SimServer & BedrockSimExtras;

type Json = Record<string, unknown>;

const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

/** An AWS REST-JSON error: the type in `x-amzn-ErrorType`, the words in `{"message"}`. */
export function awsError(status: number, type: string, message: string): Script {
  return {
    status,
    headers: { 'x-amzn-errortype': `${type}${ERROR_TYPE_SUFFIX}`, 'x-amzn-requestid': `sim-${type}` },
    errorBody: { message },
  };
}

/** Error scripts as Bedrock Runtime sends them (status ↔ type from client-bedrock-runtime). */
export const bedrockErrors = {
  throttling: () => awsError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'),
  modelNotReady: () => awsError(429, 'ModelNotReadyException', 'Model is not ready for inference. Wait and try your request again.'),
  serviceQuota: () =>
    awsError(
      400,
      'ServiceQuotaExceededException',
      'Your request exceeds the service quota for your account. You can view your quotas at https://console.aws.amazon.com/servicequotas/.',
    ),
  accessDenied: () => awsError(403, 'AccessDeniedException', "You don't have access to the model with the specified model ID."),
  unrecognizedClient: () => awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
  validation: (message = 'Malformed input request, please reformat your input and try again.') => awsError(400, 'ValidationException', message),
  resourceNotFound: () => awsError(404, 'ResourceNotFoundException', 'Model not found.'),
  modelTimeout: () => awsError(408, 'ModelTimeoutException', 'Model has timed out in processing the request. Try your request again.'),
  modelError: () => awsError(424, 'ModelErrorException', 'The model returned an error. Try your request again.'),
  internal: () => awsError(500, 'InternalServerException', 'The server encountered an internal error while processing the request.'),
  serviceUnavailable: () => awsError(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'),
};

const STREAM_EXCEPTION_TEXT: Record<string, string> = {
  throttlingException: 'Too many tokens, please wait before trying again.',
  serviceUnavailableException: 'Bedrock is unable to process your request.',
  internalServerException: 'The server encountered an internal error while processing the request.',
  modelStreamErrorException: 'The model stream had an error. Try your request again.',
  validationException: 'The model returned the following errors: Input is too long for requested model.',
};

/** A modelled exception frame inside the 200 after `afterChunks` frames. */
export function streamException(exceptionType: string, afterChunks: number, message?: string): Script {
  return { midStreamError: { afterChunks, exceptionType, message: message ?? STREAM_EXCEPTION_TEXT[exceptionType] ?? 'Stream error' } };
}

export async function startBedrockSim(opts: BedrockSimOptions = {}): Promise<BedrockSim> {
  const principals = new WeakMap<RecordedRequest, string>();
  const server = await startSimServer((ex) => handle(ex, sim, principals), opts);
  const extras: BedrockSimExtras = {
    region: opts.region ?? 'us-east-1',
    credentials: [...(opts.credentials ?? [BEDROCK_TEST_CREDENTIALS, BEDROCK_TEST_SESSION_CREDENTIALS])],
    apiKeys: new Set(opts.apiKeys ?? [BEDROCK_TEST_API_KEY]),
    models: opts.models ?? [...BEDROCK_SIM_MODELS],
    deniedModels: new Set(),
    clockSkewMs: 0,
    principalOf: (req) => principals.get(req),
    enqueueBedrock: (...scripts) => sim.enqueue(...scripts) as BedrockSim,
    promptCache: new Set(),
  };
  const sim: BedrockSim = Object.assign(server, extras);
  return sim;
}

function authenticate(ex: SimExchange, ctx: BedrockSim): { principal: string } | { refusal: Script } {
  const h = ex.req.headers;
  const bearer = /^Bearer\s+(\S+)$/i.exec(h.authorization ?? '');
  if (bearer) {
    const token = bearer[1]!;
    if (!ctx.apiKeys.has(token)) return { refusal: bedrockErrors.unrecognizedClient() };
    return { principal: `bearer:…${token.slice(-4)}` };
  }
  const verdict = verifySigV4(ex.req, { credentials: ctx.credentials, region: ctx.region, service: 'bedrock', now: Date.now() + ctx.clockSkewMs });
  if (!verdict.ok) return { refusal: awsError(verdict.status, verdict.type, verdict.message) };
  return { principal: `sigv4:${verdict.accessKeyId}` };
}

async function handle(ex: SimExchange, ctx: BedrockSim, principals: WeakMap<RecordedRequest, string>): Promise<void> {
  const refuse = (s: Script) => ex.send(s.status!, s.errorBody, s.headers);
  const { method, path } = ex.req;
  const converse = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
  const listing = method === 'GET' && path === '/foundation-models';
  if (!(method === 'POST' && converse) && !listing) {
    return refuse(awsError(404, 'UnknownOperationException', `Unknown operation ${method} ${path}`));
  }
  const who = authenticate(ex, ctx);
  if ('refusal' in who) return refuse(who.refusal);
  principals.set(ex.req, who.principal);

  if (listing) {
    const script = await ex.applyScript();
    if (!script) return;
    return ex.send(200, foundationModels(ctx.models), { 'x-amzn-requestid': 'sim-list' });
  }

  let modelId: string;
  try {
    modelId = decodeURIComponent(converse![1]!);
  } catch {
    return refuse(bedrockErrors.validation('The provided model identifier is invalid.'));
  }
  if (ctx.models.length && !ctx.models.includes(modelId)) return refuse(bedrockErrors.validation('The provided model identifier is invalid.'));
  if (ctx.deniedModels.has(modelId)) return refuse(bedrockErrors.accessDenied());
  const invalid = validateConverse(ex.req.json, ex.req.bodyText);
  if (invalid) return refuse(bedrockErrors.validation(invalid));

  const script = (await ex.applyScript()) as BedrockScript | undefined;
  if (!script) return;
  const answer = buildAnswer(script, ex.req.json as Json, who.principal, ctx.promptCache);
  if (converse![2] === 'converse-stream') return ex.stream(streamPlan(answer, script));
  return ex.send(200, converseBody(answer), { 'x-amzn-requestid': answer.requestId });
}

// ---------------------------------------------------------------------------------------------
// Request validation, with the ValidationException wording Bedrock uses

const TOP_LEVEL = new Set([
  'messages',
  'system',
  'inferenceConfig',
  'toolConfig',
  'guardrailConfig',
  'additionalModelRequestFields',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'requestMetadata',
  'performanceConfig',
]);

function validateConverse(json: unknown, text: string): string | undefined {
  if (json === undefined || typeof json !== 'object' || json === null || Array.isArray(json)) {
    return text ? 'Malformed input request, please reformat your input and try again.' : 'Required field messages is missing.';
  }
  const body = json as Json;
  for (const k of Object.keys(body)) {
    if (!TOP_LEVEL.has(k)) return `Malformed input request: extraneous key [${k}] is not permitted, please reformat your input and try again.`;
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  }
  let hasToolBlocks = false;
  let previousToolUses = 0;
  let cachePoints = 0;
  const cachePointBad = (b: Json) => 'cachePoint' in b && (++cachePoints, (b.cachePoint as Json | undefined)?.type !== 'default');
  for (const b of Array.isArray(body.system) ? (body.system as Json[]) : []) {
    if (cachePointBad(b)) return "Value at 'system.member.cachePoint.type' failed to satisfy constraint: Member must satisfy enum value set: [default]";
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Json;
    if (m.role !== 'user' && m.role !== 'assistant')
      return `Value at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`;
    if (i === 0 && m.role !== 'user') return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
    if (i > 0 && (messages[i - 1] as Json).role === m.role) {
      return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
    }
    if (!Array.isArray(m.content) || m.content.length === 0)
      return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    let toolUses = 0;
    let toolResults = 0;
    for (let j = 0; j < m.content.length; j++) {
      const b = m.content[j] as Json;
      if ('text' in b && (typeof b.text !== 'string' || !b.text.trim())) {
        return `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`;
      }
      if (cachePointBad(b))
        return `Value at 'messages.${i + 1}.member.content.${j + 1}.member.cachePoint.type' failed to satisfy constraint: Member must satisfy enum value set: [default]`;
      if ('cachePoint' in b && j === 0) return `The cachePoint at messages.${i}.content.0 must follow the content it caches.`;
      if ('toolUse' in b) {
        toolUses++;
        hasToolBlocks = true;
        const u = b.toolUse as Json;
        if (typeof u.input !== 'object' || u.input === null) return `The toolUse input at messages.${i}.content.${j} must be a JSON object.`;
      }
      if ('toolResult' in b) {
        toolResults++;
        hasToolBlocks = true;
        if (m.role !== 'user') return `toolResult blocks at messages.${i}.content must be in a user message.`;
      }
      if ('image' in b) {
        const img = b.image as { format?: unknown; source?: { bytes?: unknown } };
        if (!['png', 'jpeg', 'gif', 'webp'].includes(String(img.format)))
          return `Value at 'messages.${i + 1}.member.content.${j + 1}.member.image.format' failed to satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]`;
        if (typeof img.source?.bytes !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(img.source.bytes))
          return `Invalid image bytes at messages.${i}.content.${j}.`;
      }
    }
    if (toolResults > previousToolUses) {
      return `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`;
    }
    previousToolUses = m.role === 'assistant' ? toolUses : 0;
  }
  if (cachePoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${cachePoints}.`;
  if (hasToolBlocks && !body.toolConfig) return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
  const inference = (body.inferenceConfig ?? {}) as Json;
  if (typeof inference.temperature === 'number' && (inference.temperature < 0 || inference.temperature > 1)) {
    return 'The model returned the following errors: temperature: range: 0..1';
  }
  if (inference.maxTokens !== undefined && (!Number.isInteger(inference.maxTokens) || (inference.maxTokens as number) < 1)) {
    return "Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1";
  }
  const tools = (body.toolConfig as Json | undefined)?.tools;
  if (body.toolConfig && (!Array.isArray(tools) || tools.length === 0))
    return "Value at 'toolConfig.tools' failed to satisfy constraint: Member must have length greater than or equal to 1";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Answers

interface Answer {
  requestId: string;
  reasoning: string[];
  signature?: string;
  text: string[];
  toolCalls: { id: string; name: string; input: string }[];
  stopReason: string;
  usage: Record<string, number>;
}

let counter = 0;

function splitWords(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.split(/(?<=\S)(?=\s)/).filter((p) => p !== '');
}

/**
 * The prefix up to the last cachePoint is written on first sight and read when a later request
 * repeats it; the rest is plain input. Four characters a token.
 */
function cacheUsage(request: Json, cache: Set<string>, total: number): { inputTokens: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number } {
  const blocks: unknown[] = [
    ...(Array.isArray(request.system) ? request.system : []),
    ...(Array.isArray(request.messages) ? request.messages : []).flatMap((m: Json) => (Array.isArray(m.content) ? m.content : [])),
  ];
  let last = -1;
  blocks.forEach((b, i) => {
    if (b && typeof b === 'object' && 'cachePoint' in b) last = i;
  });
  if (last < 0) return { inputTokens: total };
  const prefix = JSON.stringify(blocks.slice(0, last));
  const tokens = Math.min(total, Math.max(1, Math.ceil(prefix.length / 4)));
  const key = createHash('sha256').update(prefix).digest('hex');
  const read = cache.has(key);
  cache.add(key);
  return {
    inputTokens: total - tokens,
    ...(read ? { cacheReadInputTokens: tokens, cacheWriteInputTokens: 0 } : { cacheReadInputTokens: 0, cacheWriteInputTokens: tokens }),
  };
}

function buildAnswer(script: BedrockScript, request: Json, principal: string, cache: Set<string> = new Set()): Answer {
  const toolCalls = (script.toolCalls ?? []).map((c) => ({
    id: c.id ?? `tooluse_sim${String(++counter).padStart(6, '0')}`,
    name: c.name,
    input: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
  }));
  const text = splitWords(script.text ?? (toolCalls.length ? undefined : `Hello from bedrock ${principal}`));
  const reasoning = splitWords(script.reasoning);
  const outputChars = [...text, ...reasoning].join('').length + toolCalls.reduce((n, c) => n + c.input.length, 0);
  const input = script.usage?.prompt_tokens ?? Math.max(1, Math.ceil(JSON.stringify(request.messages ?? []).length / 4));
  const output = script.usage?.completion_tokens ?? Math.max(1, Math.ceil(outputChars / 4));
  return {
    requestId: `sim-req-${++counter}`,
    reasoning,
    ...(script.reasoningSignature ? { signature: script.reasoningSignature } : {}),
    text,
    toolCalls,
    stopReason: script.finishReason ?? (toolCalls.length ? 'tool_use' : 'end_turn'),
    usage: { ...cacheUsage(request, cache, input), outputTokens: output, totalTokens: input + output, ...script.bedrockUsage },
  };
}

function converseBody(a: Answer): Json {
  const content: Json[] = [];
  if (a.reasoning.length)
    content.push({ reasoningContent: { reasoningText: { text: a.reasoning.join(''), ...(a.signature ? { signature: a.signature } : {}) } } });
  if (a.text.length) content.push({ text: a.text.join('') });
  for (const c of a.toolCalls) content.push({ toolUse: { toolUseId: c.id, name: c.name, input: JSON.parse(c.input || '{}') } });
  return { output: { message: { role: 'assistant', content } }, stopReason: a.stopReason, usage: a.usage, metrics: { latencyMs: 42 } };
}

function splitInput(input: string): string[] {
  if (input.length < 2) return input ? [input] : [];
  const mid = Math.ceil(input.length / 2);
  return [input.slice(0, mid), input.slice(mid)];
}

function streamPlan(a: Answer, script: BedrockScript): StreamPlan {
  const chunks: Buffer[] = [eventFrame('messageStart', { role: 'assistant' })];
  let block = 0;
  if (a.reasoning.length) {
    for (const piece of a.reasoning) chunks.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { text: piece } } }));
    if (a.signature) chunks.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { signature: a.signature } } }));
    chunks.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  if (a.text.length) {
    for (const piece of a.text) chunks.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { text: piece } }));
    chunks.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  for (const c of a.toolCalls) {
    chunks.push(eventFrame('contentBlockStart', { contentBlockIndex: block, start: { toolUse: { toolUseId: c.id, name: c.name } } }));
    for (const piece of splitInput(c.input)) chunks.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { toolUse: { input: piece } } }));
    chunks.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  chunks.push(eventFrame('messageStop', { stopReason: a.stopReason }));
  let frames: Frame[] = chunks;
  let trailer: Frame[] = [eventFrame('metadata', { usage: a.usage, metrics: { latencyMs: 42 } })];
  const c = script.corruptFrame;
  if (c) {
    const at = Math.min(Math.max(c.afterChunks, 0), chunks.length - 1);
    if (c.kind === 'truncate') {
      // Half a frame, then a clean end of the body: the client is left holding a partial frame.
      frames = [...chunks.slice(0, at), chunks[at]!.subarray(0, Math.max(1, Math.floor(chunks[at]!.length / 2)))];
      trailer = [];
    } else {
      frames = chunks.map((f, i) => (i === at ? corruptFrame(f, c.kind as 'prelude-crc' | 'message-crc') : f));
    }
  }
  const e = script.midStreamError;
  const errorFrames = e
    ? [
        e.messageType === 'error'
          ? errorFrame(String(e.errorCode ?? 'InternalFailure'), String(e.message ?? 'An internal error occurred.'))
          : exceptionFrame(String(e.exceptionType ?? 'internalServerException'), String(e.message ?? 'Stream error')),
      ]
    : undefined;
  return {
    headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': a.requestId },
    chunks: frames,
    trailer,
    // A well-framed event whose JSON payload is cut short.
    malformed: eventFrame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"unterminated'),
    errorFrames,
  };
}

function foundationModels(models: string[]): Json {
  return {
    modelSummaries: models.map((id) => {
      const bare = id.replace(/^(us|eu|apac|global)\./, '');
      return {
        modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${bare}`,
        modelId: bare,
        modelName: bare,
        providerName: bare.split('.')[0],
        inputModalities: ['TEXT'],
        outputModalities: ['TEXT'],
        responseStreamingSupported: true,
        customizationsSupported: [],
        inferenceTypesSupported: id === bare ? ['ON_DEMAND'] : ['INFERENCE_PROFILE'],
        modelLifecycle: { status: 'ACTIVE' },
      };
    }),
  };
}
