/**
 * The Providers view's state, built from a scope's settings as written, the parsed config, the
 * masked tails and the cooldowns. Every entry of the key list shows up: a valid one as a row, a
 * refused one with its error. Pure; no `vscode` import.
 */
import { type Catalog, type CooldownEntry, type Diagnostic, type KeyConfig, keyRouteId, parseConfig, pooledRouteId, type RouterConfig } from '../../core';
import type { CallerRow, DiagnosticView, InvalidKey, KeyRow, KeyStatus, OverrideMark, ProvidersState, ScopeInfo } from '../../protocol/providers';
import { isRecord } from '../../core';
import { entryId } from '../key-edits';
import { unreachableFallbacks } from './lint';

/** An expiry this close is announced on the key. */
export const EXPIRY_WARNING_MS = 14 * 24 * 60 * 60 * 1000;

export interface ProvidersModelInput {
  scopes: ScopeInfo[];
  scope: ScopeInfo;
  ownKeys: boolean;
  ownCallers: boolean;
  trusted: boolean;
  /** The scope's key list as written: its own, or the user list it inherits. */
  rawKeys: readonly unknown[];
  /** The user-settings list: endpoints live there, and folder entries are compared with it. */
  userKeys: readonly unknown[];
  config: RouterConfig;
  problems: readonly Diagnostic[];
  /** Key id → masked tail; absent or undefined: no value stored. */
  tails: ReadonlyMap<string, string | undefined>;
  callerTails: ReadonlyMap<string, string | undefined>;
  /** Key id or caller name → where a referenced secret lives ("from 1Password: op://…"). */
  sources?: { keys: ReadonlyMap<string, string>; callers: ReadonlyMap<string, string> };
  cooldown: (routeId: string) => CooldownEntry | undefined;
  /** A key's budget this period, when it has one. */
  budget?: (key: KeyConfig) => { ratio: number; text: string } | undefined;
  catalog: Catalog;
  folders: { id: string; name: string; caller: string }[];
  providers: { id: string; label: string; keyUrl?: string }[];
  now: number;
}

function sourceOf(sources: ReadonlyMap<string, string> | undefined, id: string): { source?: string } {
  const source = sources?.get(id);
  return source ? { source: source.slice(0, 600) } : {};
}

export function buildProvidersState(input: ProvidersModelInput): ProvidersState {
  const { config, now } = input;
  const rows: KeyRow[] = [];
  const invalid: InvalidKey[] = [];
  const valid: KeyConfig[] = [];
  const seen = new Set<string>();
  const userById = new Map<string, Record<string, unknown>>();
  for (const e of input.userKeys) {
    const id = entryId(e);
    if (id && isRecord(e)) userById.set(id, e);
  }
  const rawCallers = config.callers.map((c) => ({ ...c }));

  input.rawKeys.forEach((raw, index) => {
    const base = `byokRouter.keys[${index}]`;
    const { config: one, diagnostics } = parseConfig({ keys: [raw], callers: rawCallers });
    const rel = diagnostics.map((d) => ({ ...d, path: d.path.replace(/^keys\[0\]/, base) }));
    const key = one.keys[0];
    const errors = rel.filter((d) => d.severity === 'error');
    if (!key || errors.length) {
      invalid.push(invalidEntry(raw, index, errors.length ? errors : [{ severity: 'error', path: base, message: 'this entry is ignored' }]));
      return;
    }
    if (seen.has(key.id)) {
      invalid.push(invalidEntry(raw, index, [{ severity: 'error', path: `${base}.id`, message: `duplicate key id "${key.id}"; this entry is ignored` }]));
      return;
    }
    seen.add(key.id);
    valid.push(key);
    const warnings = rel.filter((d) => d.severity === 'warning' && !d.path.endsWith('.expiresAt')).map((d) => d.message);
    const userEntry = userById.get(key.id);
    const endpoint = userEntry && isRecord(userEntry.options) && typeof userEntry.options.baseUrl === 'string' ? userEntry.options.baseUrl : undefined;
    const tail = input.tails.get(key.id);
    const budget = key.budget ? input.budget?.(key) : undefined;
    rows.push({
      id: key.id,
      provider: key.provider,
      name: key.name,
      tier: key.tier,
      alwaysUse: key.alwaysUse,
      disabled: key.disabled,
      models: key.filters.models ?? null,
      callers: key.filters.callers ?? null,
      ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
      expiry: expiryOf(key.expiresAt, now),
      ...(tail ? { masked: tail } : {}),
      ...sourceOf(input.sources?.keys, key.id),
      status: keyStatus(key, tail, input.cooldown(keyRouteId(key.id)), now),
      ...(endpoint ? { endpoint } : {}),
      ...markOf(input, raw, userEntry),
      warnings,
      ...(budget ? { budget } : {}),
    });
  });

  const callerNames = [...new Set([config.defaultCaller, ...config.callers.map((c) => c.name), ...input.folders.map((f) => f.caller)])];
  const unreachable = unreachableFallbacks(valid, input.catalog, callerNames, now);
  for (const row of rows) {
    const why = unreachable.get(row.id);
    if (why) row.unreachable = why;
  }

  const callers: CallerRow[] = callerNames.filter(isCallerName).map((name) => {
    const def = config.callers.find((c) => c.name === name);
    const tail = input.callerTails.get(name);
    return {
      name,
      ...(def?.description ? { description: def.description } : {}),
      defined: !!def,
      ...(tail ? { masked: tail } : {}),
      ...sourceOf(input.sources?.callers, name),
      status: callerStatus(tail, input.cooldown(pooledRouteId(name)), now),
    };
  });

  return {
    scopes: input.scopes,
    scope: input.scope.id,
    ownKeys: input.ownKeys,
    ownCallers: input.ownCallers,
    trusted: input.trusted,
    providers: input.providers,
    keys: rows,
    invalid,
    callers,
    caller: config.defaultCaller,
    folders: input.folders,
    pooled: { enabled: config.pooled.enabled, baseUrl: config.pooled.baseUrl },
    // Key entries are shown on their rows; the rest of the scope's problems are listed.
    problems: input.problems.filter((d) => !/^byokRouter\.keys\[\d+\]/.test(d.path) || isIgnoredFolderValue(d)).map(diagnosticView),
    models: input.catalog.slugs(),
    now,
  };
}

