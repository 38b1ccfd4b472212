/**
 * Secret-manager references: a key's stored value may name where the secret lives instead of
 * holding it. A reference is not secret; only what it resolves to is.
 */

export type SecretScheme = 'op' | 'vault' | 'gcp-sm' | 'aws-sm' | 'azure-kv' | 'infisical' | 'env';

export type SecretReference =
  | { scheme: 'op'; raw: string }
  | { scheme: 'vault'; raw: string; mount: string; path: string; field: string | undefined }
  | { scheme: 'gcp-sm'; raw: string; project: string; secret: string; version: string }
  | { scheme: 'aws-sm'; raw: string; region: string; secretId: string; field: string | undefined }
  | { scheme: 'azure-kv'; raw: string; vault: string; name: string }
  | { scheme: 'infisical'; raw: string; project: string; env: string; path: string; name: string }
  | { scheme: 'env'; raw: string; name: string };

/** Who holds the secret, as the panel and errors name it. */
export const SCHEME_LABELS: Record<SecretScheme, string> = {
  op: '1Password',
  vault: 'Vault',
  'gcp-sm': 'GCP Secret Manager',
  'aws-sm': 'AWS Secrets Manager',
  'azure-kv': 'Azure Key Vault',
  infisical: 'Infisical',
  env: 'environment',
};

/** The forms a user types, for prompts and the README. */
export const REFERENCE_FORMS: Record<SecretScheme, string> = {
  op: 'op://vault/item/field',
  vault: 'vault://mount/path#field',
  'gcp-sm': 'gcp-sm://projects/P/secrets/S/versions/V',
  'aws-sm': 'aws-sm://region/secret-id#jsonField',
  'azure-kv': 'azure-kv://vault-name/secret-name',
  infisical: 'infisical://project/env/path/NAME',
  env: 'env:NAME',
};

const PREFIX = /^(op|vault|gcp-sm|aws-sm|azure-kv|infisical):\/\/|^env:/;

/** True when a stored value is a reference rather than a secret. */
export function isReference(value: string | undefined): value is string {
  return !!value && PREFIX.test(value.trim());
}

export type ParsedReference = { ok: true; ref: SecretReference } | { ok: false; scheme: SecretScheme | undefined; error: string };

const SEGMENT = /^[^\s/#?]+$/;

export function parseReference(value: string): ParsedReference {
  const raw = value.trim();
  const m = PREFIX.exec(raw);
  if (!m) return { ok: false, scheme: undefined, error: 'not a secret-manager reference' };
  const scheme = (m[1] ?? 'env') as SecretScheme;
  const bad = (why: string): ParsedReference => ({
    ok: false,
    scheme,
    error: `${SCHEME_LABELS[scheme]} reference ${raw}: ${why}; expected ${REFERENCE_FORMS[scheme]}`,
  });
  const rest = raw.slice(m[0].length);
  if (/\s/.test(rest)) return bad('it contains whitespace');
  const [body = '', field] = splitHash(rest);
  const parts = body.split('/');
  const ok = (ref: SecretReference): ParsedReference => ({ ok: true, ref });
  switch (scheme) {
    case 'env':
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(rest) ? ok({ scheme, raw, name: rest }) : bad('not a variable name');
    case 'op':
      // 1Password parses its own references (sections, query strings); only its shape is checked here.
      return parts.length >= 3 && parts.every((p) => p.length > 0) ? ok({ scheme, raw }) : bad('it needs a vault, an item and a field');
    case 'vault':
      if (parts.length < 2 || !parts.every((p) => SEGMENT.test(p))) return bad('it needs a mount and a path');
      return ok({ scheme, raw, mount: parts[0]!, path: parts.slice(1).join('/'), field: field || undefined });
    case 'gcp-sm': {
      const [p, project, s, secret, v, version, ...extra] = parts;
      if (
        p !== 'projects' ||
        s !== 'secrets' ||
        !project ||
        !secret ||
        extra.length ||
        (v !== undefined && v !== 'versions') ||
        (v && !version) ||
        field !== undefined
      )
        return bad('malformed');
      if (![project, secret, version ?? 'latest'].every((x) => SEGMENT.test(x))) return bad('malformed');
      return ok({ scheme, raw, project, secret, version: version ?? 'latest' });
    }
    case 'aws-sm':
      if (parts.length < 2 || !parts.every((p) => p.length > 0) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(parts[0]!))
        return bad('it needs a region such as us-east-1 and a secret id');
      return ok({ scheme, raw, region: parts[0]!, secretId: parts.slice(1).join('/'), field: field || undefined });
    case 'azure-kv':
      if (parts.length !== 2 || !/^[A-Za-z0-9-]{3,24}$/.test(parts[0]!) || !/^[A-Za-z0-9-]{1,127}$/.test(parts[1]!) || field !== undefined)
        return bad('malformed');
      return ok({ scheme, raw, vault: parts[0]!, name: parts[1]! });
    case 'infisical': {
      if (parts.length < 3 || !parts.every((p) => SEGMENT.test(p)) || field !== undefined) return bad('it needs a project, an environment and a name');
      const name = parts[parts.length - 1]!;
      return ok({ scheme, raw, project: parts[0]!, env: parts[1]!, path: `/${parts.slice(2, -1).join('/')}`, name });
    }
  }
}

function splitHash(s: string): [string, string | undefined] {
  const i = s.indexOf('#');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** "from 1Password: op://…", shown in place of a masked tail. */
export function describeReference(value: string): string {
  const parsed = parseReference(value);
  const scheme = parsed.ok ? parsed.ref.scheme : parsed.scheme;
  return `from ${scheme ? SCHEME_LABELS[scheme] : 'a secret manager'}: ${value.trim()}`;
}
