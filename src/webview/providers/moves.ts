/**
 * Reordering as the user sees it: a key's place among its provider's keys of a tier. The same
 * rule the host applies to the settings array, applied here first so a drop lands at once.
 */
import type { KeyRow, Tier } from '../../protocol/providers';

export interface Move {
  keyId: string;
  tier: Tier;
  /** Place among the provider's keys of `tier`, counted without the moved key. */
  index: number;
}

export function slot(keys: readonly KeyRow[], provider: string, tier: Tier): KeyRow[] {
  return keys.filter((k) => k.provider === provider && k.tier === tier);
}

/** The state's key list with the move applied, as the host writes it (see key-edits.ts `moveKey`). */
export function applyMove(keys: readonly KeyRow[], m: Move): KeyRow[] {
  const from = keys.findIndex((k) => k.id === m.keyId);
  if (from < 0) return [...keys];
  const old = keys[from]!;
  const moved: KeyRow = { ...old, tier: m.tier, ...(m.tier === 'fallback' ? { alwaysUse: false } : {}) };
  const same = (k: KeyRow) => k.provider === moved.provider && k.tier === m.tier;
  if (old.tier === m.tier) {
    const positions = keys.flatMap((k, i) => (same(k) ? [i] : []));
    const order = positions.filter((i) => i !== from).map((i) => keys[i]!);
    order.splice(Math.min(m.index, order.length), 0, moved);
    const out = [...keys];
    positions.forEach((p, n) => (out[p] = order[n]!));
    return out;
  }
  const rest = keys.filter((_, i) => i !== from);
  const slots = rest.flatMap((k, i) => (same(k) ? [i] : []));
  const at = m.index < slots.length ? slots[m.index]! : slots.length ? slots[slots.length - 1]! + 1 : Math.min(from, rest.length);
  rest.splice(at, 0, moved);
  return rest;
}

/**
 * One step up or down for the keyboard: within the tier, and across the boundary between
 * Prioritized and Fallback at its ends. Undefined when the key is already at the very end.
 */
export function step(keys: readonly KeyRow[], keyId: string, dir: -1 | 1): Move | undefined {
  const key = keys.find((k) => k.id === keyId);
  if (!key) return undefined;
  const own = slot(keys, key.provider, key.tier);
  const i = own.findIndex((k) => k.id === keyId);
  const j = i + dir;
  if (j >= 0 && j < own.length) return { keyId, tier: key.tier, index: j };
  if (dir === 1 && key.tier === 'prioritized') return { keyId, tier: 'fallback', index: 0 };
  if (dir === -1 && key.tier === 'fallback') return { keyId, tier: 'prioritized', index: slot(keys, key.provider, 'prioritized').length };
  return undefined;
}

/** Where a drop before/after `target` puts the dragged key. */
export function dropMove(keys: readonly KeyRow[], draggedId: string, target: KeyRow | undefined, tier: Tier, after: boolean): Move {
  const provider = keys.find((k) => k.id === draggedId)?.provider;
  const others = slot(keys, provider ?? '', tier).filter((k) => k.id !== draggedId);
  if (!target) return { keyId: draggedId, tier, index: others.length };
  const t = others.findIndex((k) => k.id === target.id);
  return { keyId: draggedId, tier, index: t < 0 ? others.length : t + (after ? 1 : 0) };
}
