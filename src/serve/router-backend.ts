/** The endpoint's backend over one core Router: what the CLI serves, and the tests. */
import type { Router } from '../core';
import type { EndpointBackend } from './server';

export function routerBackend(router: Router, folder?: string): EndpointBackend {
  return {
    generate: (request, opts) => router.generate(request, { ...opts, ...(folder ? { folder } : {}) }),
    async models(caller) {
      const out: string[] = [];
      for (const slug of router.catalog.slugs()) {
        const plan = await router.explain(slug, caller);
        if (plan.routes.length) out.push(slug);
      }
      return out;
    },
  };
}
