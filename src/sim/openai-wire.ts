/**
 * Encodes one scripted answer as an OpenAI `chat.completion` or as `chat.completion.chunk` SSE
 * frames, with each flavor's placement of usage, reasoning and its own extras (x_groq, Azure
 * content-filter results, OpenRouter cost).
 */
import { sse, type Frame, type Script, type StreamPlan } from './server';
import { FLAVOR_SPECS, type Flavor } from './openai-flavors';
import { simPromptTokens } from './tokens';

type Json = Record<string, unknown>;

export interface Answer {
  id: string;
  created: number;
  model: string;
  text: string[];
  reasoning: string[];
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  usage: Json;
}

/** Splits text into word deltas that join back to the original ("a b" → ["a", " b"]). */
export function splitDeltas(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.split(/(?<=\S)(?=\s)/).filter((part) => part !== '');
}

/** Splits tool arguments into at least two fragments when there are two characters to split. */
export function splitArguments(args: string): string[] {
  if (args.length < 2) return [args];
  const size = Math.ceil(args.length / Math.min(3, args.length));
  const parts: string[] = [];
  for (let i = 0; i < args.length; i += size) parts.push(args.slice(i, i + size));
  return parts;
}

export interface AnswerInput {
  flavor: Flavor;
  script: Script;
  request: Json;
  /** Model as the response should name it (Azure dated: the deployment). */
  model: string;
  defaultText: string;
  nextId: (prefix: string) => string;
}

export function buildAnswer({ flavor, script, request, model, defaultText, nextId }: AnswerInput): Answer {
  const toolCalls = (script.toolCalls ?? []).map((call) => ({
    id: call.id ?? toolCallId(flavor, nextId),
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  const text = splitDeltas(script.text ?? (toolCalls.length ? undefined : defaultText));
  const reasoning = splitDeltas(script.reasoning);
  const finishReason = script.finishReason ?? (toolCalls.length ? 'tool_calls' : FLAVOR_SPECS[flavor].stopReason);
  const outputChars = [...text, ...reasoning].join('').length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  const prompt =
    script.usage?.prompt_tokens ??
    (script.realisticUsage
      ? simPromptTokens('openai', (request.messages ?? []) as unknown[])
      : Math.max(1, Math.ceil(JSON.stringify(request.messages ?? []).length / 4)));
  const completion = script.usage?.completion_tokens ?? Math.max(1, Math.ceil(outputChars / 4));
  return {
    id: nextId(flavor === 'openrouter' ? 'gen-' : 'chatcmpl-'),
    created: Math.floor(Date.now() / 1000),
    model,
    text,
    reasoning,
    toolCalls,
    finishReason,
    usage: { ...usageFor(flavor, prompt, completion), ...script.usage },
  };
}

// Mistral rejects any tool-call id that is not 9 alphanumerics, and generates such ids itself.
function toolCallId(flavor: Flavor, nextId: (prefix: string) => string): string {
  if (flavor === 'mistral')
    return nextId('')
      .replace(/[^a-zA-Z0-9]/g, '')
      .padStart(9, 'T')
      .slice(-9);
  return nextId('call_');
}

function usageFor(flavor: Flavor, prompt: number, completion: number): Json {
  const base = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  switch (flavor) {
    case 'openrouter': {
      const promptCost = prompt * 1e-6;
      const completionCost = completion * 2e-6;
      const cost = Number((promptCost + completionCost).toFixed(9));
      return {
        ...base,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
        cost,
        is_byok: false,
        cost_details: { upstream_inference_cost: cost, upstream_inference_prompt_cost: promptCost, upstream_inference_completions_cost: completionCost },
      };
    }
    case 'deepseek':
      return { ...base, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: prompt };
    case 'openai':
    case 'azure':
      return { ...base, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 } };
    case 'groq':
      return { ...base, queue_time: 0.01, prompt_time: 0.001, completion_time: 0.02, total_time: 0.031 };
    default:
      return base;
  }
}

const AZURE_FILTER_OK = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

/** The non-streaming `chat.completion`. */
export function completionBody(flavor: Flavor, a: Answer): Json {
  const message: Json = { role: 'assistant', content: a.text.length ? a.text.join('') : null };
  if (flavor === 'openai' || flavor === 'azure') message.refusal = null;
  if (a.reasoning.length) message[FLAVOR_SPECS[flavor].reasoningField] = a.reasoning.join('');
  if (a.toolCalls.length) {
    message.tool_calls = a.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  const choice: Json = { index: 0, message, logprobs: null, finish_reason: a.finishReason };
  if (flavor === 'openrouter') choice.native_finish_reason = a.finishReason;
  if (flavor === 'azure') choice.content_filter_results = AZURE_FILTER_OK;
  const body: Json = { id: a.id, object: 'chat.completion', created: a.created, model: a.model, choices: [choice], usage: a.usage };
  return { ...body, ...flavorExtras(flavor, a, 'completion') };
}

function flavorExtras(flavor: Flavor, a: Answer, where: 'completion' | 'first-chunk'): Json {
  switch (flavor) {
    case 'openai':
    case 'azure':
      return {
        system_fingerprint: 'fp_sim',
        ...(flavor === 'azure' && where === 'completion' ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER_OK }] } : {}),
      };
    case 'groq':
      return { system_fingerprint: 'fp_sim', x_groq: { id: `req_${a.id}` } };
    case 'openrouter':
      return { provider: 'SimUpstream' };
    case 'perplexity':
      return where === 'completion' ? { citations: [], search_results: [] } : {};
    default:
      return {};
  }
}

