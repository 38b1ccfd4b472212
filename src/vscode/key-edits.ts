/**
 * Every edit of a scope's raw `byokRouter.keys` array — from the Providers view and from the key
 * commands alike — as the user wrote it: entries are found by id,
 * fields the user never set stay unset, and entries the parser refuses are carried along
 * untouched — an edit in the panel must not erase a half-typed entry from settings.json.
 * Pure functions returning a new array; no `vscode` import.
 */
import { isRecord, keySchema, type KeyConfig, type ProviderId } from '../core';
import type { KeyPatch, Tier } from '../protocol/providers';

type Entry = Record<string, unknown>;

export function entryId(v: unknown): string | undefined {
  return isRecord(v) && typeof v.id === 'string' ? v.id : undefined;
}

export function indexOfKey(list: readonly unknown[], id: string): number {
  return list.findIndex((e) => entryId(e) === id);
}

function requireIndex(list: readonly unknown[], id: string): number {
  const i = indexOfKey(list, id);
  if (i < 0) throw new Error(`no key with id "${id}" in this scope's settings`);
  return i;
}

/** Endpoint patches go to the user entry through `setEndpoint`; everything else lands here. */
export type EntryPatch = Omit<KeyPatch, 'endpoint'>;

export function patchKey(list: readonly unknown[], id: string, patch: EntryPatch): unknown[] {
  const i = requireIndex(list, id);
  const entry: Entry = { ...(list[i] as Entry) };
  if (patch.name !== undefined) entry.name = patch.name.trim();
  if (patch.alwaysUse !== undefined) setFlag(entry, 'alwaysUse', patch.alwaysUse);
  if (patch.disabled !== undefined) setFlag(entry, 'disabled', patch.disabled);
  if (patch.expiresAt !== undefined) {
    if (patch.expiresAt === null) delete entry.expiresAt;
    else entry.expiresAt = patch.expiresAt;
  }
  if (patch.weight !== undefined) {
    if (patch.weight === null) delete entry.weight;
    else entry.weight = patch.weight;
  }
  if (patch.models !== undefined || patch.callers !== undefined) {
    const filters: Entry = isRecord(entry.filters) ? { ...entry.filters } : {};
    for (const field of ['models', 'callers'] as const) {
      const v = patch[field];
      if (v === undefined) continue;
      if (v === null) delete filters[field];
      else filters[field] = [...new Set(v)];
    }
    if (Object.keys(filters).length) entry.filters = filters;
    else delete entry.filters;
  }
  if (entry.alwaysUse === true && entry.tier === 'fallback') throw new Error('"Always use" applies to prioritized keys only');
  const out = [...list];
  out[i] = entry;
  return out;
}

/** A false flag is the default: leave it out rather than writing `"disabled": false`. */
function setFlag(entry: Entry, field: 'alwaysUse' | 'disabled', on: boolean) {
  if (on) entry[field] = true;
  else delete entry[field];
}

function sameSlot(e: unknown, provider: string, tier: Tier): boolean {
  return isRecord(e) && e.provider === provider && e.tier === tier;
}

/**
 * Puts key `id` at place `index` among its provider's keys of `tier` (counted without it). Within
 * a tier the provider's keys trade places among the positions they already hold, so no other
 * key moves relative to any other (the plan orders providers by array position too). Moving to
 * the other tier puts the key next to that tier's keys, and turns Always use off, which only
 * prioritized keys may have.
 */
export function moveKey(list: readonly unknown[], id: string, tier: Tier, index: number): unknown[] {
  const from = requireIndex(list, id);
  const entry: Entry = { ...(list[from] as Entry), tier };
  if (tier === 'fallback') delete entry.alwaysUse;
  const provider = entry.provider;
  if (typeof provider !== 'string') throw new Error(`key "${id}" has no provider`);
  if ((list[from] as Entry).tier === tier) {
    const positions = list.flatMap((e, i) => (sameSlot(e, provider, tier) ? [i] : []));
    const order = positions.filter((i) => i !== from).map((i) => list[i]);
    order.splice(Math.min(index, order.length), 0, entry);
    const out = [...list];
    positions.forEach((p, n) => (out[p] = order[n]));
    return out;
  }
  const rest = list.filter((_, i) => i !== from);
  const slots = rest.flatMap((e, i) => (sameSlot(e, provider, tier) ? [i] : []));
  let at: number;
  if (index < slots.length) at = slots[index]!;
  else if (slots.length) at = slots[slots.length - 1]! + 1;
  else at = Math.min(from, rest.length);
  rest.splice(at, 0, entry);
  return rest;
}

