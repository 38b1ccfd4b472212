/**
 * The OpenAI-compatible family as table rows: one row per provider with its base URL, auth header
 * and what it accepts. The rows are data, in rows.json; this module types them and fills in the
 * common case. Most providers accept the common OpenAI fields (temperature, top_p, stop, tools,
 * tool_choice, response_format, seed, user); the open-weight hosts (vLLM / SGLang servers behind an
 * OpenAI front) add the penalties, logprobs and n; OpenAI, OpenRouter and Azure take OpenAI's full set.
 */
import rowsJson from './rows.json';

/**
 * The cheapest request that proves a key works (`test-keys`):
 * - get/post: a key-info or models endpoint that costs nothing, at `path` under the base URL, or
 *   under the base URL's origin when `fromOrigin` (Cohere's and DeepInfra's live outside it);
 * - chat: a one-token completion with `model`, for providers whose only free endpoints answer
 *   without a key (their models lists are public) or who have none;
 * - none: no request proves the key; it is validated on first use.
 */
export type KeyCheck = { kind: 'get' | 'post'; path: string; fromOrigin?: boolean } | { kind: 'chat'; model: string } | { kind: 'none' };

export interface CompatRow {
  baseUrl: string;
  auth: 'bearer' | 'api-key';
  keyCheck: KeyCheck;
  /** Error codes that mean the account is out of money or quota: a long wait, not a backoff. */
  quotaCodes?: readonly string[];
  /** Request fields the provider accepts besides model/messages/stream. */
  accepts: readonly string[];
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** OpenAI-style opt-in for usage on the last chunk; others send it unasked. */
  streamOptions: boolean;
  tools: boolean;
  /** Mistral wants 9 alphanumerics as tool-call ids. */
  toolIdStyle?: 'alnum9';
  /** Drop `name` on user messages (Mistral 422, Groq 400). */
  dropMessageName?: boolean;
  seedField?: 'random_seed';
  toolChoiceRequired?: 'any';
  /** Send `tool_choice: "auto"` by leaving it out (Cohere's tool_choice knows only required and none). */
  omitToolChoiceAuto?: boolean;
  /** Why the row looks the way it does, where that needs a word. */
  note?: string;
}

/** A row states what differs from the common case: bearer auth, `max_tokens`, tools, usage sent unasked. */
type RowSpec = Omit<CompatRow, 'auth' | 'maxTokensField' | 'streamOptions' | 'tools'> &
  Partial<Pick<CompatRow, 'auth' | 'maxTokensField' | 'streamOptions' | 'tools'>>;

function row(spec: RowSpec): CompatRow {
  return { auth: 'bearer', maxTokensField: 'max_tokens', streamOptions: false, tools: true, ...spec };
}

/** What the compiler checks of a row in rows.json: JSON reads every string union as a plain string. */
type Widened<T> = T extends string ? string : T extends readonly (infer E)[] ? readonly Widened<E>[] : T extends object ? { [K in keyof T]: Widened<T[K]> } : T;

export type CompatProvider = keyof typeof rowsJson;

/** Every row with the common case filled in; the string unions are held to their members by test/unit/providers/compat-rows-data.test.ts. */
export const COMPAT_ROWS = Object.fromEntries(
  Object.entries(rowsJson satisfies Record<string, Widened<RowSpec>>).map(([provider, spec]) => [provider, row(spec as RowSpec)]),
) as Record<CompatProvider, CompatRow>;
