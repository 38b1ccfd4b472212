/**
 * Token counts for budgeting a prompt: a real tokenizer where the family's is public (OpenAI's
 * o200k), else characters per token calibrated per family against the corpus in
 * test/fixtures/tokens. Errs slightly high, so a caller trims before a provider refuses.
 */

/** Characters per token, measured on prose, code and JSON (test/unit/tokens); lower counts more tokens. */
const CHARS_PER_TOKEN: Record<string, number> = {
  // Claude's tokenizer splits code and punctuation finer than o200k.
  claude: 3.2,
  gemini: 3.8,
  nova: 3.5,
  llama: 3.7,
  mistral: 3.4,
  codestral: 3.4,
  devstral: 3.4,
  deepseek: 3.7,
  qwen: 3.7,
  kimi: 3.7,
  grok: 3.7,
  sonar: 3.7,
};
const DEFAULT_CHARS_PER_TOKEN = 3.5;

/** Families whose models use o200k_base. */
const O200K = new Set(['gpt', 'o', 'gpt-oss', 'chatgpt', 'codex']);

export function usesOpenAiTokenizer(family: string): boolean {
  return O200K.has(family);
}

export function estimateTokens(family: string, text: string): number {
  if (!text) return 0;
  return Math.ceil(text.length / (CHARS_PER_TOKEN[family] ?? DEFAULT_CHARS_PER_TOKEN));
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
