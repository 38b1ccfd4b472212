/**
 * Each secret manager's documented interface: the user's own CLI with a fixed argument vector
 * (never a shell), or Vault's HTTP API. Every function returns the secret or a failure naming the
 * scheme with the tool's own message; none ever puts the value in a message.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { undici } from '../http/undici';
import { SCHEME_LABELS, type SecretReference, type SecretScheme } from './reference';

export type SecretFailureKind = 'not_signed_in' | 'denied' | 'not_found' | 'timeout' | 'missing_tool' | 'refused' | 'malformed' | 'failed';

export interface SecretFailure {
  scheme: SecretScheme | undefined;
  kind: SecretFailureKind;
  message: string;
}

export type ResolveResult = { ok: true; value: string } | { ok: false; error: SecretFailure };

export interface ToolContext {
  env: NodeJS.ProcessEnv;
  home: string;
  timeoutMs: number;
}

const CLI: Record<Exclude<SecretScheme, 'vault' | 'env'>, { bin: string; label: string }> = {
  op: { bin: 'op', label: '1Password CLI' },
  'gcp-sm': { bin: 'gcloud', label: 'Google Cloud CLI' },
  'aws-sm': { bin: 'aws', label: 'AWS CLI' },
  'azure-kv': { bin: 'az', label: 'Azure CLI' },
  infisical: { bin: 'infisical', label: 'Infisical CLI' },
};

/** The argument vector each CLI documents for reading one secret. */
export function argvFor(ref: SecretReference): { bin: string; args: string[] } | undefined {
  switch (ref.scheme) {
    case 'op':
      return { bin: 'op', args: ['read', ref.raw] };
    case 'gcp-sm':
      return { bin: 'gcloud', args: ['secrets', 'versions', 'access', ref.version, `--secret=${ref.secret}`, `--project=${ref.project}`] };
    case 'aws-sm':
      return { bin: 'aws', args: ['secretsmanager', 'get-secret-value', '--secret-id', ref.secretId, '--region', ref.region, '--output', 'json'] };
    case 'azure-kv':
      return { bin: 'az', args: ['keyvault', 'secret', 'show', '--vault-name', ref.vault, '--name', ref.name, '--query', 'value', '-o', 'tsv'] };
    case 'infisical':
      return { bin: 'infisical', args: ['secrets', 'get', ref.name, '--env', ref.env, '--path', ref.path, '--projectId', ref.project, '--plain', '--silent'] };
    default:
      return undefined;
  }
}

export async function readReference(ref: SecretReference, ctx: ToolContext): Promise<ResolveResult> {
  if (ref.scheme === 'env') {
    const v = ctx.env[ref.name];
    return v ? { ok: true, value: v } : fail('env', 'not_found', `environment variable ${ref.name} is not set`);
  }
  if (ref.scheme === 'vault') return readVault(ref, ctx);
  const argv = argvFor(ref)!;
  const out = await run(argv.bin, argv.args, ctx);
  const label = CLI[ref.scheme].label;
  if (!out.ok) {
    if (out.reason === 'missing') return fail(ref.scheme, 'missing_tool', `${label} (${argv.bin}) is not installed or not on PATH`);
    if (out.reason === 'timeout') return fail(ref.scheme, 'timeout', `${label} did not answer within ${ctx.timeoutMs} ms`);
    const kind = classify(out.stderr);
    return fail(ref.scheme, kind, `${label} ${KIND_TEXT[kind]}${toolMessage(out.stderr)}`);
  }
  if (ref.scheme === 'aws-sm') return awsValue(ref, out.stdout);
  // op, az and infisical end their output with a newline that is not part of the secret.
  const value = ref.scheme === 'gcp-sm' ? out.stdout : out.stdout.replace(/\r?\n$/, '');
  return value ? { ok: true, value } : fail(ref.scheme, 'not_found', `${label} returned an empty value for ${ref.raw}`);
}

const KIND_TEXT: Record<SecretFailureKind, string> = {
  not_signed_in: 'not signed in',
  denied: 'permission denied',
  not_found: 'found no such secret',
  timeout: 'timed out',
  missing_tool: 'is missing',
  refused: 'refused',
  malformed: 'gave an answer that could not be read',
  failed: 'failed',
};

function classify(stderr: string): SecretFailureKind {
  if (
    /not (currently )?signed in|sign ?in|az login|gcloud auth login|no active account|active account selected|unable to locate credentials|must be logged in|infisical login|expired token|session expired|reauthenticat/i.test(
      stderr,
    )
  )
    return 'not_signed_in';
  if (/permission|denied|forbidden|not authorized|unauthorized|AccessDenied/i.test(stderr)) return 'denied';
  if (/not found|notfound|ResourceNotFound|isn't an item|no item|does not exist|could not find/i.test(stderr)) return 'not_found';
  return 'failed';
}

/** The tool's own words, one paragraph, bounded: they explain what to do better than we can. */
function toolMessage(stderr: string): string {
  const text = stderr.replace(/\s+/g, ' ').trim();
  return text ? `: ${text}` : '';
}

function fail(scheme: SecretScheme | undefined, kind: SecretFailureKind, message: string): ResolveResult {
  return { ok: false, error: { scheme, kind, message } };
}

type RunOutcome = { ok: true; stdout: string } | { ok: false; reason: 'missing' | 'timeout' | 'exit'; stderr: string };

function run(bin: string, args: string[], ctx: ToolContext): Promise<RunOutcome> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { env: ctx.env, timeout: ctx.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, windowsHide: true, shell: false, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, stdout });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (e.code === 'ENOENT') return resolve({ ok: false, reason: 'missing', stderr: '' });
        if (e.killed || e.signal === 'SIGKILL') return resolve({ ok: false, reason: 'timeout', stderr: '' });
        resolve({ ok: false, reason: 'exit', stderr: stderr || e.message.replace(/^Command failed: .*\n?/, '') });
      },
    );
  });
}

