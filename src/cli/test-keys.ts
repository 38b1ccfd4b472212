/** `byok-router test-keys`: every configured key and caller key, checked for real. */
import { Redactor, routeLabel, type RouterConfig, type SecretSource, UndiciHttpClient, validateKey } from '../core';
import type { Io } from './main';

export async function testKeysCommand(config: RouterConfig, secrets: SecretSource, io: Io): Promise<number> {
  const http = new UndiciHttpClient({ connectTimeoutMs: config.timeouts.connectMs });
  const redactor = new Redactor();
  let bad = 0;
  try {
    const checks = [
      ...config.keys.map((k) => ({
        label: `${routeLabel({ route: 'byok', provider: k.provider, key: k }, { tier: false })} (${k.id})`,
        target: k,
        secret: () => secrets.keySecret(k.id, { fresh: true }),
        baseUrl: undefined as string | undefined,
      })),
      ...config.callers.map((c) => ({
        label: `caller "${c.name}" (OpenRouter)`,
        target: { provider: 'openrouter' as const, options: {}, name: c.name },
        secret: () => secrets.callerSecret(c.name, { fresh: true }),
        baseUrl: config.pooled.baseUrl,
      })),
    ];
    if (!checks.length) io.err('no keys or callers configured\n');
    const results = await Promise.all(
      checks.map(async (c) => {
        // A test reads a reference fresh, so a rotation in the manager shows at once.
        const secret = await c.secret().then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, message: redactor.redact(e instanceof Error ? e.message : String(e)) }),
        );
        if (!secret.ok) return { c, r: { verdict: 'unavailable', message: secret.message, latencyMs: 0 } };
        return { c, r: await validateKey(c.target, secret.v, { http, timeouts: config.timeouts, redactor, baseUrl: c.baseUrl }) };
      }),
    );
    for (const { c, r } of results) {
      if (r.verdict !== 'ok' && r.verdict !== 'unknown') bad++;
      io.out(`${r.verdict.padEnd(12)} ${c.label}: ${r.message} (${r.latencyMs} ms)\n`);
    }
    return bad ? 1 : 0;
  } finally {
    await http.close();
  }
}
