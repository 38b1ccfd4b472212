/**
 * The model options a `vscode.lm` caller may pass (`modelOptions`), read field by field: a value
 * of the wrong type drops that option only, never the others, and anything unknown is dropped
 * rather than forwarded blind. Free of `vscode` so it runs in plain Node.
 */
import { z } from 'zod';
import type { ChatRequest } from '../core';

const optional = <T extends z.ZodType>(t: T) => t.optional().catch(undefined);

const modelOptionsSchema = z.object({
  temperature: optional(z.number()),
  top_p: optional(z.number()),
  max_tokens: optional(z.number().int().positive()),
  maxTokens: optional(z.number().int().positive()),
  stop: optional(z.union([z.string(), z.array(z.string())])),
  /** Extended thinking where the family has it (Claude, Gemini, OpenAI's reasoning models). */
  reasoning_effort: optional(z.enum(['minimal', 'low', 'medium', 'high'])),
  /** Stream the model's reasoning as text too (for surfaces that show it); it always goes out as a `thinking` part. */
  showReasoning: optional(z.boolean()),
});

export type ModelOptions = z.infer<typeof modelOptionsSchema>;

export function readModelOptions(given: unknown): ModelOptions {
  // Most callers pass none: zod is not woken for nothing on the way to the first token.
  if (!given || typeof given !== 'object' || !Object.keys(given).length) return {};
  // Never throws: a caller's odd options cost it those options, not its request.
  const read = modelOptionsSchema.safeParse(given);
  return read.success ? read.data : {};
}

/** The request fields the options set. */
export function requestOptions(o: ModelOptions): Partial<ChatRequest> {
  const maxTokens = o.max_tokens ?? o.maxTokens;
  return {
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    ...(o.top_p !== undefined ? { top_p: o.top_p } : {}),
    ...(maxTokens ? { max_tokens: maxTokens } : {}),
    ...(o.stop !== undefined ? { stop: o.stop } : {}),
    ...(o.reasoning_effort ? { reasoning_effort: o.reasoning_effort } : {}),
  };
}
