/**
 * `byok-router serve`: the local OpenAI- and Anthropic-compatible endpoint from a terminal. Caller
 * tokens come from BYOK_ROUTER_TOKEN_<CALLER> or the secrets file's `tokens` map; one banner line
 * names the base URLs; Ctrl-C stops it and aborts whatever is still upstream.
 */
import { bundledCatalog } from '../core/catalog/catalog';
import type { RouterConfig } from '../core/config/schema';
import type { GenerationRecord } from '../core/activity/record';
import { Router } from '../core/routing/router';
import { routerBackend } from '../serve/router-backend';
import { LocalEndpoint } from '../serve/server';
import { generateToken, isTokenShaped, TokenTable } from '../serve/tokens';
import { UsageError } from './secrets';
import type { SecretSource } from '../core/ports';

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
    if (!isTokenShaped(token)) throw new UsageError(`the token for caller "${caller}" (${env[name] ? name : 'secrets file'}) is not a brt_ token; make one with \`byok-router serve --new-token\``);
    table.set(caller, token);
  }
  return table;
}

export interface ServeArgs {
  config: RouterConfig;
  secrets: SecretSource;
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
    throw new UsageError(`no caller token: set ${tokenEnvName(a.config.defaultCaller)} (or a "tokens" map in --secrets) to a token from \`byok-router serve --new-token\``);
  }
  const catalog = bundledCatalog();
  const router = new Router({ config: a.config, catalog, secrets: a.secrets, ...(a.sink ? { sink: a.sink } : {}) });
  const endpoint = new LocalEndpoint({
    backend: routerBackend(router),
    tokens: () => tokens,
    catalog: () => catalog,
    port,
    log: (l) => a.err(`${l}\n`),
  });
  try {
    await endpoint.start();
  } catch (e) {
    await router.close();
    const code = (e as NodeJS.ErrnoException).code;
    a.err(`byok-router: cannot listen on 127.0.0.1:${port}${code === 'EADDRINUSE' ? ' (port in use; --port 0 picks a free one)' : `: ${(e as Error).message}`}\n`);
    return 1;
  }
  a.out(`byok-router serving callers ${tokens.callers().join(', ')} — OpenAI base URL ${endpoint.openAIBaseUrl} · Anthropic base URL ${endpoint.anthropicBaseUrl} (Ctrl-C stops)\n`);
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
  await router.close();
  a.err('byok-router: stopped\n');
  return 0;
}