function awsValue(ref: Extract<SecretReference, { scheme: 'aws-sm' }>, stdout: string): ResolveResult {
  let secretString: unknown;
  try {
    secretString = (JSON.parse(stdout) as { SecretString?: unknown }).SecretString;
  } catch {
    return fail('aws-sm', 'malformed', 'AWS CLI printed something other than JSON for get-secret-value');
  }
  if (typeof secretString !== 'string')
    return fail('aws-sm', 'malformed', `AWS Secrets Manager secret ${ref.secretId} has no SecretString (binary secrets are not supported)`);
  if (!ref.field) return { ok: true, value: secretString };
  let fields: unknown;
  try {
    fields = JSON.parse(secretString);
  } catch {
    return fail('aws-sm', 'malformed', `AWS Secrets Manager secret ${ref.secretId} is not JSON, so it has no field "${ref.field}"`);
  }
  const v = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>)[ref.field] : undefined;
  if (typeof v !== 'string' || !v) return fail('aws-sm', 'not_found', `AWS Secrets Manager secret ${ref.secretId} has no string field "${ref.field}"`);
  return { ok: true, value: v };
}

/** Vault KV v2 over HTTP: GET $VAULT_ADDR/v1/<mount>/data/<path> with the user's token. */
async function readVault(ref: Extract<SecretReference, { scheme: 'vault' }>, ctx: ToolContext): Promise<ResolveResult> {
  const addr = ctx.env.VAULT_ADDR?.trim();
  if (!addr) return fail('vault', 'failed', 'Vault: VAULT_ADDR is not set');
  let token = ctx.env.VAULT_TOKEN?.trim();
  if (!token) token = (await readFile(join(ctx.home, '.vault-token'), 'utf8').catch(() => '')).trim();
  if (!token) return fail('vault', 'not_signed_in', 'Vault: not signed in (no VAULT_TOKEN and no ~/.vault-token; run `vault login`)');
  const where = `${ref.mount}/data/${ref.path}`;
  let url: string;
  try {
    url = new URL(`v1/${where.split('/').map(encodeURIComponent).join('/')}`, addr.endsWith('/') ? addr : `${addr}/`).toString();
  } catch {
    return fail('vault', 'failed', `Vault: VAULT_ADDR is not a URL`);
  }
  const headers: Record<string, string> = { 'x-vault-token': token, accept: 'application/json' };
  if (ctx.env.VAULT_NAMESPACE) headers['x-vault-namespace'] = ctx.env.VAULT_NAMESPACE;
  const signal = AbortSignal.timeout(ctx.timeoutMs);
  let status: number;
  let text: string;
  try {
    const res = await undici().request(url, { method: 'GET', headers, signal, headersTimeout: ctx.timeoutMs, bodyTimeout: ctx.timeoutMs });
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    if (signal.aborted) return fail('vault', 'timeout', `Vault did not answer within ${ctx.timeoutMs} ms`);
    return fail('vault', 'failed', `Vault: cannot reach VAULT_ADDR (${(e as Error).message})`);
  }
  let body: { errors?: unknown; data?: { data?: Record<string, unknown> | null } } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    /* an error page: the status says enough */
  }
  const said =
    Array.isArray(body.errors) && body.errors.length
      ? `: ${body.errors
          .filter((x) => typeof x === 'string')
          .join('; ')
          .replace(/\s+/g, ' ')
          .trim()}`
      : '';
  if (status === 403) return fail('vault', 'denied', `Vault: permission denied on path ${where}${said}`);
  if (status === 401) return fail('vault', 'not_signed_in', `Vault: not signed in (the token was refused)${said}`);
  if (status === 404) return fail('vault', 'not_found', `Vault: no secret at path ${where}`);
  if (status !== 200) return fail('vault', 'failed', `Vault: HTTP ${status} on path ${where}${said}`);
  const data = body.data?.data;
  if (!data || typeof data !== 'object') return fail('vault', 'malformed', `Vault: path ${where} holds no KV v2 data (is ${ref.mount} a KV version 2 mount?)`);
  const fields = Object.keys(data);
  const field = ref.field ?? (fields.length === 1 ? fields[0] : undefined);
  if (!field) return fail('vault', 'malformed', `Vault: path ${where} has fields ${fields.join(', ')}; name one after # in the reference`);
  const v = data[field];
  if (typeof v !== 'string' || !v) return fail('vault', 'not_found', `Vault: path ${where} has no string field "${field}"`);
  return { ok: true, value: v };
}

export { SCHEME_LABELS };
