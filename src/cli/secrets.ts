/**
 * CLI secrets: environment variables or a JSON file that only its owner can read. Either may hold
 * a secret-manager reference instead of the value; the core's resolver reads it with the user's
 * own tools. Values are handed to the core through the SecretSource port and never printed.
 */
import { statSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_SECRET_TTL_MS, type Redactor, ResolvingSecretSource, secretProblem, SecretResolver, type SecretSource } from '../core';

export function envName(kind: 'KEY' | 'CALLER', id: string): string {
  return `BYOK_ROUTER_${kind}_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const fileSchema = z
  .object({
    keys: z.record(z.string(), z.string()).default({}),
    callers: z.record(z.string(), z.string()).default({}),
    /** `byok-router serve`: caller name → local endpoint token (`brt_…`). */
    tokens: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** Own properties only: an id such as `toString` must not find Object.prototype's function. */
function own(bag: Record<string, unknown>, name: string): string | undefined {
  const v = Object.hasOwn(bag, name) ? bag[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export class CliSecretSource implements SecretSource {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly file: { keys: Record<string, string>; callers: Record<string, string> } = { keys: {}, callers: {} },
  ) {}

  async keySecret(id: string) {
    return this.lookup('KEY', id)?.value;
  }

  async callerSecret(name: string) {
    return this.lookup('CALLER', name)?.value;
  }

  /** The environment and the secrets file are read once per process: values never change. */
  epoch() {
    return 0;
  }

  /** The trimmed value and where it came from (the variable, or the file's entry), never printed. */
  lookup(kind: 'KEY' | 'CALLER', id: string): { value: string; from: string } | undefined {
    const name = envName(kind, id);
    const fromEnv = own(this.env, name)?.trim();
    if (fromEnv) return { value: fromEnv, from: name };
    const fromFile = own(kind === 'KEY' ? this.file.keys : this.file.callers, id)?.trim();
    if (fromFile) return { value: fromFile, from: `--secrets ${kind === 'KEY' ? 'keys' : 'callers'}.${id}` };
    return undefined;
  }

  /**
   * Refuses, before anything is sent, a value with whitespace or control characters inside it
   * and two ids that read the same variable (they would silently share one secret).
   */
  check(keyIds: readonly string[], callers: readonly string[]): void {
    for (const [kind, ids, label] of [
      ['KEY', keyIds, 'keys'],
      ['CALLER', callers, 'callers'],
    ] as const) {
      const seen = new Map<string, string>();
      for (const id of new Set(ids)) {
        const name = envName(kind, id);
        const other = seen.get(name);
        if (other !== undefined) throw new UsageError(`${label} "${other}" and "${id}" both read ${name}; rename one so each has its own secret`);
        seen.set(name, id);
        const found = this.lookup(kind, id);
        const problem = found && secretProblem(found.value);
        if (found && problem) throw new UsageError(`the secret in ${found.from} ${problem}`);
      }
    }
  }
}

/**
 * Resolves references found in the env or the secrets file. The CLI runs where its user chose to
 * run it, so every scheme, env: included, is allowed; BYOK_ROUTER_SECRET_TTL_MS sets the cache time.
 */
export function cliSecrets(raw: SecretSource, env: NodeJS.ProcessEnv, redactor: Redactor): ResolvingSecretSource {
  const ttl = Number(env.BYOK_ROUTER_SECRET_TTL_MS);
  return new ResolvingSecretSource(
    raw,
    new SecretResolver({ env, redactor, ttlMs: () => (Number.isFinite(ttl) && ttl >= 0 && env.BYOK_ROUTER_SECRET_TTL_MS ? ttl : DEFAULT_SECRET_TTL_MS) }),
  );
}

export class UsageError extends Error {}

/** Refuses a secrets file others can read: a shared machine must not leak the user's keys. */
export function loadSecretsFile(path: string): z.infer<typeof fileSchema> {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new UsageError(`secrets file ${path} not found`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new UsageError(`secrets file ${path} has mode ${(mode & 0o777).toString(8)}; run \`chmod 600 ${path}\` first`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UsageError(`secrets file ${path} is not valid JSON`);
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    // Never echo the value: only where the problem is.
    throw new UsageError(`secrets file ${path}: ${issue.path.join('.') || '(root)'}: expected {"keys": {id: value}, "callers": {name: value}}`);
  }
  return r.data;
}