function isCallerName(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s);
}

/** Values a folder may not set (destinations, another provider) are not on any row: keep them listed. */
function isIgnoredFolderValue(d: Diagnostic): boolean {
  return d.severity === 'warning' && /user settings only|cannot be sent to another provider|not trusted/.test(d.message);
}

function diagnosticView(d: Diagnostic): DiagnosticView {
  return { severity: d.severity, path: d.path.slice(0, 300), message: d.message.slice(0, 1000) };
}

function invalidEntry(raw: unknown, index: number, errors: Diagnostic[]): InvalidKey {
  const r = isRecord(raw) ? raw : {};
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  const out: InvalidKey = { index, errors: errors.slice(0, 20).map((d) => ({ path: d.path.slice(0, 300), message: d.message.slice(0, 1000) })) };
  const id = str(r.id);
  const name = str(r.name);
  const provider = str(r.provider);
  if (id) out.id = id;
  if (name) out.name = name;
  if (provider) out.provider = provider.slice(0, 100);
  return out;
}

function expiryOf(expiresAt: string | undefined, now: number): KeyRow['expiry'] {
  if (!expiresAt) return 'none';
  const t = Date.parse(expiresAt);
  if (t <= now) return 'passed';
  return t - now <= EXPIRY_WARNING_MS ? 'soon' : 'ok';
}

export function keyStatus(key: KeyConfig, tail: string | undefined, cooldown: CooldownEntry | undefined, now: number): KeyStatus {
  if (key.disabled) return { kind: 'disabled' };
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return { kind: 'expired', detail: `expired on ${key.expiresAt}` };
  if (!tail) return { kind: 'no_secret', detail: 'no value stored for this key; use Rotate to add one' };
  return cooldownStatus(cooldown, now);
}

function callerStatus(tail: string | undefined, cooldown: CooldownEntry | undefined, now: number): KeyStatus {
  if (!tail) return { kind: 'no_secret', detail: 'no OpenRouter key: pooled access is skipped for this caller' };
  return cooldownStatus(cooldown, now);
}

function cooldownStatus(cooldown: CooldownEntry | undefined, now: number): KeyStatus {
  if (cooldown?.kind === 'auth') return { kind: 'auth', detail: cooldown.reason.slice(0, 1000) };
  if (cooldown && cooldown.until > now) return { kind: 'cooldown', until: cooldown.until, detail: cooldown.reason.slice(0, 1000) };
  return { kind: 'healthy' };
}

function markOf(input: ProvidersModelInput, raw: unknown, userEntry: Record<string, unknown> | undefined): { mark?: OverrideMark } {
  if (input.scope.kind === 'user') return {};
  if (!input.ownKeys) return { mark: 'inherited' };
  if (!userEntry) return { mark: 'added' };
  return { mark: sameJson(raw, userEntry) ? 'same' : 'changed' };
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
