/**
 * Tolerant config parsing: every invalid entry becomes a diagnostic naming its path, and the valid
 * rest keeps working — a typo in one key must not take the user's other keys down.
 */
import { z } from 'zod';
import { compileGlob } from '../routing/glob';
import {
  callerSchema,
  cooldownSchema,
  feeSchema,
  keySchema,
  limitsSchema,
  pooledSchema,
  timeoutsSchema,
  type CallerConfig,
  type KeyConfig,
  type RouterConfig,
} from './schema';
import { alertsSchema, balanceSchema, budgetSchema, modelFallbacksSchema, providerSortSchema, stickinessSchema } from './policy-schema';

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** `keys[2].tier` */
  path: string;
  message: string;
}

export interface ParsedConfig {
  config: RouterConfig;
  diagnostics: Diagnostic[];
}

export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.path}: ${d.message}`;
}

function issues(base: string, error: z.ZodError): Diagnostic[] {
  return error.issues.map((i) => ({ severity: 'error' as const, path: formatPath(base, i.path), message: i.message }));
}

/** Parse one section with its schema; on failure fall back to the schema's defaults. */
function section<T extends z.ZodType>(schema: T, raw: unknown, name: string, out: Diagnostic[]): z.infer<T> {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  out.push(...issues(name, r.error));
  return schema.parse({});
}

/** A plain JSON object (not null, not an array): what settings and wire bodies are read as. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KNOWN_TOP = new Set([
  'keys',
  'callers',
  'defaultCaller',
  'pooled',
  'providerOrder',
  'timeouts',
  'cooldown',
  'fees',
  'limits',
  '$schema',
  'modelFallbacks',
  'stickiness',
  'balance',
  'providerSort',
  'budget',
  'alerts',
]);

export function parseConfig(raw: unknown): ParsedConfig {
  const diagnostics: Diagnostic[] = [];
  const root = isRecord(raw) ? raw : {};
  if (!isRecord(raw) && raw !== undefined) {
    diagnostics.push({ severity: 'error', path: '(root)', message: 'expected a JSON object' });
  }
  for (const k of Object.keys(root)) {
    if (!KNOWN_TOP.has(k)) diagnostics.push({ severity: 'warning', path: k, message: 'unknown setting, ignored' });
  }

  const { callers, callerNames } = parseCallers(root.callers, diagnostics);
  const keys = parseKeys(root.keys, callerNames, diagnostics);

  let defaultCaller = 'default';
  if (root.defaultCaller !== undefined) {
    if (typeof root.defaultCaller === 'string' && root.defaultCaller) defaultCaller = root.defaultCaller;
    else diagnostics.push({ severity: 'error', path: 'defaultCaller', message: 'expected a caller name' });
  }

  let providerOrder: string[] = [];
  if (root.providerOrder !== undefined) {
    const r = z.array(z.string()).safeParse(root.providerOrder);
    if (r.success) providerOrder = r.data;
    else diagnostics.push({ severity: 'error', path: 'providerOrder', message: 'expected an array of provider ids' });
  }

  const config: RouterConfig = {
    keys,
    callers,
    defaultCaller,
    providerOrder,
    pooled: section(pooledSchema, root.pooled, 'pooled', diagnostics),
    timeouts: section(timeoutsSchema, root.timeouts, 'timeouts', diagnostics),
    cooldown: section(cooldownSchema, root.cooldown, 'cooldown', diagnostics),
    fees: section(feeSchema, root.fees, 'fees', diagnostics),
    limits: section(limitsSchema, root.limits, 'limits', diagnostics),
    ...policySections(root, diagnostics),
  };
  if (config.timeouts.firstByteMs > config.timeouts.totalMs) {
    diagnostics.push({ severity: 'warning', path: 'timeouts.firstByteMs', message: 'is longer than timeouts.totalMs; the total timeout wins' });
  }
  return { config, diagnostics };
}

/**
 * The entries of the list at `path` that parse, each `id` once; the rest become diagnostics.
 * `accept` may refuse a parsed entry (saying why) or add warnings about it.
 */
function parseList<T>(
  raw: unknown,
  path: 'callers' | 'keys',
  schema: z.ZodType<T>,
  id: { field: string; noun: string; of: (entry: T) => string },
  diagnostics: Diagnostic[],
  accept: (entry: T, at: string) => boolean = () => true,
): T[] {
  const entries: T[] = [];
  const seen = new Set<string>();
  const list = raw ?? [];
  if (!Array.isArray(list)) {
    diagnostics.push({ severity: 'error', path, message: `expected an array of ${path}` });
    return entries;
  }
  list.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const r = schema.safeParse(item);
    if (!r.success) return void diagnostics.push(...issues(at, r.error));
    const value = id.of(r.data);
    if (seen.has(value)) {
      return void diagnostics.push({ severity: 'error', path: `${at}.${id.field}`, message: `duplicate ${id.noun} "${value}"; this entry is ignored` });
    }
    if (!accept(r.data, at)) return;
    seen.add(value);
    entries.push(r.data);
  });
  return entries;
}

/** The callers that parse, each name once; the rest become diagnostics. */
function parseCallers(raw: unknown, diagnostics: Diagnostic[]): { callers: CallerConfig[]; callerNames: Set<string> } {
  const callers = parseList(raw, 'callers', callerSchema, { field: 'name', noun: 'caller', of: (c) => c.name }, diagnostics);
  return { callers, callerNames: new Set(callers.map((c) => c.name)) };
}

/** The keys that parse, each id once and with valid model patterns; the rest become diagnostics. */
function parseKeys(raw: unknown, callerNames: ReadonlySet<string>, diagnostics: Diagnostic[]): KeyConfig[] {
  return parseList(raw, 'keys', keySchema, { field: 'id', noun: 'key id', of: (k) => k.id }, diagnostics, (key, at) => {
    const badGlob = (key.filters.models ?? []).findIndex((p) => !isValidGlob(p));
    if (badGlob >= 0) {
      diagnostics.push({
        severity: 'error',
        path: `${at}.filters.models[${badGlob}]`,
        message: `invalid model pattern ${JSON.stringify(key.filters.models![badGlob])}; this key is ignored`,
      });
      return false;
    }
    (key.filters.callers ?? []).forEach((c, j) => {
      if (!callerNames.has(c)) {
        diagnostics.push({
          severity: 'warning',
          path: `${at}.filters.callers[${j}]`,
          message: `caller "${c}" is not defined in callers; no request can match it`,
        });
      }
    });
    if (key.expiresAt && Date.parse(key.expiresAt) < Date.now()) {
      diagnostics.push({ severity: 'warning', path: `${at}.expiresAt`, message: `key "${key.name}" expired on ${key.expiresAt}` });
    }
    return true;
  });
}

/** Policy settings: each one that does not parse falls back to its default, with a diagnostic. */
function policySections(root: Record<string, unknown>, diagnostics: Diagnostic[]) {
  const one = <T extends z.ZodType>(schema: T, raw: unknown, name: string, fallback: z.infer<T>): z.infer<T> => {
    if (raw === undefined) return schema.parse(undefined) ?? fallback;
    const r = schema.safeParse(raw);
    if (r.success) return r.data;
    diagnostics.push(...issues(name, r.error));
    return fallback;
  };
  const budget = root.budget === undefined ? undefined : one(budgetSchema.optional(), root.budget, 'budget', undefined);
  return {
    modelFallbacks: one(modelFallbacksSchema, root.modelFallbacks, 'modelFallbacks', {}),
    stickiness: one(stickinessSchema, root.stickiness, 'stickiness', { ttlMs: 10 * 60_000, maxEntries: 1_000 }),
    balance: one(balanceSchema, root.balance, 'balance', {}),
    providerSort: one(providerSortSchema.default('order'), root.providerSort, 'providerSort', 'order' as const),
    alerts: one(alertsSchema, root.alerts, 'alerts', { dailySpikeFactor: 3 }),
    ...(budget ? { budget } : {}),
  };
}

/** A pattern a user typed must balance its brackets and compile to a bounded, linear-time matcher. */
function isValidGlob(p: string): boolean {
  if (!/^[\w.*?@:/[\]{},!+-]+$/.test(p)) return false;
  let square = 0;
  let curly = 0;
  for (const ch of p) {
    if (ch === '[') square++;
    else if (ch === ']') square--;
    else if (ch === '{') curly++;
    else if (ch === '}') curly--;
    if (square < 0 || curly < 0 || square > 1) return false;
  }
  if (square || curly) return false;
  try {
    compileGlob(p);
    return true;
  } catch {
    return false;
  }
}
