/**
 * Canonical (OpenAI-shape) request → Gemini `generateContent` body, shared by AI Studio and Gemini
 * on Vertex. Gemini wants user/model alternation, tool results as `functionResponse` parts that
 * carry the function's NAME, and an OpenAPI-subset schema for tool parameters, so this is a real
 * translation rather than a field copy.
 */
import type { ChatMessage, ChatRequest, ChatTool } from '../../chat';
import { routeError, RouteFailure } from '../../errors';
import { detailsIn, FORMAT } from '../../reasoning';

export type GeminiPart = Record<string, unknown>;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** Where a functionCall part's `thoughtSignature` is looked up, by the tool-call id it was given. */
export interface SignatureLookup {
  get(toolCallId: string): string | undefined;
}

/**
 * Google's documented stand-in for a function call Gemini never produced (history from another
 * model, or a signature this process has forgotten). Gemini 3 rejects the turn without one.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/**
 * Gemini 3 and later validate thought signatures on function calls; 1.x and 2.x do not. Aliases
 * without a version (`gemini-flash-latest`) get no stand-in: a real signature is still replayed.
 */
export function validatesSignatures(model: string): boolean {
  const major = /gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}

const IMAGE_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

function imagePart(url: string): GeminiPart {
  const data = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (data) {
    const base64 = /;base64$/i.test(data[2]!) ? data[3]! : Buffer.from(decodeURIComponent(data[3]!), 'utf8').toString('base64');
    return { inlineData: { mimeType: data[1], data: base64 } };
  }
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return { fileData: { mimeType: (ext && IMAGE_EXT[ext]) || 'image/jpeg', fileUri: url } };
}

function userParts(content: ChatMessage['content']): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) return [];
  const parts: GeminiPart[] = [];
  for (const p of content) {
    if (p?.type === 'text' && p.text) parts.push({ text: p.text });
    else if (p?.type === 'image_url' && typeof p.image_url?.url === 'string') parts.push(imagePart(p.image_url.url));
  }
  return parts;
}

function parseArgs(args: string): Record<string, unknown> {
  if (!args.trim()) return {};
  try {
    const v = JSON.parse(args);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : { value: v };
  } catch {
    // A model can stream broken JSON; sending it back as text keeps the turn valid.
    return { raw: args };
  }
}

/** The SDK convention: the function's result under `output` (errors would go under `error`). */
function functionResult(content: ChatMessage['content']): Record<string, unknown> {
  const text = textOf(content);
  try {
    return { output: JSON.parse(text) };
  } catch {
    return { output: text };
  }
}

/**
 * The conversation as Gemini contents. Ids are never sent: Vertex rejects `id` inside
 * functionCall/functionResponse ("Unknown name \"id\""), and Gemini pairs calls with results by
 * name and order without them.
 */
export function geminiContents(messages: ChatMessage[], model: string, signatures: SignatureLookup): { contents: GeminiContent[]; system: string[] } {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    if (!parts.length) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
      case 'developer': {
        const t = textOf(m.content);
        if (t) system.push(t);
        break;
      }
      case 'user':
        push('user', userParts(m.content));
        break;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const t = textOf(m.content);
        if (t) parts.push({ text: t });
        // Signatures the consumer echoed back win; the process-wide cache serves hosts that do not echo.
        const echoed = new Map<string, string>();
        let firstEchoed: string | undefined;
        for (const d of detailsIn(m, FORMAT.gemini)) {
          if (d.type !== 'reasoning.encrypted') continue;
          firstEchoed ??= d.data;
          if (d.id) echoed.set(d.id, d.data);
        }
        (m.tool_calls ?? []).forEach((tc, i) => {
          callNames.set(tc.id, tc.function.name);
          const part: GeminiPart = { functionCall: { name: tc.function.name, args: parseArgs(tc.function.arguments) } };
          // Only the first call of a step carries Gemini's signature; parallel siblings have none.
          // A consumer that renamed the call still echoed the step's one signature, which belongs to its first call.
          const sig =
            echoed.get(tc.id) ?? signatures.get(tc.id) ?? (i === 0 ? (firstEchoed ?? (validatesSignatures(model) ? SKIP_SIGNATURE : undefined)) : undefined);
          if (sig) part.thoughtSignature = sig;
          parts.push(part);
        });
        push('model', parts);
        break;
      }
      case 'tool': {
        const name = callNames.get(m.tool_call_id) ?? (typeof m.name === 'string' ? m.name : undefined);
        if (!name) {
          throw new RouteFailure(
            routeError(
              'bad_request',
              `a tool result answers call "${m.tool_call_id}", but no earlier assistant turn made that call (Gemini needs the function's name)`,
            ),
          );
        }
        // Images a tool returned follow its functionResponse as inline data in the same turn.
        const images = userParts(m.content).filter((p) => !('text' in p));
        push('user', [{ functionResponse: { name, response: functionResult(m.content) } }, ...images]);
        break;
      }
    }
  }
  // Gemini refuses an empty `contents`; a system-only request becomes the user's turn.
  if (!contents.length && system.length) contents.push({ role: 'user', parts: [{ text: system.splice(0).join('\n\n') }] });
  return { contents, system };
}

