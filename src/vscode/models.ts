/** The models the user's keys and pooled access can serve, as the editor's pickers list them. */
import type * as vscode from 'vscode';
import { candidateSlugs, type Catalog, familyOf, keyModelMap } from '../core';
import type { RoutingService } from './folder-routers';
import type { RoutingSettings } from './routing-config';

export interface RoutedModel {
  slug: string;
  name: string;
  family: string;
  contextLength: number;
  maxOutput: number;
  tools: boolean;
  /** Takes images, per the catalog; a model the catalog does not know is not offered images. */
  vision: boolean;
  /** Routes in the plan of the first scope that can serve it. */
  routes: number;
}

/** Models at least one route can serve in `folder` (its caller, its keys and filters). */
export async function servableIn(
  folder: vscode.WorkspaceFolder | undefined,
  routing: RoutingService,
  settings: RoutingSettings,
  catalog: Catalog,
): Promise<RoutedModel[]> {
  const router = routing.routerFor(folder);
  const { config } = settings.forFolder(folder).parsed;
  const out: RoutedModel[] = [];
  await Promise.all(
    candidateSlugs(config, catalog).map(async (slug) => {
      const plan = await router.explain(slug);
      if (!plan.routes.length) return;
      const m = catalog.get(slug);
      out.push({
        slug,
        name: m?.name ?? slug,
        family: m?.family ?? familyOf(slug),
        contextLength: m?.contextLength ?? 128_000,
        maxOutput: m?.maxOutput ?? 16_384,
        tools: m?.tools ?? true,
        vision: m?.vision ?? false,
        routes: plan.routes.length,
      });
    }),
  );
  return out;
}

/** The union over every folder of the window, sorted by name. */
export async function servableModels(routing: RoutingService, settings: RoutingSettings, catalog: Catalog): Promise<RoutedModel[]> {
  const bySlug = new Map<string, RoutedModel>();
  for (const scope of settings.scopes()) {
    for (const m of await servableIn(scope.folder, routing, settings, catalog)) if (!bySlug.has(m.slug)) bySlug.set(m.slug, m);
  }
  return [...bySlug.values()].sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug));
}

/**
 * The model the commands and `@byok` use when none is picked: `byokRouter.defaultModel`, else
 * the first model the folder's first usable key serves, else anything servable.
 */
export async function defaultModel(
  folder: vscode.WorkspaceFolder | undefined,
  routing: RoutingService,
  settings: RoutingSettings,
  catalog: Catalog,
): Promise<string | undefined> {
  const scope = settings.forFolder(folder);
  if (scope.defaultModel) return scope.defaultModel;
  const servable = await servableIn(folder, routing, settings, catalog);
  if (!servable.length) return undefined;
  const slugs = new Set(servable.map((m) => m.slug));
  const keys = [...scope.parsed.config.keys].sort((a, b) => (a.tier === b.tier ? 0 : a.tier === 'prioritized' ? -1 : 1));
  for (const key of keys) {
    const mapped = Object.keys(keyModelMap(key) ?? {}).find((s) => slugs.has(s));
    if (mapped) return mapped;
    const listed = catalog.slugs().find((s) => slugs.has(s) && catalog.offer(s, key.provider));
    if (listed) return listed;
  }
  return servable[0]!.slug;
}
