/**
 * Outgoing HTTP honours the editor's proxy settings (`http.proxy`, `http.proxyStrictSSL`,
 * `http.noProxy`) and the usual environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) through
 * undici's proxy agents. The client is swapped when the settings change; requests already in
 * flight finish on the old one.
 */
import type { Dispatcher } from 'undici';
import { type CancelSignal, type HttpClient, type HttpRequestSpec, type HttpResponse, type Timeouts, undici, UndiciHttpClient } from '../core';

export interface ProxySettings {
  /** `http.proxy`; '' when unset. */
  proxy: string;
  /** `http.proxyStrictSSL`. */
  strictSSL: boolean;
  /** `http.noProxy` entries. */
  noProxy: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  connectTimeoutMs: number;
}

export interface ProxyChoice {
  /** Undefined: the core's default keep-alive agent. */
  dispatcher: Dispatcher | undefined;
  /** For the log; proxy credentials are masked. */
  description: string;
}

const AGENT = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 128, pipelining: 1 } as const;

export function chooseDispatcher(s: ProxySettings): ProxyChoice {
  const env = (name: string) => s.env[name] ?? s.env[name.toLowerCase()];
  const tls = { rejectUnauthorized: s.strictSSL };
  const connect = { timeout: s.connectTimeoutMs, ...tls };
  const noProxy = [...s.noProxy, ...(env('NO_PROXY') ?? '').split(',')]
    .map((e) => e.trim())
    .filter(Boolean)
    .join(',');
  if (s.proxy) {
    return {
      dispatcher: new (undici().EnvHttpProxyAgent)({ ...AGENT, httpProxy: s.proxy, httpsProxy: s.proxy, noProxy, connect, requestTls: tls, proxyTls: tls }),
      description: `proxy ${maskCredentials(s.proxy)} (http.proxy)${noProxy ? `, not for ${noProxy}` : ''}`,
    };
  }
  const httpsProxy = env('HTTPS_PROXY');
  const httpProxy = env('HTTP_PROXY');
  if (httpsProxy || httpProxy) {
    return {
      dispatcher: new (undici().EnvHttpProxyAgent)({
        ...AGENT,
        httpProxy,
        httpsProxy: httpsProxy ?? httpProxy,
        noProxy,
        connect,
        requestTls: tls,
        proxyTls: tls,
      }),
      description: `proxy ${maskCredentials(httpsProxy ?? httpProxy ?? '')} (environment)${noProxy ? `, not for ${noProxy}` : ''}`,
    };
  }
  if (!s.strictSSL)
    return { dispatcher: new (undici().Agent)({ ...AGENT, connect }), description: 'direct, certificates not verified (http.proxyStrictSSL is off)' };
  return { dispatcher: undefined, description: 'direct' };
}

function maskCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(unparsable proxy URL)';
  }
}

/** An HttpClient whose transport can be replaced while the routers keep their reference. */
export class SwitchableHttpClient implements HttpClient {
  private current: UndiciHttpClient;
  private dispatcher: Dispatcher | undefined;

  constructor(choice: ProxyChoice, connectTimeoutMs: number) {
    this.dispatcher = choice.dispatcher;
    this.current = new UndiciHttpClient({ dispatcher: choice.dispatcher, connectTimeoutMs });
  }

  switchTo(choice: ProxyChoice, connectTimeoutMs: number) {
    const old = { client: this.current, dispatcher: this.dispatcher };
    this.dispatcher = choice.dispatcher;
    this.current = new UndiciHttpClient({ dispatcher: choice.dispatcher, connectTimeoutMs });
    // close() lets in-flight requests finish first.
    void closeQuietly(old.client, old.dispatcher);
  }

  send(spec: HttpRequestSpec, timeouts: Timeouts, signal: CancelSignal): Promise<HttpResponse> {
    return this.current.send(spec, timeouts, signal);
  }

  close(): Promise<void> {
    return closeQuietly(this.current, this.dispatcher);
  }
}

async function closeQuietly(client: UndiciHttpClient, dispatcher: Dispatcher | undefined) {
  await client.close().catch(() => undefined);
  await dispatcher?.close().catch(() => undefined);
}