/** The list without key `id` (the `byokRouter.removeKey` command and the view's delete both end here). */
export function withoutKey(list: readonly unknown[], id: string): unknown[] {
  const i = requireIndex(list, id);
  return list.filter((_, j) => j !== i);
}

/** New keys go after the last key of the same provider and tier, or at the end. */
export function appendKey(list: readonly unknown[], entry: Entry): unknown[] {
  const id = entryId(entry);
  if (id && indexOfKey(list, id) >= 0) throw new Error(`a key with id "${id}" already exists in this scope`);
  const provider = String(entry.provider);
  const tier = entry.tier as Tier;
  let last = -1;
  list.forEach((e, i) => {
    if (sameSlot(e, provider, tier)) last = i;
  });
  const out = [...list];
  out.splice(last < 0 ? out.length : last + 1, 0, entry);
  return out;
}

/** Sets or clears `options.baseUrl` of a user-settings entry. */
export function setEndpoint(list: readonly unknown[], id: string, url: string | null): unknown[] {
  const i = requireIndex(list, id);
  const entry: Entry = { ...(list[i] as Entry) };
  const options: Entry = isRecord(entry.options) ? { ...entry.options } : {};
  if (url === null) delete options.baseUrl;
  else options.baseUrl = url;
  if (Object.keys(options).length) entry.options = options;
  else delete entry.options;
  const out = [...list];
  out[i] = entry;
  return out;
}

/** A key being added: its id is chosen from the provider and name when absent. */
export interface NewKeyEntry {
  provider: ProviderId;
  name: string;
  tier: Tier;
  alwaysUse?: boolean;
  filters?: KeyConfig['filters'];
  options?: KeyConfig['options'];
  id?: string;
}

/**
 * Adds a key the one way both the commands and the Providers view do: an id no scope uses yet
 * (`taken`), only the fields that were set, checked against the settings schema, and placed
 * after the last key of the same provider and tier.
 */
export function addKeyEntry(list: readonly unknown[], key: NewKeyEntry, taken: ReadonlySet<string>): { id: string; list: unknown[] } {
  const id = key.id ?? uniqueKeyId(`${key.provider}-${key.name.trim()}`, taken);
  if (taken.has(id)) throw new Error(`a key with id "${id}" already exists`);
  const entry: Entry = { id, provider: key.provider, name: key.name.trim(), tier: key.tier };
  if (key.alwaysUse) entry.alwaysUse = true;
  if (key.filters && (key.filters.models || key.filters.callers)) entry.filters = key.filters;
  if (key.options && Object.keys(key.options).length) entry.options = key.options;
  const checked = keySchema.safeParse(entry);
  if (!checked.success) throw new Error(`invalid key: ${checked.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; ')}`);
  return { id, list: appendKey(list, entry) };
}

/** A key id not used by any scope: `openai-work`, `openai-work-2`, … */
export function uniqueKeyId(base: string, taken: ReadonlySet<string>): string {
  const slug =
    base
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|-+$/g, '')
      .slice(0, 56) || 'key';
  if (!taken.has(slug)) return slug;
  for (let n = 2; ; n++) if (!taken.has(`${slug}-${n}`)) return `${slug}-${n}`;
}

/** Appends or removes a caller entry of a raw `byokRouter.callers` array. */
export function addCaller(list: readonly unknown[], name: string): unknown[] {
  if (list.some((c) => isRecord(c) && c.name === name)) throw new Error(`caller "${name}" already exists`);
  return [...list, { name }];
}

export function removeCaller(list: readonly unknown[], name: string): unknown[] {
  return list.filter((c) => !(isRecord(c) && c.name === name));
}
