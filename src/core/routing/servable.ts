/** Which model slugs a caller can be served, for model pickers and `GET /v1/models`. */
import type { Catalog } from '../catalog/types';
import type { RouterConfig } from '../config/schema';
import { keyModelMap } from './plan';
import type { Plan } from './plan';

/** Slugs worth planning: the catalog's, plus any a key's model map or Azure deployments add. */
export function candidateSlugs(config: RouterConfig, catalog: Catalog): string[] {
  const slugs = new Set(catalog.slugs());
  for (const k of config.keys) for (const slug of Object.keys(keyModelMap(k) ?? {})) slugs.add(slug);
  return [...slugs];
}

/** The candidate slugs whose plan for `caller` has at least one route, in candidate order. */
export async function servableSlugs(
  router: { config: RouterConfig; catalog: Catalog; explain(model: string, caller?: string): Promise<Plan> },
  caller: string,
): Promise<string[]> {
  const slugs = candidateSlugs(router.config, router.catalog);
  const plans = await Promise.all(slugs.map((slug) => router.explain(slug, caller)));
  return slugs.filter((_, i) => plans[i]!.routes.length > 0);
}
