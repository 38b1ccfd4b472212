/**
 * Defensive redaction: known secret values are replaced wherever they appear, and anything shaped
 * like a credential is masked too, in case a provider echoes a key we never registered.
 */
const PATTERNS: RegExp[] = [
  /\b(sk|rk|pk)-[A-Za-z0-9_-]{12,}/g, // OpenAI, Anthropic (sk-ant-…), OpenRouter (sk-or-…)
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgsk_[A-Za-z0-9]{20,}/g, // Groq
  /\bxai-[A-Za-z0-9]{20,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** `…a1b2`: the only form of a secret any UI, log or record may show. */
export function maskedTail(secret: string): string {
  const t = secret.trim();
  return t.length <= 8 ? '…' : `…${t.slice(-4)}`;
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a value so it is scrubbed from every later string. Short values would match noise. */
  add(secret: string | undefined) {
    if (!secret || secret.length < 6) return;
    this.secrets.add(secret);
    // Service-account JSON: its private key and id also count as secrets.
    if (secret.trimStart().startsWith('{')) {
      try {
        const j = JSON.parse(secret) as Record<string, unknown>;
        for (const f of ['private_key', 'private_key_id', 'secretAccessKey', 'sessionToken', 'accessKeyId', 'apiKey', 'api_key']) {
          const v = j[f];
          if (typeof v === 'string' && v.length >= 6) this.secrets.add(v);
        }
      } catch {
        /* not JSON: the whole value is already registered */
      }
    }
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(`[redacted ${maskedTail(s)}]`);
    for (const re of PATTERNS) out = out.replace(re, (m) => `[redacted ${maskedTail(m)}]`);
    return out;
  }
}

