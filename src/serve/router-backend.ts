/** The endpoint's backend over one core Router: what the CLI serves, and the tests. */
import { type Router, servableSlugs } from '../core';
import type { EndpointBackend } from './server';

export function routerBackend(router: Router, folder?: string): EndpointBackend {
  return {
    generate: (request, opts) => router.generate(request, { ...opts, ...(folder ? { folder } : {}) }),
    models: (caller) => servableSlugs(router, caller),
    plan: (model, caller) => router.explain(model, caller),
  };
}
