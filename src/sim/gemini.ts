/**
 * Loopback simulator for the Gemini API (Google AI Studio), and the Gemini wire layer that the
 * Vertex simulator (vertex.ts) reuses.
 *
 *   const sim = await startGeminiSim({ validKeys: ['AIza-good'] });
 *   sim.enqueue(sim.errors.rateLimited(), { text: 'Hello there' });
 *   // point a key's options.baseUrl at sim.baseUrl …
 *   await sim.close();
 *
 * Routes: POST /v1beta/models/{m}:generateContent, :streamGenerateContent (`?alt=sse` → SSE with
 * `\r\n\r\n` delimiters and no [DONE]; without it a JSON array), :countTokens; GET /v1beta/models
 * and /v1beta/models/{m}. The key comes in `x-goog-api-key` (or `?key=`); a wrong key gets Google's
 * 400 API_KEY_INVALID body, a missing one the 403 for unregistered callers.
 *
 * The request validation is the part of Google's that adapters trip over: unknown fields anywhere
 * (JSON-schema keywords in tool parameters included) are a 400 "Unknown name", function responses
 * must match the calls of the turn before, and Gemini 3 models refuse a function call turn whose
 * first call lacks the thought signature this simulator issued for it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { idSequence, startSimServer } from './server';
import type { Frame, RecordedRequest, Script, SimExchange, SimServer, SimServerOptions, StreamPlan } from './server';
import { simPromptTokens } from './tokens';

const FIXTURES = path.join(__dirname, 'fixtures', 'gemini');

/** A fixture's exact bytes, as Google sends them. */
export function geminiFixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=UTF-8' };

/** Extra knobs a Gemini-speaking simulator understands on top of the generic script. */
export interface GeminiScript extends Script {
  /** Answer with `promptFeedback.blockReason` and no candidates. */
  blockReason?: string;
  /** Override the simulator's `callIds` setting for this answer. */
  callIds?: boolean;
}

/** A whole-response error script carrying one of Google's bodies verbatim. */
function googleError(status: number, body: string, headers: Record<string, string> = {}): Script {
  return { status, headers: { ...JSON_UTF8, ...headers }, errorBody: body };
}

export function googleErrorBody(code: number, status: string, message: string): string {
  return `${JSON.stringify({ error: { code, message, status } }, null, 2)}\n`;
}

export interface GeminiErrorScripts {
  apiKeyInvalid(): Script;
  rateLimited(opts?: { perDay?: boolean }): Script;
  permissionDenied(): Script;
  locationUnsupported(): Script;
  notFound(model: string): Script;
  internal(): Script;
  unavailable(): Script;
}

