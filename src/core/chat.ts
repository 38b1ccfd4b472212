/**
 * The router's canonical request and response shapes: OpenAI Chat Completions.
 * Every adapter translates to and from these; consumers only ever see them.
 */
import { z } from 'zod';
import type { ReasoningDetail } from './reasoning';

const contentPart = z.union([
  z.object({ type: z.literal('text'), text: z.string() }).passthrough(),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }).passthrough() }).passthrough(),
]);

export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.union([z.string(), z.array(contentPart)]) }).passthrough(),
  z.object({ role: z.literal('developer'), content: z.union([z.string(), z.array(contentPart)]) }).passthrough(),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(contentPart)]), name: z.string().optional() }).passthrough(),
  z
    .object({
      role: z.literal('assistant'),
      content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
      tool_calls: z.array(toolCallSchema).optional(),
    })
    .passthrough(),
  z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: z.union([z.string(), z.array(contentPart)]) }).passthrough(),
]);

export const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema).min(1),
    stream: z.boolean().optional(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    stop: z.union([z.string(), z.array(z.string())]).optional(),
    tools: z.array(toolSchema).optional(),
    tool_choice: z
      .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
      .optional(),
    parallel_tool_calls: z.boolean().optional(),
    seed: z.number().int().optional(),
    user: z.string().optional(),
  })
  .passthrough();

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = z.infer<typeof messageSchema>;
export type ToolCall = z.infer<typeof toolCallSchema>;
export type ChatTool = z.infer<typeof toolSchema>;

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  /** OpenRouter only: credits charged, whether BYOK, upstream cost. */
  cost?: number;
  is_byok?: boolean;
  cost_details?: { upstream_inference_cost?: number };
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning?: string;
  /** Reasoning to send back on the next turn (signed thinking, thought signatures); see reasoning.ts. */
  reasoning_details?: ReasoningDetail[];
  tool_calls?: ToolCallDelta[];
  refusal?: string | null;
  /** Web citations (OpenRouter's `:online`): not read by the router, passed on to endpoint clients. */
  annotations?: unknown[];
}

/** OpenAI `chat.completion.chunk`. */
export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: number; delta: ChunkDelta; finish_reason: FinishReason | null; logprobs?: unknown }[];
  usage?: Usage | null;
}

/** OpenAI `chat.completion`. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      reasoning?: string;
      reasoning_details?: ReasoningDetail[];
      tool_calls?: ToolCall[];
      refusal?: string | null;
      annotations?: unknown[];
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }[];
  usage?: Usage;
}

/** One assistant answer's parts, as an adapter or the stream folder collected them. */
export interface AnswerParts {
  id: string;
  model: string;
  /** Epoch milliseconds; now when absent. */
  created?: number;
  text: readonly string[];
  reasoning: readonly string[];
  details: ReasoningDetail[];
  toolCalls: ToolCall[];
  /** From the provider; when it gave none, `tool_calls` if there are any, else `stop`. */
  finish?: FinishReason | null;
  usage?: Usage;
}

/** An answer as an OpenAI `chat.completion`: its content is null only when tool calls stand in for it. */
export function completionOf(a: AnswerParts): ChatCompletion {
  return {
    id: a.id,
    object: 'chat.completion',
    created: Math.floor((a.created ?? Date.now()) / 1000),
    model: a.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: a.text.length ? a.text.join('') : a.toolCalls.length ? null : '',
          ...(a.reasoning.length ? { reasoning: a.reasoning.join('') } : {}),
          ...(a.details.length ? { reasoning_details: a.details } : {}),
          ...(a.toolCalls.length ? { tool_calls: a.toolCalls } : {}),
        },
        finish_reason: a.finish ?? (a.toolCalls.length ? 'tool_calls' : 'stop'),
      },
    ],
    ...(a.usage ? { usage: a.usage } : {}),
  };
}

/**
 * The chunk nearly every streamed token is: one choice holding only its index, a delta of a string
 * `content` and nothing else, and no finish. Readers and writers that special-case it (to skip a
 * whole parse or a whole stringify) agree on what it is through this.
 */
export function isPlainTextChunk(chunk: ChatChunk): boolean {
  if (chunk.choices.length !== 1) return false;
  const choice = chunk.choices[0]!;
  if (choice.finish_reason !== null || choice.logprobs !== undefined || typeof choice.delta.content !== 'string') return false;
  let fields = 0;
  for (const k in choice) if (k !== 'logprobs') fields++;
  let deltaFields = 0;
  for (const _ in choice.delta) deltaFields++;
  return fields === 3 && deltaFields === 1;
}

/** True when a chunk carries something the caller can see: after it, the stream is committed. */
export function chunkHasContent(chunk: ChatChunk): boolean {
  const choice = chunk.choices[0];
  if (!choice) return false;
  const d = choice.delta;
  return !!(d.content || d.reasoning || (d.tool_calls && d.tool_calls.length > 0));
}
