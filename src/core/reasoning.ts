/**
 * Reasoning a provider needs back on the next turn, in the canonical shape: OpenRouter's
 * `reasoning_details`, on stream deltas, on the final message, and on assistant messages of a
 * later request. Each detail names the wire it came from (`format`), so it is restored only to
 * that wire: a signature from one family is meaningless, and refused, in another.
 */
import { z } from 'zod';

export const FORMAT = {
  /** Claude's signed thinking, direct or on Vertex. */
  anthropic: 'anthropic-claude-v1',
  /** Claude's signed reasoning through Bedrock Converse. */
  bedrock: 'amazon-bedrock-converse-v1',
  /** Gemini's thought signature on a function call; `id` is the tool call's id. */
  gemini: 'google-gemini-v1',
  /** Reasoning text an OpenAI-compatible provider returned (`reasoning_content`). */
  openai: 'openai-compatible-v1',
} as const;

export const reasoningDetailSchema = z.union([
  z
    .object({ type: z.literal('reasoning.text'), text: z.string(), signature: z.string().optional(), format: z.string().optional(), id: z.string().optional() })
    .passthrough(),
  z.object({ type: z.literal('reasoning.encrypted'), data: z.string(), format: z.string().optional(), id: z.string().optional() }).passthrough(),
  z.object({ type: z.literal('reasoning.summary'), summary: z.string(), format: z.string().optional(), id: z.string().optional() }).passthrough(),
]);
export type ReasoningDetail = z.infer<typeof reasoningDetailSchema>;

/** The well-formed details an assistant message carries (it may carry none, or junk from a client). */
export function detailsOf(message: unknown): ReasoningDetail[] {
  const raw = (message as { reasoning_details?: unknown } | undefined)?.reasoning_details;
  if (!Array.isArray(raw)) return [];
  const out: ReasoningDetail[] = [];
  for (const d of raw) {
    const r = reasoningDetailSchema.safeParse(d);
    if (r.success) out.push(r.data);
  }
  return out;
}

/** The details in `format`, in order. */
export function detailsIn(message: unknown, format: string): ReasoningDetail[] {
  return detailsOf(message).filter((d) => d.format === format);
}

/**
 * Streamed details as whole blocks: OpenRouter sends one block in fragments that share an `index`;
 * the fragments are joined (text, data, summary appended; the signature kept). Details without an
 * index are whole already.
 */
export function mergeDetails(details: readonly ReasoningDetail[]): ReasoningDetail[] {
  const out: (ReasoningDetail & Record<string, unknown>)[] = [];
  for (const d of details) {
    const index = (d as { index?: unknown }).index;
    const prev = out[out.length - 1];
    if (typeof index === 'number' && prev && prev.type === d.type && prev.index === index && prev.format === d.format) {
      if (d.type === 'reasoning.text' && prev.type === 'reasoning.text') {
        prev.text += d.text;
        if (d.signature) prev.signature = d.signature;
      } else if (d.type === 'reasoning.encrypted' && prev.type === 'reasoning.encrypted') prev.data += d.data;
      else if (d.type === 'reasoning.summary' && prev.type === 'reasoning.summary') prev.summary += d.summary;
      continue;
    }
    out.push({ ...d });
  }
  return out;
}
