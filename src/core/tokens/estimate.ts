/**
 * Token counts for budgeting a prompt: a real tokenizer where the family's is public (OpenAI's
 * o200k), else an estimate calibrated per family against the corpus in test/fixtures/tokens.
 */

/**
 * Tokens relative to o200k's count of the same text. Claude's and Gemini's tokenizers are not
 * public; published comparisons put Claude at about 1.2× and Gemini at about 1.05× o200k on English
 * and code. Unknown families get 1.1×, erring high.
 */
const FAMILY_SCALE: Record<string, number> = { claude: 1.2, gemini: 1.05, gemma: 1.05 };
const DEFAULT_SCALE = 1.1;

/** Families whose models use o200k_base. */
const O200K = new Set(['gpt', 'o', 'gpt-oss', 'chatgpt', 'codex']);

export function usesOpenAiTokenizer(family: string): boolean {
  return O200K.has(family);
}

/**
 * o200k's count, estimated from what it splits on: about 1.1 tokens a word, 0.72 a symbol and 0.67
 * a digit, fitted to the corpus in test/fixtures/tokens (prose, code, JSON, chat) within 5 % of
 * each sample. Characters per token alone range from 3.5 (JSON) to 4.2 (chat).
 */
export function estimateO200k(text: string): number {
  let words = 0;
  let symbols = 0;
  let digits = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (letter) {
      if (!inWord) words++;
      inWord = true;
      continue;
    }
    inWord = false;
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 32 && c !== 10 && c !== 9 && c !== 13) symbols++;
  }
  return words * 1.1 + symbols * 0.72 + digits * 0.67;
}

export function estimateTokens(family: string, text: string): number {
  if (!text) return 0;
  return Math.ceil(estimateO200k(text) * (FAMILY_SCALE[family] ?? DEFAULT_SCALE));
}

/** Framing each message costs on the wire (role markers), as OpenAI documents for its chat format. */
export const TOKENS_PER_MESSAGE = 4;

/** An image's budget: providers bill a typical screenshot at 1–2k tokens; its base64 length says nothing. */
export const TOKENS_PER_IMAGE = 1_000;

export type Tokenize = (text: string) => number;

/**
 * Counts with the family's tokenizer when it has one (loaded once, on first use, by `load`), else
 * the calibrated estimate. A tokenizer that fails to load leaves the estimate in place.
 */
export class TokenCounter {
  private tokenizer: Promise<Tokenize | undefined> | undefined;

  constructor(private readonly load: () => Promise<Tokenize>) {}

  async count(family: string, text: string): Promise<number> {
    if (!text) return 0;
    if (usesOpenAiTokenizer(family)) {
      this.tokenizer ??= this.load().catch(() => undefined);
      const t = await this.tokenizer;
      if (t) return t(text);
    }
    return estimateTokens(family, text);
  }

  /** True once the tokenizer was asked for (tests check it is not loaded at start). */
  get loaded(): boolean {
    return this.tokenizer !== undefined;
  }
}
