/**
 * The keys that could serve a model, worked out once per configuration and model instead of on
 * every plan: provider order, disabled keys, the catalog and model filters do not change between
 * two requests, so a plan over thousands of keys only walks the few that serve its model.
 * The index lives as long as its configuration object: a settings change brings a new one.
 */
import { servesModel } from '../catalog/catalog';
import type { Catalog } from '../catalog/types';
import type { KeyConfig, RouterConfig } from '../config/schema';
import { modelFilterMatches } from './model-filter';

/** A key that serves the model by catalog or model map and passes its model filter. */
export interface Candidate {
  key: KeyConfig;
  nativeModel: string;
  /** Epoch ms of `expiresAt`; NaN without one. */
  expiry: number;
}

/** Distinct models indexed per configuration; request models come from callers, so they are bounded. */
export const MAX_INDEXED_MODELS = 1_000;

interface ConfigIndex {
  catalog: Catalog;
  sorted: readonly KeyConfig[];
  /** Every key's expiry, ascending: a key expiring changes how plans explain it, served or not. */
  expiries: readonly number[];
  byModel: Map<string, readonly Candidate[]>;
}

const indexes = new WeakMap<RouterConfig, ConfigIndex>();

/** Azure deployments name slugs just like modelMap; both make a key serve a model. */
export function keyModelMap(key: KeyConfig): Record<string, string> | undefined {
  const { modelMap, deployments } = key.options;
  if (!deployments) return modelMap;
  return { ...deployments, ...modelMap };
}

function indexOf(config: RouterConfig, catalog: Catalog): ConfigIndex {
  let ix = indexes.get(config);
  if (!ix || ix.catalog !== catalog) {
    const expiries = config.keys.flatMap((k) => (k.expiresAt ? [Date.parse(k.expiresAt)] : [])).sort((a, b) => a - b);
    indexes.set(config, (ix = { catalog, sorted: orderKeys(config), expiries, byModel: new Map() }));
  }
  return ix;
}

/** Keys in plan order: by `providerOrder`, each provider's keys in their configured order. */
function orderKeys(config: RouterConfig): readonly KeyConfig[] {
  if (!config.providerOrder.length) return config.keys;
  const rank = (p: string) => {
    const i = config.providerOrder.indexOf(p);
    return i < 0 ? config.providerOrder.length : i;
  };
  // Stable sort keeps each tier's configured key order within a provider.
  return config.keys
    .map((key, index) => ({ key, index }))
    .sort((a, b) => rank(a.key.provider) - rank(b.key.provider) || a.index - b.index)
    .map((k) => k.key);
}

export function sortedKeys(config: RouterConfig, catalog: Catalog): readonly KeyConfig[] {
  return indexOf(config, catalog).sorted;
}

/** The first time after `now` at which a key of this configuration expires; Infinity if none will. */
export function nextExpiry(config: RouterConfig, catalog: Catalog, now: number): number {
  for (const t of indexOf(config, catalog).expiries) if (t > now) return t;
  return Infinity;
}

/** The enabled keys that serve `model` and whose model filter matches it, in plan order. */
export function candidatesFor(config: RouterConfig, catalog: Catalog, model: string): readonly Candidate[] {
  const ix = indexOf(config, catalog);
  let list = ix.byModel.get(model);
  if (list) return list;
  const out: Candidate[] = [];
  for (const key of ix.sorted) {
    if (key.disabled) continue;
    const served = servesModel(catalog, key.provider, model, keyModelMap(key));
    if (!served || !modelFilterMatches(key.filters.models, model)) continue;
    out.push({ key, nativeModel: served.nativeId, expiry: key.expiresAt ? Date.parse(key.expiresAt) : NaN });
  }
  list = out;
  if (ix.byModel.size >= MAX_INDEXED_MODELS) ix.byModel.delete(ix.byModel.keys().next().value!);
  ix.byModel.set(model, list);
  return list;
}

/** How many models the configuration's index holds, for the bounds test and the memory run. */
export function indexedModels(config: RouterConfig): number {
  return indexes.get(config)?.byModel.size ?? 0;
}
