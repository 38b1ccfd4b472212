/**
 * Prompt-token counts the simulators report when a script asks for realistic usage
 * (`realisticUsage: true`), instead of their default of four characters of JSON a token.
 *
 * OpenAI: the real o200k_base tokenizer, plus the documented framing (3 tokens a message, 3 to
 * prime the reply). Claude and Gemini tokenizers are not public; they are modelled as o200k scaled
 * by the ratio published comparisons report (Claude ≈ 1.2× o200k's count on English and code,
 * Gemini ≈ 1.05×), plus the same framing.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

export type TokenizerFamily = 'openai' | 'claude' | 'gemini';

const SCALE: Record<TokenizerFamily, number> = { openai: 1, claude: 1.2, gemini: 1.05 };

/** Every string value in a request's messages (text, tool arguments, tool results), in order. */
export function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (!value.startsWith('data:')) out.push(value);
  } else if (Array.isArray(value)) for (const v of value) textsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== 'role' && k !== 'type' && k !== 'signature' && k !== 'thoughtSignature') textsOf(v, out);
  }
  return out;
}

export function simPromptTokens(family: TokenizerFamily, messages: readonly unknown[]): number {
  const text = messages.reduce<number>((n, m) => n + textsOf(m).reduce((k, t) => k + countTokens(t), 0), 0);
  return Math.round(text * SCALE[family]) + 3 * messages.length + 3;
}
