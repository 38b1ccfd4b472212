/**
 * Which routing settings a folder may set. User settings are the defaults and a folder's settings
 * override them, except where a request is sent and which headers ride along: those come from
 * user settings only, so a repository cannot send a stored key to a host of its choosing. In an
 * untrusted workspace every folder routing setting is ignored.
 *
 * Pure: fed with `WorkspaceConfiguration.inspect()` results, testable without an editor.
 */
import { cooldownSchema, type Diagnostic, feeSchema, isRecord, pooledSchema, timeoutsSchema } from '../core';

const SECTION_SCHEMAS: Partial<
  Record<RoutingSetting, { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }>
> = {
  pooled: pooledSchema,
  timeouts: timeoutsSchema,
  cooldown: cooldownSchema,
  fees: feeSchema,
};

/** The `byokRouter.*` settings that make up the core's RouterConfig, and the field each becomes. */
export const ROUTING_SETTINGS = {
  keys: 'keys',
  callers: 'callers',
  caller: 'defaultCaller',
  pooled: 'pooled',
  providerOrder: 'providerOrder',
  timeouts: 'timeouts',
  cooldown: 'cooldown',
  fees: 'fees',
  modelFallbacks: 'modelFallbacks',
  stickiness: 'stickiness',
  balance: 'balance',
  providerSort: 'providerSort',
  budget: 'budget',
  alerts: 'alerts',
} as const;

export type RoutingSetting = keyof typeof ROUTING_SETTINGS;

export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Key options that decide the destination or add headers. */
export const DESTINATION_OPTIONS = ['baseUrl', 'resource', 'tokenUrl', 'headers'] as const;
/** Pooled fields of the same kind. */
export const POOLED_DESTINATION = ['baseUrl', 'headers'] as const;

/** Objects whose fields a folder may override one by one, as VS Code merges object settings. */
const MERGED = new Set<RoutingSetting>(['pooled', 'timeouts', 'cooldown', 'fees', 'stickiness', 'balance', 'alerts']);

export interface EffectiveRouting {
  /** Input for `parseConfig`. */
  raw: Record<string, unknown>;
  /** Folder values that were not honoured, with the reason. */
  ignored: Diagnostic[];
}

export interface RoutingContext {
  trusted: boolean;
  /** Key id → provider its stored secret belongs to (see SecretVault). */
  boundProviders: Readonly<Record<string, string>>;
}

export function effectiveRouting(inspected: Record<RoutingSetting, Inspected | undefined>, ctx: RoutingContext): EffectiveRouting {
  const raw: Record<string, unknown> = {};
  const ignored: Diagnostic[] = [];
  const warn = (path: string, message: string) => ignored.push({ severity: 'warning', path, message });

  for (const setting of Object.keys(ROUTING_SETTINGS) as RoutingSetting[]) {
    const i = inspected[setting] ?? {};
    const user = i.globalValue;
    const local = i.workspaceFolderValue !== undefined ? i.workspaceFolderValue : i.workspaceValue;
    const field = ROUTING_SETTINGS[setting];
    let value: unknown = user;
    if (local !== undefined) {
      if (!ctx.trusted) {
        warn(`byokRouter.${setting}`, 'the workspace is not trusted, so its value is ignored and your user setting applies');
      } else if (setting === 'keys') {
        value = Array.isArray(local) ? folderKeys(local, user, ctx, warn) : local;
      } else if (setting === 'pooled') {
        value = merge(user, withUserDestination(local, user, POOLED_DESTINATION, 'byokRouter.pooled', warn));
      } else {
        value = MERGED.has(setting) ? merge(user, local) : local;
      }
      // A folder value that breaks a merged section is dropped alone: the user's section stands,
      // rather than the whole section falling back to defaults (a default pooled endpoint).
      const schema = SECTION_SCHEMAS[setting];
      if (schema && value !== user && !schema.safeParse(value ?? {}).success && schema.safeParse(user ?? {}).success) {
        const problem = schema.safeParse(value ?? {}).error?.issues[0];
        const where = problem?.path.length ? `${problem.path.join('.')}: ` : '';
        warn(
          `byokRouter.${setting}`,
          `the folder's value is invalid (${where}${problem?.message ?? 'wrong shape'}), so it is ignored; your user setting applies`,
        );
        value = user;
      }
    }
    if (value !== undefined) raw[field] = value;
  }
  return { raw, ignored };
}

/**
 * A folder's key list, with every destination option replaced by the user-level key of the same id
 * (or removed), and keys that claim another provider than the one their secret was stored for
 * dropped: an id names a secret, and the secret must only ever reach its own provider.
 */
function folderKeys(local: unknown[], user: unknown, ctx: RoutingContext, warn: (path: string, message: string) => void): unknown[] {
  const userKeys = new Map<string, Record<string, unknown>>();
  if (Array.isArray(user)) for (const k of user) if (isRecord(k) && typeof k.id === 'string') userKeys.set(k.id, k);
  const out: unknown[] = [];
  local.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.id !== 'string') return void out.push(entry); // the parser reports it
    const path = `byokRouter.keys[${i}]`;
    const userKey = userKeys.get(entry.id);
    const expected = (userKey && typeof userKey.provider === 'string' ? userKey.provider : undefined) ?? ctx.boundProviders[entry.id];
    if (expected !== undefined && entry.provider !== expected) {
      warn(
        `${path}.provider`,
        `key "${entry.id}" is a ${expected} key in your user settings, but this folder says ${JSON.stringify(entry.provider)}; the folder's entry is ignored so the key cannot be sent to another provider`,
      );
      return;
    }
    const options = withUserDestination(entry.options ?? {}, userKey?.options, DESTINATION_OPTIONS, `${path}.options`, warn);
    out.push({ ...entry, options });
  });
  return out;
}

function withUserDestination(local: unknown, user: unknown, fields: readonly string[], path: string, warn: (path: string, message: string) => void): unknown {
  if (!isRecord(local)) return local;
  const userRecord = isRecord(user) ? user : {};
  const out: Record<string, unknown> = { ...local };
  for (const f of fields) {
    if (f in local && !sameJson(local[f], userRecord[f])) {
      warn(`${path}.${f}`, "where requests are sent and which headers they carry come from user settings only; the folder's value is ignored");
    }
    // Leaving a field out is a choice of destination too: the user's value stands either way.
    if (f in userRecord) out[f] = userRecord[f];
    else delete out[f];
  }
  return out;
}

function merge(user: unknown, local: unknown): unknown {
  if (isRecord(user) && isRecord(local)) return { ...user, ...local };
  return local;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isRecord(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}
