/**
 * `byokRouter.providerSort`: the order of routes within one tier by price (the key's negotiated
 * price, else the catalog's), by latency or by throughput (the route's last attempts). Routes
 * without a measure keep their configured order after those with one; with no measure at all the
 * configured order stands. Pooled access is one route of its own and is never moved.
 */
import type { Catalog } from '../catalog/types';
import type { ProviderSort } from '../config/policy-schema';
import type { PlannedRoute } from './plan';
import type { RouteStats } from './route-stats';

/** USD per million tokens for a 3:1 input:output mix, so one number ranks offers. */
export function blendedPrice(p: { input: number; output: number }): number {
  return (3 * p.input + p.output) / 4;
}

export function routePrice(route: PlannedRoute, model: string, catalog: Catalog): number | undefined {
  if (route.route === 'pooled') {
    const p = catalog.pooledPrice(model);
    return p ? blendedPrice(p) : undefined;
  }
  const p = route.key.priceOverrides?.[model] ?? catalog.offer(model, route.provider);
  return p ? blendedPrice(p) : undefined;
}

export function sortTier(routes: PlannedRoute[], sort: ProviderSort, model: string, catalog: Catalog, stats: RouteStats): PlannedRoute[] {
  if (sort === 'order' || routes.length < 2) return routes;
  const measure = (r: PlannedRoute): number | undefined => {
    if (r.route === 'pooled') return undefined;
    if (sort === 'price') return routePrice(r, model, catalog);
    const id = `key:${r.key.id}`;
    if (sort === 'latency') return stats.latency(id);
    const t = stats.throughput(id);
    return t === undefined ? undefined : -t; // higher throughput first
  };
  const ranked = routes.map((r, i) => ({ r, i, m: measure(r) }));
  if (ranked.every((x) => x.m === undefined)) return routes;
  ranked.sort((a, b) => {
    if (a.m === undefined || b.m === undefined) return a.m === undefined ? (b.m === undefined ? a.i - b.i : 1) : -1;
    return a.m - b.m || a.i - b.i;
  });
  return ranked.map((x) => x.r);
}
