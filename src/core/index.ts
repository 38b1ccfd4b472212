/**
 * The core's front door: everything the editor (src/vscode, src/extension.ts), the CLI (src/cli)
 * and the local endpoint (src/serve) may use. Those layers import `core` and nothing deeper; the
 * lint rule in eslint.config.mjs keeps it so (docs/ARCHITECTURE.md, "Layers").
 *
 * Plain re-exports only, with no code of its own: a bundle keeps just the modules whose exports
 * it uses (esbuild drops the rest), so importing the index costs no more at load than the deep
 * imports did — as long as a module's top level does no work (a zod schema built at load is
 * work esbuild keeps: the OpenRouter model list's schemas are therefore not exported here). The
 * provider adapters stay behind `Router`; the tokenizer ranks
 * (tokens/openai-tokenizer) are a bundle of their own, loaded on first use, and are not exported.
 */

// Requests, replies, errors, ports.
export * from './chat';
export * from './errors';
export * from './ports';
export * from './reasoning';
export * from './redact';
export * from './text-safety';

// Configuration: the settings' and --config's schema, parsing and its lints.
export * from './config/schema';
export * from './config/parse';
export * from './config/policy-schema';
export * from './config/fallback-lint';

// Routing: the router, its plans, cooldowns and budgets.
export * from './routing/router';
export * from './routing/plan';
export * from './routing/route-label';
export * from './routing/cooldowns';
export * from './routing/cooldown-persistence';
export * from './routing/budgets';
export * from './routing/model-filter';
export * from './routing/servable';

// The model catalog and money.
export * from './catalog/types';
export * from './catalog/catalog';
export * from './accounting/cost';

// The activity log.
export * from './activity/record';
export * from './activity/store';
export * from './activity/query';
export * from './activity/alerts';

// Secrets: references to secret managers and how they are read.
export * from './secrets/reference';
export * from './secrets/resolver';

// Providers as the hosts see them: ids, and testing a key.
export * from './providers/ids';
export * from './providers/validate';

// HTTP: the client port and its undici implementation (undici itself is required on first use).
export * from './http/client';
export * from './http/cancel';
export * from './http/undici';

// Token counts, and web search for requests that ask for it.
export * from './tokens/estimate';
export * from './websearch/search';
export * from './websearch/firecrawl';
export * from './websearch/openrouter-web';
export * from './websearch/expiry';