// --- JSON Schema → Gemini's OpenAPI 3.0 subset -------------------------------------------------

const KEEP = new Set([
  'type',
  'format',
  'description',
  'nullable',
  'enum',
  'items',
  'properties',
  'required',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'anyOf',
  'propertyOrdering',
]);
const FORMATS: Record<string, ReadonlySet<string>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};
const MAX_DEPTH = 24;

type Schema = Record<string, unknown>;

function isObj(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Keeps what Gemini's Schema understands and rewrites the common JSON Schema idioms it does not:
 * `$ref` is inlined, `["T","null"]` and `anyOf [T, null]` become `nullable`, `const` becomes a
 * one-value enum, `oneOf` becomes `anyOf`, `allOf` objects are merged. Everything else
 * (`$schema`, `additionalProperties`, `default`, `examples`, unsupported formats, …) is dropped,
 * because Gemini answers 400 "Unknown name" for any field it does not know.
 */
export function toGeminiSchema(schema: unknown): Schema {
  const root = isObj(schema) ? schema : {};
  const defs = { ...(isObj(root.definitions) ? root.definitions : {}), ...(isObj(root.$defs) ? root.$defs : {}) };
  return convert(root, defs, 0, new Set());
}

function resolveRef(s: Schema, defs: Schema, seen: Set<string>): { schema: Schema; ref?: string } {
  if (typeof s.$ref !== 'string') return { schema: s };
  const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(s.$ref)?.[1];
  const target = name !== undefined ? defs[name] : undefined;
  if (!isObj(target) || seen.has(s.$ref)) return { schema: { type: 'object', ...(typeof s.description === 'string' ? { description: s.description } : {}) } };
  const { $ref: _ref, ...rest } = s;
  return { schema: { ...target, ...rest }, ref: s.$ref };
}

function convert(input: Schema, defs: Schema, depth: number, seen: Set<string>): Schema {
  if (depth > MAX_DEPTH) return { type: 'object' };
  const { schema: s, ref } = resolveRef(input, defs, seen);
  const inner = ref ? new Set([...seen, ref]) : seen;
  const sub = (v: unknown) => convert(isObj(v) ? v : {}, defs, depth + 1, inner);

  if (Array.isArray(s.allOf) && s.allOf.every(isObj)) {
    const merged: Schema = { ...s, allOf: undefined };
    for (const part of s.allOf as Schema[]) {
      const p = resolveRef(part, defs, inner).schema;
      merged.properties = { ...(isObj(merged.properties) ? merged.properties : {}), ...(isObj(p.properties) ? p.properties : {}) };
      merged.required = [...(Array.isArray(merged.required) ? merged.required : []), ...(Array.isArray(p.required) ? p.required : [])];
      merged.type ??= p.type;
      merged.description ??= p.description;
    }
    return convert(merged, defs, depth + 1, inner);
  }

  const out: Schema = {};
  let nullable = s.nullable === true;
  let type = s.type;
  if (Array.isArray(type)) {
    nullable ||= type.includes('null');
    const rest = type.filter((t) => t !== 'null');
    type = rest.length === 1 ? rest[0] : undefined;
    if (rest.length > 1) out.anyOf = rest.map((t) => ({ type: t }));
  }
  const variants = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (variants) {
    const nonNull = variants.filter((v) => !(isObj(v) && v.type === 'null'));
    nullable ||= nonNull.length < variants.length;
    if (nonNull.length === 1) {
      const only = sub(nonNull[0]);
      Object.assign(out, only, s.description !== undefined ? { description: s.description } : {});
      if (nullable) out.nullable = true;
      return out;
    }
    if (nonNull.length > 1) out.anyOf = nonNull.map(sub);
  }
  if (typeof type === 'string' && type !== 'null') out.type = type;
  if (typeof s.description === 'string') out.description = s.description;
  if (nullable) out.nullable = true;

  const enumValues = s.const !== undefined ? [s.const] : Array.isArray(s.enum) ? s.enum : undefined;
  if (enumValues && enumValues.length && enumValues.every((v) => typeof v === 'string')) {
    out.enum = enumValues;
    out.type ??= 'string';
  }
  if (typeof s.format === 'string' && typeof out.type === 'string' && FORMATS[out.type]?.has(s.format)) out.format = s.format;

  if (isObj(s.properties)) {
    const props: Schema = {};
    for (const [k, v] of Object.entries(s.properties)) props[k] = sub(v);
    out.properties = props;
    out.type ??= 'object';
    if (Array.isArray(s.required)) {
      const required = [...new Set(s.required.filter((r): r is string => typeof r === 'string' && r in props))];
      if (required.length) out.required = required;
    }
  }
  if (s.items !== undefined) {
    out.items = sub(Array.isArray(s.items) ? s.items[0] : s.items);
    out.type ??= 'array';
  } else if (out.type === 'array') out.items = { type: 'string' }; // Gemini requires items on arrays
  for (const k of ['minItems', 'maxItems', 'minimum', 'maximum', 'minLength', 'maxLength'] as const) {
    if (typeof s[k] === 'number') out[k] = s[k];
  }
  if (typeof s.pattern === 'string') out.pattern = s.pattern;
  for (const k of Object.keys(out)) if (!KEEP.has(k)) delete out[k];
  return out;
}

function functionDeclaration(t: ChatTool): Record<string, unknown> {
  const decl: Record<string, unknown> = { name: t.function.name };
  if (t.function.description) decl.description = t.function.description;
  const params = t.function.parameters ? toGeminiSchema(t.function.parameters) : undefined;
  // "properties: should be non-empty for OBJECT type": a no-argument function omits parameters.
  if (params && !(params.type === 'object' && !(isObj(params.properties) && Object.keys(params.properties).length))) decl.parameters = params;
  return decl;
}

function toolConfig(choice: ChatRequest['tool_choice']): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

function generationConfig(req: ChatRequest & Record<string, unknown>): Record<string, unknown> | undefined {
  const g: Record<string, unknown> = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens !== undefined) g.maxOutputTokens = maxTokens;
  if (req.temperature !== undefined) g.temperature = req.temperature;
  if (req.top_p !== undefined) g.topP = req.top_p;
  if (req.stop !== undefined) g.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (req.seed !== undefined) g.seed = req.seed;
  if (typeof req.presence_penalty === 'number') g.presencePenalty = req.presence_penalty;
  if (typeof req.frequency_penalty === 'number') g.frequencyPenalty = req.frequency_penalty;
  const rf = req.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (rf?.type === 'json_object' || rf?.type === 'json_schema') {
    g.responseMimeType = 'application/json';
    if (rf.type === 'json_schema' && isObj(rf.json_schema?.schema)) g.responseSchema = toGeminiSchema(rf.json_schema.schema);
  }
  return Object.keys(g).length ? g : undefined;
}

/** The whole `generateContent` body. */
export function geminiBody(request: ChatRequest, model: string, signatures: SignatureLookup): Record<string, unknown> {
  const req = request as ChatRequest & Record<string, unknown>;
  const { contents, system } = geminiContents(req.messages, model, signatures);
  const body: Record<string, unknown> = { contents };
  if (system.length) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  if (req.tools?.length) {
    body.tools = [{ functionDeclarations: req.tools.map(functionDeclaration) }];
    const tc = toolConfig(req.tool_choice);
    if (tc) body.toolConfig = tc;
  }
  const g = generationConfig(req);
  if (g) body.generationConfig = g;
  return body;
}
