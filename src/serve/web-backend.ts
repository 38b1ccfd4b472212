/**
 * OpenRouter's web options at the local endpoint (`:online`, `plugins: [{"id": "web"}]`): answered
 * with the user's Firecrawl key by adding the results as context before the router sees the
 * request (see core/websearch/openrouter-web.ts). A refused option ends the request with the
 * reason, as a generation that failed by policy.
 */
import { randomUUID } from 'node:crypto';
import {
  applyWebOption,
  type ChatRequest,
  type GenerationOutcome,
  routeError,
  type WebApplied,
  webOptionOf,
  type WebPolicy,
  type WebSearchDeps,
} from '../core';
import type { EndpointBackend } from './server';

export interface EndpointWeb {
  /** The Firecrawl key and search plumbing for a caller's requests. */
  deps(caller: string): WebSearchDeps & { hasKey: () => Promise<boolean> };
  policy(caller: string): WebPolicy;
}

export function withWebSearch(backend: EndpointBackend, web: EndpointWeb): EndpointBackend {
  return {
    models: (caller) => backend.models(caller),
    plan: (model, caller) => backend.plan(model, caller),
    async generate(request, opts) {
      const applied = await passedOnOutsideAlwaysUse(
        backend,
        request,
        opts.caller,
        await applyWebOption(request, web.deps(opts.caller), web.policy(opts.caller), {
          surface: 'endpoint:web',
          caller: opts.caller,
          ...(opts.folder ? { folder: opts.folder } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        }),
      );
      if (applied.kind !== 'refused') return backend.generate(applied.request, opts);
      const now = Date.now();
      const outcome: GenerationOutcome = {
        ok: false,
        error: applied.error,
        record: {
          v: 1,
          id: `gen-${randomUUID()}`,
          startedAt: now,
          surface: opts.surface ?? 'endpoint',
          caller: opts.caller,
          ...(opts.folder ? { folder: opts.folder } : {}),
          model: request.model,
          stream: request.stream === true,
          outcome: applied.error.kind === 'cancelled' ? 'cancelled' : 'error',
          errorKind: applied.error.kind,
          errorMessage: applied.error.message,
          plan: [],
          attempts: [],
          latencyMs: 0,
        },
      };
      return outcome;
    },
  };
}

/**
 * An option passed on to OpenRouter goes pooled, so it must not leave a provider the user keeps on
 * their own keys: the base model's plan decides, as it would for the same request without the option.
 */
async function passedOnOutsideAlwaysUse(backend: EndpointBackend, request: ChatRequest, caller: string, applied: WebApplied): Promise<WebApplied> {
  if (applied.kind !== 'openrouter') return applied;
  const base = webOptionOf(request as ChatRequest & { plugins?: unknown })?.model ?? request.model;
  const plan = await backend.plan(base, caller);
  const keys = [...plan.alwaysUse, ...plan.alwaysUseBlocked.map((b) => b.keyName)];
  if (!keys.length) return applied;
  const names = [...new Set(keys)].map((n) => `"${n}"`).join(', ');
  return {
    kind: 'refused',
    error: routeError(
      'policy',
      `the request asks for web search through OpenRouter, but Always use on ${names} keeps ${base} on your own keys; add a Firecrawl key to search with them`,
    ),
  };
}
