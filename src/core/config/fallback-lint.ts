/**
 * Model fallbacks name slugs a route must serve: a slug no catalog entry and no key's model map
 * knows can never be served, so the chain skips it silently. Settings problems and the Providers
 * view's editor both report it with these words.
 */
import { parseConfig, type Diagnostic } from './parse';
import type { RouterConfig } from './schema';

/** Whether some route could serve `slug`: the catalog lists it, or a key maps it to a native model. */
export function servableSlug(slug: string, config: Pick<RouterConfig, 'keys'>, inCatalog: (slug: string) => boolean): boolean {
  if (inCatalog(slug)) return true;
  return config.keys.some((k) => !!k.options.modelMap?.[slug] || !!k.options.deployments?.[slug]);
}

export function unknownSlugMessage(slug: string): string {
  return `model "${slug}" is not in the catalog or any key's model map; no route can serve it`;
}

/** Each model and fallback slug of `modelFallbacks` that nothing can serve, as a warning at its path. */
export function modelFallbackProblems(
  fallbacks: RouterConfig['modelFallbacks'],
  config: Pick<RouterConfig, 'keys'>,
  inCatalog: (slug: string) => boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [model, list] of Object.entries(fallbacks)) {
    const base = `modelFallbacks[${JSON.stringify(model)}]`;
    list.forEach((slug, i) => {
      if (!servableSlug(slug, config, inCatalog)) out.push({ severity: 'warning', path: `${base}[${i}]`, message: unknownSlugMessage(slug) });
    });
  }
  return out;
}

/**
 * An edited `modelFallbacks` value checked as settings parsing checks it (the same messages), then
 * against the catalog. Returns the first problem's text, or undefined when the value is sound.
 */
export function checkModelFallbacks(value: unknown, config: Pick<RouterConfig, 'keys'>, inCatalog: (slug: string) => boolean): string | undefined {
  const parsed = parseConfig({ modelFallbacks: value });
  const shape = parsed.diagnostics.find((d) => d.path.startsWith('modelFallbacks'));
  if (shape) return `${shape.path}: ${shape.message}`;
  const unknown = modelFallbackProblems(parsed.config.modelFallbacks, config, inCatalog)[0];
  return unknown ? `${unknown.path}: ${unknown.message}` : undefined;
}
