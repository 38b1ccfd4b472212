/**
 * "Test key": the cheapest real request that proves a key works, with a verdict a user can act on.
 */
import type { KeyConfig, Timeouts } from '../config/schema';
import { Cancel } from '../http/cancel';
import { readBody, transportError, type HttpClient } from '../http/client';
import { redactThenClip, type Redactor } from '../redact';
import { Adapters } from './registry';
import type { ProviderId } from './ids';

export type KeyVerdict = 'ok' | 'auth' | 'network' | 'rate_limited' | 'unknown';

export interface KeyValidation {
  verdict: KeyVerdict;
  message: string;
  status?: number;
  latencyMs: number;
}

export interface ValidateDeps {
  http: HttpClient;
  timeouts: Timeouts;
  redactor?: Redactor;
  signal?: AbortSignal;
  now?: () => number;
  /** Pooled route: caller keys are OpenRouter keys at this base URL. */
  baseUrl?: string;
  /** A router's adapters, to share its token cache; fresh ones otherwise. */
  adapters?: Adapters;
}

export async function validateKey(
  target: { provider: ProviderId; options: KeyConfig['options']; name: string },
  secret: string | undefined,
  deps: ValidateDeps,
): Promise<KeyValidation> {
  const t0 = performance.now();
  const done = (verdict: KeyVerdict, message: string, status?: number): KeyValidation => ({
    verdict,
    message: deps.redactor ? redactThenClip(deps.redactor, message, 2000) : message.slice(0, 2000),
    ...(status ? { status } : {}),
    latencyMs: Math.round(performance.now() - t0),
  });
  if (!secret) return done('auth', `no secret stored for "${target.name}"; add one with Rotate Key`);
  deps.redactor?.add(secret);
  const adapter = (deps.adapters ?? new Adapters()).get(target.provider);
  const cancel = Cancel.linked(deps.signal, Math.min(deps.timeouts.totalMs, 30_000));
  try {
    const spec = await adapter.validationRequest?.({
      provider: target.provider,
      request: { model: 'validation', messages: [{ role: 'user', content: 'ping' }] },
      nativeModel: '',
      secret,
      stream: false,
      options: target.options,
      baseUrl: deps.baseUrl,
      http: deps.http,
      cancel,
      onCredential: (v) => deps.redactor?.add(v),
    });
    if (!spec) return done('unknown', `${target.provider} has no free endpoint to check a key; it will be validated on first use`);
    const res = await deps.http.send(spec, deps.timeouts, cancel);
    const body = await readBody(res.body, 1024 * 1024, res.headers).catch(() => '');
    const text = deps.redactor ? deps.redactor.redact(body) : body;
    const now = deps.now?.() ?? Date.now();
    const inBody = res.status >= 200 && res.status < 300 ? adapter.validationError?.(text, now) : undefined;
    if (res.status >= 200 && res.status < 300 && !inBody) return done('ok', `${target.provider} accepted the key`, res.status);
    const err = inBody ?? adapter.classifyError(res.status, res.headers, text, now);
    const verdict: KeyVerdict =
      err.kind === 'auth' ? 'auth' : err.kind === 'rate_limited' ? 'rate_limited' : err.kind === 'network' || err.kind === 'timeout' ? 'network' : 'unknown';
    const hint =
      verdict === 'auth'
        ? ' — rotate the key or check its permissions'
        : verdict === 'rate_limited'
          ? ' — the key works but is rate-limited or out of quota now'
          : '';
    return done(verdict, `${err.message}${hint}`, res.status);
  } catch (e) {
    const err = transportError(e, deps.signal?.aborted ? 'cancelled' : undefined, deps.timeouts);
    if (err.kind === 'auth') return done('auth', err.message);
    return done(
      err.kind === 'cancelled' ? 'unknown' : 'network',
      `${err.message}${err.kind === 'cancelled' ? '' : ' — check the endpoint, proxy and network'}`,
    );
  } finally {
    cancel.release();
  }
}
