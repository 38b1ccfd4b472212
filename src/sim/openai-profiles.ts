/**
 * Simulator fixtures for the OpenAI-compatible providers that are pure data: one profile per
 * provider, read by the generic simulator (openai.ts) and by the table-driven test that runs every
 * provider row through it. The profiles are data, in openai-profiles.json; this module types them
 * and fills their templates. Adding a provider of this kind is a row in
 * src/core/providers/openai-compatible/rows.json and a profile there; no simulator code changes.
 *
 * Bodies and headers come from each provider's documentation where it shows them (`source`);
 * where it does not, the profile follows the provider's documented envelope and marks itself
 * `approximate: true` (the wording and headers are ours, the shape is theirs).
 *
 * Templates: in `rateLimited`, the strings `{wait}` (seconds), `{waitMs}` and `{httpDate}` are
 * replaced with the wait the test asked for.
 */
import type { UsageMode } from './openai-flavors';
import profilesJson from './openai-profiles.json';

/** How a provider says how long to wait after a 429, which the router must read. */
export type RetryAfterForm = 'seconds' | 'ms' | 'http-date' | 'none';

export interface Canned {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ProviderProfile {
  /** Path of the real base URL (`/v1`, `/compatible-mode/v1`, `/api/paas/v4`, …). */
  basePath: string;
  auth: 'bearer' | 'api-key';
  usageMode: UsageMode;
  /** Native ids the provider lists; the first is the default answer's model. */
  models: string[];
  /**
   * The provider's free key-check route on this server (a models or key-info endpoint), and what
   * it answers. Absent when the row's key check is a one-token completion (served by chat).
   */
  keyCheck?: { method: 'GET' | 'POST'; path: string; body: unknown };
  /** Query parameters every route requires (Azure AI Foundry's api-version). */
  requiredQuery?: string[];
  /** Top-level request fields the provider answers with 400 (Cohere refuses stream_options). */
  rejects?: string[];
  /** Error envelope for the simulator's own refusals (bad request, not found). */
  envelope: 'openai' | 'detail' | 'message' | 'code-message' | 'problem' | 'error-string';
  unauthorized: Canned;
  /** The answer to a rate limit, with `{wait}`/`{waitMs}`/`{httpDate}` templates. */
  rateLimited: Canned;
  retryAfter: RetryAfterForm;
  serverError: Canned;
  source: string;
  approximate?: boolean;
  /** Why the profile looks the way it does, where that needs a word. */
  note?: string;
}

/** What the compiler checks of a profile in openai-profiles.json: JSON reads every string union as a plain string. */
type Widened<T> = T extends string ? string : T extends object ? { [K in keyof T]: Widened<T[K]> } : T;

/** The profiles; their string unions are held to their members by test/unit/sim/openai-profiles.test.ts. */
export const PROFILES = profilesJson satisfies Record<string, Widened<ProviderProfile>> as Record<keyof typeof profilesJson, ProviderProfile>;

export type ProfileFlavor = keyof typeof PROFILES;

export function profileOf(flavor: string): ProviderProfile | undefined {
  return Object.hasOwn(PROFILES, flavor) ? (PROFILES as Record<string, ProviderProfile>)[flavor] : undefined;
}

/** Replaces `{wait}`, `{waitMs}` and `{httpDate}` anywhere in a canned body or header set. */
export function fillWait<T>(value: T, seconds: number): T {
  const date = new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000).toUTCString();
  const fill = (s: string) =>
    s
      .replaceAll('{waitMs}', String(seconds * 1000))
      .replaceAll('{wait}', String(seconds))
      .replaceAll('{httpDate}', date);
  const walk = (v: unknown): unknown =>
    typeof v === 'string'
      ? fill(v)
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(value) as T;
}

/** A refusal in the profile's envelope, for errors the simulator makes up itself. */
export function profileErrorBody(p: ProviderProfile, status: number, message: string, code?: string | null): unknown {
  switch (p.envelope) {
    case 'detail':
      return { detail: message };
    case 'message':
      return { id: 'sim-err', message };
    case 'code-message':
      return { error: { code: code ?? String(status), message } };
    case 'problem':
      return { status, title: message, detail: message };
    case 'error-string':
      return { error: message };
    default:
      return { error: { message, type: 'invalid_request_error', param: null, code: code ?? null } };
  }
}
