/**
 * "Can this fallback key still be reached?" Always use on a matching prioritized key ends the plan
 * before pooled and fallback routes (docs/ARCHITECTURE.md, Routing rules), whatever its provider. A fallback key is
 * unreachable when, for every model it serves and every caller it accepts, some Always use key
 * matches too. Callers not named anywhere count as one more caller that no caller filter lists.
 */
import { type Catalog, type KeyConfig, keyModelMap, modelFilterMatches, servesModel } from '../../core';

const ANY_OTHER_CALLER = '\u0000other';

function live(k: KeyConfig, now: number): boolean {
  return !k.disabled && !(k.expiresAt && Date.parse(k.expiresAt) <= now);
}

function modelsOf(k: KeyConfig, catalog: Catalog): string[] {
  const map = keyModelMap(k);
  const slugs = new Set([...catalog.slugs(), ...Object.keys(map ?? {})]);
  return [...slugs].filter((s) => servesModel(catalog, k.provider, s, map) && modelFilterMatches(k.filters.models, s));
}

function matches(k: KeyConfig, catalog: Catalog, model: string, caller: string): boolean {
  if (!servesModel(catalog, k.provider, model, keyModelMap(k))) return false;
  if (!modelFilterMatches(k.filters.models, model)) return false;
  return !k.filters.callers || k.filters.callers.includes(caller);
}

/** Fallback key id → why it can never be reached. */
export function unreachableFallbacks(keys: readonly KeyConfig[], catalog: Catalog, callers: readonly string[], now: number): Map<string, string> {
  const out = new Map<string, string>();
  const blockers = keys.filter((k) => k.tier === 'prioritized' && k.alwaysUse && live(k, now));
  if (!blockers.length) return out;
  for (const f of keys) {
    if (f.tier !== 'fallback' || !live(f, now)) continue;
    const models = modelsOf(f, catalog);
    if (!models.length) continue;
    const who = f.filters.callers ?? [...callers, ANY_OTHER_CALLER];
    const used = new Set<string>();
    let covered = true;
    outer: for (const m of models) {
      for (const c of who) {
        const b = blockers.find((p) => matches(p, catalog, m, c));
        if (!b) {
          covered = false;
          break outer;
        }
        used.add(b.name);
      }
    }
    if (covered) {
      const names = [...used].map((n) => `"${n}"`).join(', ');
      out.set(f.id, `Always use on ${names} ends every plan this key could serve before fallback keys are tried`);
    }
  }
  return out;
}