/** The SSE frames of a streamed answer, plus the frames the stream faults need. */
export function streamPlan(flavor: Flavor, a: Answer, request: Json, script: Script): StreamPlan {
  const spec = FLAVOR_SPECS[flavor];
  const includeUsage = (request.stream_options as Json | undefined)?.include_usage === true;
  // With include_usage, OpenAI puts `usage: null` on every chunk and the numbers on one extra chunk.
  const nullUsage = spec.usageMode === 'include_usage' && includeUsage ? { usage: null } : {};
  const chunk = (choices: Json[], extra: Json = {}): Json => ({
    id: a.id,
    object: 'chat.completion.chunk',
    created: a.created,
    model: a.model,
    ...(flavor === 'openrouter' ? { provider: 'SimUpstream' } : {}),
    ...(flavor === 'openai' || flavor === 'azure' ? { system_fingerprint: 'fp_sim' } : {}),
    choices,
    ...nullUsage,
    ...extra,
  });
  const delta = (d: Json, finish: string | null = null): Json => ({ index: 0, delta: d, logprobs: null, finish_reason: finish });

  const chunks: Json[] = [];
  if (flavor === 'azure') {
    // Azure opens with the prompt filter verdict: no id, no model, no choices.
    chunks.push({
      id: '',
      object: '',
      created: 0,
      model: '',
      choices: [],
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER_OK }],
    });
  }
  chunks.push(chunk([delta({ role: 'assistant', content: '' })], flavor === 'groq' ? { x_groq: { id: `req_${a.id}` } } : {}));
  for (const piece of a.reasoning) chunks.push(chunk([delta({ [spec.reasoningField]: piece })]));
  for (const piece of a.text) chunks.push(chunk([delta({ content: piece })]));
  a.toolCalls.forEach((call, index) => {
    chunks.push(chunk([delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] })]));
    for (const fragment of splitArguments(call.arguments)) {
      chunks.push(chunk([delta({ tool_calls: [{ index, function: { arguments: fragment } }] })]));
    }
  });
  const finish = delta({}, a.finishReason);
  if (flavor === 'openrouter') finish.native_finish_reason = a.finishReason;
  const finishExtra: Json =
    spec.usageMode === 'final-chunk' ? { usage: a.usage } : spec.usageMode === 'x_groq' ? { x_groq: { id: `req_${a.id}`, usage: a.usage } } : {};
  chunks.push(chunk([finish], finishExtra));
  if (spec.usageMode === 'usage-chunk' || (spec.usageMode === 'include_usage' && includeUsage)) {
    chunks.push(chunk([], { usage: a.usage }));
  }

  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${a.id}` },
    prelude: flavor === 'openrouter' ? [sse.comment(spec.commentText)] : [],
    chunks: chunks.map((c) => sse.data(c)),
    trailer: [sse.data('[DONE]')],
    comment: sse.comment(spec.commentText),
    malformed: `data: {"id":"${a.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"unterminated\n\n`,
    errorFrames: script.midStreamError ? midStreamErrorFrames(flavor, a, script.midStreamError) : undefined,
  };
}

function midStreamErrorFrames(flavor: Flavor, a: Answer, e: NonNullable<Script['midStreamError']>): Frame[] {
  const message = typeof e.message === 'string' ? e.message : 'Upstream provider error';
  switch (flavor) {
    case 'openrouter':
      // An ordinary chunk carrying `error` and finish_reason "error"; the stream then just ends.
      return [
        sse.data({
          id: a.id,
          object: 'chat.completion.chunk',
          created: a.created,
          model: a.model,
          provider: 'SimUpstream',
          error: {
            code: typeof e.code === 'number' ? e.code : 502,
            message,
            metadata: { error_type: typeof e.errorType === 'string' ? e.errorType : 'provider_unavailable' },
          },
          choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
        }),
      ];
    case 'groq':
      // Groq reports why a stream stopped early in x_groq.error.
      return [
        sse.data({ id: a.id, object: 'chat.completion.chunk', created: a.created, model: a.model, choices: [], x_groq: { id: `req_${a.id}`, error: message } }),
      ];
    default:
      // What the OpenAI SDK treats as a stream error: a data line whose JSON has an `error` key.
      return [
        sse.data({
          error: { message, type: typeof e.type === 'string' ? e.type : 'server_error', param: null, code: typeof e.code === 'string' ? e.code : null },
        }),
      ];
  }
}