export const geminiErrors: GeminiErrorScripts = {
  apiKeyInvalid: () => googleError(400, geminiFixture('error-api-key-invalid.json')),
  rateLimited: (opts = {}) => googleError(429, geminiFixture(opts.perDay ? 'error-rate-limit-per-day.json' : 'error-rate-limit-per-minute.json')),
  permissionDenied: () => googleError(403, geminiFixture('error-permission-denied.json')),
  locationUnsupported: () => googleError(400, geminiFixture('error-location-unsupported.json')),
  notFound: (model) =>
    googleError(
      404,
      googleErrorBody(
        404,
        'NOT_FOUND',
        `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      ),
    ),
  internal: () => googleError(500, geminiFixture('error-internal.json')),
  unavailable: () => googleError(503, geminiFixture('error-unavailable.json')),
};

// --- request validation --------------------------------------------------------------------

type Json = Record<string, any>;

export interface Refusal {
  status: number;
  body: string;
}

const TOP_LEVEL = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']);
const PART_FIELDS = new Set([
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'thought',
  'thoughtSignature',
  'executableCode',
  'codeExecutionResult',
  'videoMetadata',
]);
const SCHEMA_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);
const GENERATION_FIELDS = new Set([
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'stopSequences',
  'candidateCount',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'thinkingConfig',
  'responseLogprobs',
  'logprobs',
]);
const SKIP_SIGNATURE = 'skip_thought_signature_validator';

function badRequest(message: string): Refusal {
  return { status: 400, body: googleErrorBody(400, 'INVALID_ARGUMENT', message) };
}

function unknownName(name: string, at?: string): Refusal {
  return badRequest(`Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ''}: Cannot find field.`);
}

function checkSchema(schema: unknown, at: string, top: boolean): Refusal | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return badRequest(`Invalid value at '${at}': expected an object`);
  const s = schema as Json;
  for (const k of Object.keys(s)) if (!SCHEMA_FIELDS.has(k)) return unknownName(k, at);
  const type = typeof s.type === 'string' ? s.type.toLowerCase() : undefined;
  if (top && type === 'object' && (!s.properties || Object.keys(s.properties).length === 0)) {
    return badRequest(`* GenerateContentRequest.${at}.properties: should be non-empty for OBJECT type\n`);
  }
  if (type === 'array' && s.items === undefined) return badRequest(`* GenerateContentRequest.${at}.items: missing field.\n`);
  if (s.properties) {
    for (const [k, v] of Object.entries(s.properties)) {
      const r = checkSchema(v, `${at}.properties[${k}].value`, false);
      if (r) return r;
    }
    for (const r of Array.isArray(s.required) ? s.required : []) {
      if (!(r in s.properties)) return badRequest(`* GenerateContentRequest.${at}.required[${r}]: property is not defined\n`);
    }
  }
  if (s.items !== undefined) return checkSchema(s.items, `${at}.items`, false);
  for (const [i, v] of (Array.isArray(s.anyOf) ? s.anyOf : []).entries()) {
    const r = checkSchema(v, `${at}.any_of[${i}]`, false);
    if (r) return r;
  }
  return undefined;
}

export interface ValidationContext {
  model: string;
  /** Vertex's REST surface does not know `id` on function calls and responses. */
  rejectCallIds: boolean;
  /** Signatures this simulator issued, and the function each was issued for. */
  issuedSignatures: Map<string, string>;
}

export function requiresSignatures(model: string): boolean {
  return /gemini-3/.test(model);
}

/** Google's checks on a generateContent body, in the words Google uses. */
export function validateGenerate(body: unknown, ctx: ValidationContext): Refusal | undefined {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return badRequest('Invalid JSON payload received.');
  const b = body as Json;
  for (const k of Object.keys(b)) if (!TOP_LEVEL.has(k)) return unknownName(k);
  if (!Array.isArray(b.contents) || b.contents.length === 0) return badRequest('* GenerateContentRequest.contents: contents is not specified\n');
  let previousCalls = 0;
  for (const [ci, c] of (b.contents as Json[]).entries()) {
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') return badRequest('Please use a valid role: user, model.');
    if (!Array.isArray(c.parts) || c.parts.length === 0)
      return badRequest(`* GenerateContentRequest.contents[${ci}].parts: contents.parts must not be empty.\n`);
    let calls = 0;
    let responses = 0;
    let firstCall = true;
    for (const [pi, p] of (c.parts as Json[]).entries()) {
      const at = `contents[${ci}].parts[${pi}]`;
      for (const k of Object.keys(p)) if (!PART_FIELDS.has(k)) return unknownName(k, at);
      if (p.functionCall) {
        calls++;
        if (ctx.rejectCallIds && 'id' in p.functionCall) return unknownName('id', `${at}.function_call`);
        if (typeof p.functionCall.name !== 'string' || !p.functionCall.name)
          return badRequest(`* GenerateContentRequest.${at}.function_call.name: Name cannot be empty.\n`);
        if (c.role === 'model' && firstCall && requiresSignatures(ctx.model)) {
          const sig = p.thoughtSignature;
          const issuedFor = typeof sig === 'string' ? ctx.issuedSignatures.get(sig) : undefined;
          if (sig !== SKIP_SIGNATURE && issuedFor !== p.functionCall.name) {
            return badRequest(
              `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${p.functionCall.name}\` , position ${pi + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
            );
          }
        }
        firstCall = false;
      }
      if (p.functionResponse) {
        responses++;
        if (ctx.rejectCallIds && 'id' in p.functionResponse) return unknownName('id', `${at}.function_response`);
        if (typeof p.functionResponse.name !== 'string' || !p.functionResponse.name) {
          return badRequest(`* GenerateContentRequest.${at}.function_response.name: Name cannot be empty.\n`);
        }
        const r = p.functionResponse.response;
        if (r === null || typeof r !== 'object' || Array.isArray(r))
          return badRequest(`Invalid value at '${at}.function_response.response' (type.googleapis.com/google.protobuf.Struct)`);
      }
      if (p.inlineData && (typeof p.inlineData.data !== 'string' || typeof p.inlineData.mimeType !== 'string')) {
        return badRequest(`* GenerateContentRequest.${at}.inline_data: mime_type and data are required\n`);
      }
    }
    if (responses > 0 && responses !== previousCalls) {
      return badRequest('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    }
    previousCalls = c.role === 'model' ? calls : 0;
  }
  for (const [ti, t] of (Array.isArray(b.tools) ? b.tools : []).entries()) {
    for (const [di, d] of (Array.isArray(t.functionDeclarations) ? t.functionDeclarations : []).entries()) {
      const at = `tools[${ti}].function_declarations[${di}]`;
      if (typeof d.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/.test(d.name)) {
        return badRequest(
          `* GenerateContentRequest.${at}.name: Invalid function name. Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length of 128.\n`,
        );
      }
      for (const k of Object.keys(d))
        if (!['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'behavior'].includes(k)) return unknownName(k, at);
      if (d.parameters !== undefined) {
        const r = checkSchema(d.parameters, `${at}.parameters`, true);
        if (r) return r;
      }
    }
  }
  for (const k of Object.keys(b.generationConfig ?? {})) if (!GENERATION_FIELDS.has(k)) return unknownName(k, 'generation_config');
  const mode = b.toolConfig?.functionCallingConfig?.mode;
  if (mode !== undefined && !['AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED'].includes(mode)) {
    return badRequest(
      `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "${mode}"`,
    );
  }
  return undefined;
}

// --- answers -------------------------------------------------------------------------------

export interface WireContext extends ValidationContext {
  /** SSE line ending; Google sends CRLF. */
  eol: '\r\n' | '\n';
  /** Whether function calls carry Google's `id` (Gemini 3 on AI Studio does; Vertex does not). */
  callIds: boolean;
  defaultText: string;
  nextId: (prefix: string) => string;
}

function splitDeltas(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.split(/(?<=\S)(?=\s)/).filter((part) => part !== '');
}

interface Answer {
  responseId: string;
  model: string;
  text: string[];
  reasoning: string[];
  calls: Json[];
  finishReason: string;
  prompt: number;
  candidates: number;
  thoughts: number;
  extraUsage: Json;
  blockReason?: string;
}

function buildAnswer(script: GeminiScript, body: Json, ctx: WireContext): Answer {
  const withIds = script.callIds ?? ctx.callIds;
  const calls = (script.toolCalls ?? []).map((c, i) => {
    const call: Json = { functionCall: { name: c.name, args: typeof c.arguments === 'string' ? JSON.parse(c.arguments) : c.arguments } };
    if (withIds) call.functionCall.id = c.id ?? ctx.nextId('fc-');
    if (i === 0 && requiresSignatures(ctx.model)) {
      const sig = Buffer.from(ctx.nextId('sig-')).toString('base64');
      ctx.issuedSignatures.set(sig, c.name);
      call.thoughtSignature = sig;
    }
    return call;
  });
  const text = splitDeltas(script.text ?? (calls.length ? undefined : ctx.defaultText));
  const reasoning = splitDeltas(script.reasoning);
  const { prompt_tokens, completion_tokens, ...extraUsage } = script.usage ?? { prompt_tokens: 0, completion_tokens: 0 };
  const outChars = [...text].join('').length + calls.reduce((n, c) => n + JSON.stringify(c.functionCall).length, 0);
  return {
    responseId: ctx.nextId('resp-'),
    model: ctx.model,
    text,
    reasoning,
    calls,
    finishReason: script.finishReason ?? 'STOP',
    prompt: script.usage
      ? prompt_tokens
      : script.realisticUsage
        ? simPromptTokens('gemini', [...(body.systemInstruction ? [body.systemInstruction] : []), ...(body.contents ?? [])])
        : Math.max(1, Math.ceil(JSON.stringify(body.contents ?? []).length / 4)),
    candidates: script.usage ? completion_tokens : Math.max(1, Math.ceil(outChars / 4)),
    thoughts:
      typeof extraUsage.thoughtsTokenCount === 'number' ? extraUsage.thoughtsTokenCount : reasoning.length ? Math.ceil(reasoning.join('').length / 4) : 0,
    extraUsage,
    blockReason: script.blockReason,
  };
}

function usageMetadata(a: Answer, candidates: number | undefined, thoughts: number): Json {
  const u: Json = { promptTokenCount: a.prompt };
  if (candidates !== undefined) u.candidatesTokenCount = candidates;
  u.totalTokenCount = a.prompt + (candidates ?? 0) + thoughts;
  u.promptTokensDetails = [{ modality: 'TEXT', tokenCount: a.prompt }];
  if (thoughts) u.thoughtsTokenCount = thoughts;
  const { thoughtsTokenCount: _t, ...rest } = a.extraUsage;
  return { ...u, ...rest };
}

function response(a: Answer, parts: Json[] | undefined, finish: string | undefined, usage: Json): Json {
  if (a.blockReason) return { promptFeedback: { blockReason: a.blockReason }, usageMetadata: usage, modelVersion: a.model, responseId: a.responseId };
  const candidate: Json = { content: { parts: parts ?? [], role: 'model' } };
  if (finish) candidate.finishReason = finish;
  candidate.index = 0;
  return { candidates: [candidate], usageMetadata: usage, modelVersion: a.model, responseId: a.responseId };
}

/** The whole answer as one `GenerateContentResponse`. */
export function completionBody(a: Answer): Json {
  const parts: Json[] = [];
  if (a.reasoning.length) parts.push({ text: a.reasoning.join(''), thought: true });
  if (a.text.length) parts.push({ text: a.text.join('') });
  parts.push(...a.calls);
  return response(a, parts, a.finishReason, usageMetadata(a, a.candidates, a.thoughts));
}

/** One response per delta; all function calls of a step arrive whole, together; usage is a running total. */
function streamResponses(a: Answer): Json[] {
  if (a.blockReason) return [response(a, undefined, undefined, usageMetadata(a, undefined, 0))];
  const pieces: Json[][] = [...a.reasoning.map((t) => [{ text: t, thought: true }]), ...a.text.map((t) => [{ text: t }])];
  if (a.calls.length) pieces.push(a.calls);
  if (!pieces.length) pieces.push([{ text: '' }]);
  return pieces.map((parts, i) => {
    const last = i === pieces.length - 1;
    const thoughtsSoFar = i < a.reasoning.length ? 0 : a.thoughts;
    return response(a, parts, last ? a.finishReason : undefined, usageMetadata(a, last ? a.candidates : undefined, last ? thoughtsSoFar : 0));
  });
}

/** Google's SSE: `data: <json>` events, CRLF-delimited by default, no comments, no [DONE]. */
export function sseFrame(payload: unknown, eol: string): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}${eol}${eol}`;
}

function streamPlan(a: Answer, script: Script, eol: string): StreamPlan {
  const e = script.midStreamError;
  const code = typeof e?.code === 'number' ? e.code : 500;
  const status = typeof e?.status === 'string' ? e.status : code === 503 ? 'UNAVAILABLE' : code === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL';
  const message =
    typeof e?.message === 'string'
      ? e.message
      : 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting';
  const errorFrames: Frame[] | undefined = e ? [sseFrame({ error: { code, message, status } }, eol)] : undefined;
  return {
    headers: { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff', vary: 'Origin, X-Origin, Referer' },
    chunks: streamResponses(a).map((r) => sseFrame(r, eol)),
    malformed: `data: {"candidates": [{"content": {"parts": [{"text": "unterminated${eol}${eol}`,
    errorFrames,
  };
}

/**
 * Serves one generate/stream request after routing and auth: validation, the script, the answer.
 * `method` is the part after the colon: generateContent, streamGenerateContent or countTokens.
 */
export async function serveGenerate(ex: SimExchange, method: string, ctx: WireContext): Promise<void> {
  if (ex.req.json === undefined && ex.req.bodyText) return ex.send(400, badRequest('Invalid JSON payload received. Unexpected token.').body, JSON_UTF8);
  const refusal = validateGenerate(ex.req.json, ctx);
  if (refusal) return ex.send(refusal.status, refusal.body, JSON_UTF8);
  const script = (await ex.applyScript()) as GeminiScript | undefined;
  if (!script) return;
  const body = ex.req.json as Json;
  if (method === 'countTokens') return ex.send(200, { totalTokens: Math.max(1, Math.ceil(JSON.stringify(body.contents).length / 4)) });
  const answer = buildAnswer(script, body, ctx);
  if (method === 'generateContent') return ex.send(200, `${JSON.stringify(completionBody(answer), null, 2)}\n`, JSON_UTF8);
  if (ex.req.query.alt === 'sse') return ex.stream(streamPlan(answer, script, ctx.eol));
  // Without alt=sse Google streams one JSON array of responses.
  return ex.send(
    200,
    `[${streamResponses(answer)
      .map((r) => JSON.stringify(r, null, 2))
      .join(',\r\n')}]`,
    JSON_UTF8,
  );
}

// --- the AI Studio simulator ---------------------------------------------------------------

export interface GeminiSimOptions extends SimServerOptions {
  /** Keys that authenticate. Empty (the default) accepts any non-empty key. */
  validKeys?: Iterable<string>;
  models?: string[];
  /** SSE line ending; Google's is CRLF. */
  eol?: '\r\n' | '\n';
  /** Put `id` on function calls (Gemini 3 does); off by default, as older models omit them. */
  callIds?: boolean;
}

export interface GeminiSimExtras {
  /** Mutable: add or delete keys mid-test to model revocation. */
  readonly validKeys: Set<string>;
  models: string[];
  /** `url` + `/v1beta`, the value for a key's options.baseUrl. */
  readonly baseUrl: string;
  readonly errors: GeminiErrorScripts;
  /** Thought signatures issued so far, and the function each belongs to. */
  readonly issuedSignatures: Map<string, string>;
  callIds: boolean;
  eol: '\r\n' | '\n';
  keyOf(req: RecordedRequest): string | undefined;
  defaultText(key: string): string;
}

export type GeminiSim = SimServer & GeminiSimExtras;

export const DEFAULT_GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro-preview'];

function presentedKey(req: RecordedRequest): string | undefined {
  return req.headers['x-goog-api-key'] || req.query.key || undefined;
}

export function defaultGeminiText(key: string): string {
  return `Hello from gemini key …${key.slice(-4)}`;
}

export async function startGeminiSim(opts: GeminiSimOptions = {}): Promise<GeminiSim> {
  const nextId = idSequence();
  const server = await startSimServer((ex) => handle(ex, sim, nextId), opts);
  const extras: GeminiSimExtras = {
    validKeys: new Set(opts.validKeys ?? []),
    models: opts.models ?? [...DEFAULT_GEMINI_MODELS],
    baseUrl: `${server.url}/v1beta`,
    errors: geminiErrors,
    issuedSignatures: new Map(),
    callIds: opts.callIds ?? false,
    eol: opts.eol ?? '\r\n',
    keyOf: presentedKey,
    defaultText: defaultGeminiText,
  };
  const sim: GeminiSim = Object.assign(server, extras);
  return sim;
}

async function handle(ex: SimExchange, sim: GeminiSim, nextId: (prefix: string) => string): Promise<void> {
  const { method, path: p } = ex.req;
  const notFound = () => ex.send(404, googleErrorBody(404, 'NOT_FOUND', `Requested entity was not found.`), JSON_UTF8);
  const action = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(p);
  const isList = method === 'GET' && p === '/v1beta/models';
  const getOne = method === 'GET' ? /^\/v1beta\/models\/([^/:]+)$/.exec(p) : null;
  if (!(action && method === 'POST') && !isList && !getOne) return notFound();

  const key = presentedKey(ex.req);
  if (!key) return ex.send(403, geminiFixture('error-permission-denied.json'), JSON_UTF8);
  if (sim.validKeys.size > 0 && !sim.validKeys.has(key)) return ex.send(400, geminiFixture('error-api-key-invalid.json'), JSON_UTF8);

  if (isList || getOne) {
    const script = await ex.applyScript();
    if (!script) return;
    const describe = (m: string) => ({
      name: `models/${m}`,
      version: '001',
      displayName: m,
      inputTokenLimit: 1048576,
      outputTokenLimit: 65536,
      supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
      temperature: 1,
      topP: 0.95,
      topK: 64,
      maxTemperature: 2,
      thinking: true,
    });
    if (getOne) {
      const m = decodeURIComponent(getOne[1]!);
      return sim.models.includes(m)
        ? ex.send(200, describe(m))
        : ex.send(404, googleErrorBody(404, 'NOT_FOUND', `models/${m} is not found for API version v1beta`), JSON_UTF8);
    }
    return ex.send(200, { models: sim.models.map(describe) });
  }

  const model = decodeURIComponent(action![1]!);
  if (!sim.models.includes(model)) {
    const answer = geminiErrors.notFound(model);
    return ex.send(answer.status!, answer.errorBody, JSON_UTF8);
  }
  return serveGenerate(ex, action![2]!, {
    model,
    rejectCallIds: false,
    issuedSignatures: sim.issuedSignatures,
    eol: sim.eol,
    callIds: sim.callIds,
    defaultText: sim.defaultText(key),
    nextId,
  });
}
