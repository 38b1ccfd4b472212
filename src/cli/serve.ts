/**
 * `byok-router serve`: the local OpenAI- and Anthropic-compatible endpoint from a terminal. Caller
 * tokens come from BYOK_ROUTER_TOKEN_<CALLER> or the secrets file's `tokens` map; one banner line
 * names the base URLs; Ctrl-C stops it and aborts whatever is still upstream.
 */
import { bundledCatalog, type GenerationRecord, isReference, Router, type RouterConfig, SecretResolver, UndiciHttpClient } from '../core';
import { routerBackend } from '../serve/router-backend';
import { withWebSearch } from '../serve/web-backend';
import type { EndpointBackend } from '../serve/server';
import { LocalEndpoint } from '../serve/server';
import { generateToken, isTokenShaped, TokenTable } from '../serve/tokens';
import { UsageError } from './secrets';

export function tokenEnvName(caller: string): string {
  return `BYOK_ROUTER_TOKEN_${caller.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Tokens for every configured caller, from the environment first, then the secrets file. */
export function loadTokens(config: RouterConfig, env: NodeJS.ProcessEnv, fileTokens: Record<string, string> = {}): TokenTable {
  const callers = new Set([config.defaultCaller, ...config.callers.map((c) => c.name), ...Object.keys(fileTokens)]);
  const table = new TokenTable();
  for (const caller of callers) {
    const name = tokenEnvName(caller);
    const token = env[name] || fileTokens[caller];
    if (!token) continue;
    // Never echo the value: only where it came from.
    if (!isTokenShaped(token))
      throw new UsageError(
        `the token for caller "${caller}" (${env[name] ? name : 'secrets file'}) is not a brt_ token; make one with \`byok-router serve --new-token\``,
      );
    table.set(caller, token);
  }
  return table;
}

export interface ServeArgs {
  config: RouterConfig;
  /** Built by the CLI as for every command (state file, --activity, one redactor); closed by `closeRouter`. */
  router: Router;
  closeRouter: () => Promise<void>;
  fileTokens?: Record<string, string>;
  port?: string;
  env: NodeJS.ProcessEnv;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Tests stop the server with this instead of SIGINT. */
  signal?: AbortSignal;
  onReady?: (endpoint: LocalEndpoint, router: Router) => void;
  sink?: { append(r: GenerationRecord): void };
}

export function newTokenCommand(out: (s: string) => void): number {
  out(`${generateToken()}\n`);
  return 0;
}

export async function serveCommand(a: ServeArgs): Promise<number> {
  const port = a.port === undefined ? 0 : Number(a.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535 (0 picks a free port), not "${a.port}"`);
  const tokens = loadTokens(a.config, a.env, a.fileTokens);
  if (!tokens.size) {
    throw new UsageError(
      `no caller token: set ${tokenEnvName(a.config.defaultCaller)} (or a "tokens" map in --secrets) to a token from \`byok-router serve --new-token\``,
    );
  }
  const catalog = bundledCatalog();
  const { router } = a;
  const webHttp = new UndiciHttpClient({ connectTimeoutMs: a.config.timeouts.connectMs });
  const endpoint = new LocalEndpoint({
    backend: withCliWebSearch(routerBackend(router), a, router, webHttp),
    tokens: () => tokens,
    catalog: () => catalog,
    port,
    log: (l) => a.err(`${l}\n`),
  });
  try {
    await endpoint.start();
  } catch (e) {
    await a.closeRouter();
    await webHttp.close();
    const code = (e as NodeJS.ErrnoException).code;
    a.err(
      `byok-router: cannot listen on 127.0.0.1:${port}${code === 'EADDRINUSE' ? ' (port in use; --port 0 picks a free one)' : `: ${(e as Error).message}`}\n`,
    );
    return 1;
  }
  a.out(
    `byok-router serving callers ${tokens.callers().join(', ')} — OpenAI base URL ${endpoint.openAIBaseUrl} · Anthropic base URL ${endpoint.anthropicBaseUrl} (Ctrl-C stops)\n`,
  );
  a.onReady?.(endpoint, router);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    a.signal?.addEventListener('abort', stop, { once: true });
    if (a.signal?.aborted) stop();
  });
  await endpoint.close();
  await a.closeRouter();
  await webHttp.close();
  a.err('byok-router: stopped\n');
  return 0;
}

/**
 * OpenRouter's web options at `serve`: BYOK_ROUTER_FIRECRAWL_KEY (a value or a secret-manager
 * reference) answers them; BYOK_ROUTER_WEB_OPENROUTER=1 passes them on to OpenRouter without a
 * key; BYOK_ROUTER_WEB_BYOK_ONLY=1 forbids that.
 */
function withCliWebSearch(backend: EndpointBackend, a: ServeArgs, router: Router, http: UndiciHttpClient): EndpointBackend {
  const raw = a.env.BYOK_ROUTER_FIRECRAWL_KEY?.trim();
  const resolver = new SecretResolver({ env: a.env, redactor: router.redactor });
  const apiKey = async () => {
    if (!raw || !isReference(raw)) return raw || undefined;
    const r = await resolver.resolve(raw);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  return withWebSearch(backend, {
    deps: () => ({
      http,
      timeouts: a.config.timeouts,
      apiKey,
      hasKey: async () => !!raw,
      baseUrl: a.env.BYOK_ROUTER_FIRECRAWL_URL || undefined,
      redactor: router.redactor,
      ...(a.sink ? { sink: a.sink } : {}),
    }),
    policy: () => ({ byokOnly: a.env.BYOK_ROUTER_WEB_BYOK_ONLY === '1', passToOpenRouter: a.env.BYOK_ROUTER_WEB_OPENROUTER === '1' }),
  });
}
