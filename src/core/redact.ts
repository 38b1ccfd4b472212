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
  /\bya29\.[A-Za-z0-9._-]{10,}/g, // Google OAuth access tokens (Vertex)
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** `…a1b2`: the only form of a secret any UI, log or record may show. */
export function maskedTail(secret: string): string {
  const t = secret.trim();
  return t.length <= 8 ? '…' : `…${t.slice(-4)}`;
}

const SECRET_FIELDS = new Set([
  'privatekey',
  'privatekeyid',
  'secretaccesskey',
  'sessiontoken',
  'accesskeyid',
  'apikey',
  'accesstoken',
  'refreshtoken',
  'clientsecret',
]);

/**
 * Redact at full length, then bound: cutting first could split a secret so that no rule matches
 * the part that is kept.
 */
export function redactThenClip(redactor: Redactor, text: string, max: number): string {
  const r = redactor.redact(text);
  return r.length > max ? `${r.slice(0, max)}… (${r.length - max} more characters)` : r;
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a value so it is scrubbed from every later string. Short values would match noise. */
  add(secret: string | undefined) {
    if (!secret || secret.length < 6) return;
    this.secrets.add(secret);
    // Service-account JSON and AWS credentials (ours, or `{"Credentials": {...}}` as STS prints
    // them): the fields inside also count as secrets, whatever their case.
    if (secret.trimStart().startsWith('{')) {
      try {
        this.addFields(JSON.parse(secret), 0);
      } catch {
        /* not JSON: the whole value is already registered */
      }
    }
  }

  private addFields(j: unknown, depth: number) {
    if (!j || typeof j !== 'object' || depth > 3) return;
    for (const [f, v] of Object.entries(j as Record<string, unknown>)) {
      if (typeof v === 'string' && v.length >= 6 && SECRET_FIELDS.has(f.toLowerCase().replace(/_/g, ''))) this.secrets.add(v);
      else if (typeof v === 'object') this.addFields(v, depth + 1);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(`[redacted ${maskedTail(s)}]`);
    for (const re of PATTERNS) out = out.replace(re, (m) => `[redacted ${maskedTail(m)}]`);
    return out;
  }
}

/** Every string in a JSON-shaped value, redacted; the shape and every other value kept. */
export function redactStrings<T>(value: T, redact: (text: string) => string): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redact(v);
    if (!v || typeof v !== 'object' || depth > 32) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}
