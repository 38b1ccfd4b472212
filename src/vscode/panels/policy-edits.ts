/**
 * Edits of the routing policy settings as the user wrote them: only the field the panel changes
 * moves, everything else in the object stays as it is. Pure functions; no `vscode` import.
 */
import type { BalanceStrategy, PreferenceField, Preferences } from '../../protocol/providers';
import { isRecord } from '../../core';

type Entry = Record<string, unknown>;

/**
 * `byokRouter.balance` with `provider` set. `order` is the default, so it is removed — unless the
 * value under this one (a folder's user setting) says otherwise, and must be overridden.
 */
export function withBalance(own: unknown, provider: string, strategy: BalanceStrategy, inherited?: unknown): Entry | undefined {
  const out: Entry = isRecord(own) ? { ...own } : {};
  const below = isRecord(inherited) ? inherited[provider] : undefined;
  if (strategy === 'order' && (below === undefined || below === 'order')) delete out[provider];
  else out[provider] = strategy;
  return Object.keys(out).length ? out : undefined;
}

/** `byokRouter.stickiness` with `ttlMs` set; `maxEntries` and anything else stays. */
export function withStickiness(own: unknown, ttlMs: number): Entry {
  return { ...(isRecord(own) ? own : {}), ttlMs };
}

/** `byokRouter.modelFallbacks` with one model's list set, or removed when empty. Order of the other models stays. */
export function withModelFallbacks(base: unknown, model: string, fallbacks: readonly string[] | null): Entry | undefined {
  const out: Entry = isRecord(base) ? { ...base } : {};
  const list = [...new Set((fallbacks ?? []).map((s) => s.trim()).filter((s) => s && s !== model))];
  if (list.length) out[model] = list;
  else delete out[model];
  return Object.keys(out).length ? out : undefined;
}

/**
 * OpenRouter preferences as written, with the fields of `set` replaced (`max_price` field by
 * field) and the `unset` ones removed. Fields the panel does not edit (`allow_fallbacks`,
 * `require_parameters`, `max_price.request`) stay as they are.
 */
export function withPreferences(own: unknown, set: Preferences | undefined, unset: readonly PreferenceField[] = []): Entry | undefined {
  const out: Entry = isRecord(own) ? { ...own } : {};
  const price: Entry = isRecord(out.max_price) ? { ...out.max_price } : {};
  for (const [f, v] of Object.entries(set ?? {})) {
    if (f === 'max_price') Object.assign(price, v);
    else if (Array.isArray(v) && !v.length) delete out[f];
    else if (v !== undefined) out[f] = v;
  }
  for (const f of unset) {
    if (f.startsWith('max_price.')) delete price[f.slice('max_price.'.length)];
    else delete out[f];
  }
  if (Object.keys(price).length) out.max_price = price;
  else delete out.max_price;
  return Object.keys(out).length ? out : undefined;
}

/** A caller entry of a raw `byokRouter.callers` array with `byokOnly` and/or `preferences` changed. */
export function patchCaller(
  list: readonly unknown[],
  name: string,
  patch: { byokOnly?: boolean; preferences?: Preferences; unset?: readonly PreferenceField[] },
): unknown[] {
  const i = list.findIndex((c) => isRecord(c) && c.name === name);
  if (i < 0) throw new Error(`caller "${name}" is not listed in this scope's byokRouter.callers`);
  const entry: Entry = { ...(list[i] as Entry) };
  if (patch.byokOnly !== undefined) {
    if (patch.byokOnly) entry.byokOnly = true;
    else delete entry.byokOnly;
  }
  if (patch.preferences !== undefined || patch.unset?.length) {
    const prefs = withPreferences(entry.preferences, patch.preferences, patch.unset);
    if (prefs) entry.preferences = prefs;
    else delete entry.preferences;
  }
  const out = [...list];
  out[i] = entry;
  return out;
}
