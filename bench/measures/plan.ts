/**
 * Measure 6: `explain` (the plan every request starts with) over a large configuration:
 * 40 groups × 50 keys, 20 callers, a mix of model and caller filters, disabled, expiring,
 * secret-less and cooling-down keys. The router knows 15 provider ids, so the 40 groups share them:
 * what costs time is the number of keys walked, not how many distinct ids they name.
 */
import { bundledCatalog } from '../../src/core/catalog/catalog';
import { parseConfig } from '../../src/core/config/parse';
import { PROVIDERS } from '../../src/core/providers/ids';
import { MapSecretSource } from '../../src/core/ports';
import { keyRouteId } from '../../src/core/routing/cooldowns';
import { Router } from '../../src/core/routing/router';
import type { PlanMeasure } from '../results';
import { roundSummary, summarize } from '../stats';

export const GROUPS = 40;
export const KEYS_PER_GROUP = 50;
export const CALLERS = 20;

const MODELS = ['openai/gpt-oss-120b', 'meta-llama/llama-3.3-70b-instruct', 'anthropic/claude-sonnet-4.5', 'openai/gpt-4o-mini', 'google/gemini-2.5-flash'];

export function largeConfig() {
  const callers = Array.from({ length: CALLERS }, (_, i) => ({ name: `caller-${i}` }));
  const keys: unknown[] = [];
  const secrets = new Map<string, string>();
  for (let g = 0; g < GROUPS; g++) {
    const provider = PROVIDERS[g % PROVIDERS.length]!;
    for (let k = 0; k < KEYS_PER_GROUP; k++) {
      const n = g * KEYS_PER_GROUP + k;
      const id = `g${g}-k${k}`;
      const filters: Record<string, unknown> = {};
      if (n % 3 === 0) filters.models = ['openai/*', 'meta-llama/*'];
      if (n % 3 === 2) filters.models = ['anthropic/claude-*', '*/gpt-oss-*', 'google/*'];
      if (n % 4 === 0) filters.callers = [`caller-${n % CALLERS}`, `caller-${(n + 7) % CALLERS}`, `caller-${(n + 13) % CALLERS}`];
      keys.push({
        id,
        provider,
        name: `${provider} ${g}/${k}`,
        tier: n % 2 ? 'fallback' : 'prioritized',
        ...(n % 20 === 0 ? { disabled: true } : {}),
        ...(n % 25 === 0 ? { expiresAt: '2099-01-31' } : {}),
        filters,
        // Every fifth key serves models through its own map, as Azure deployments do.
        options: n % 5 === 0 ? { modelMap: Object.fromEntries(MODELS.map((m) => [m, `${m.split('/')[1]}-deployment`])) } : {},
      });
      if (n % 50 !== 49) secrets.set(id, `sk-bench-plan-${String(n).padStart(6, '0')}`);
    }
  }
  const { config, diagnostics } = parseConfig({ callers, defaultCaller: 'caller-0', keys });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`plan config: ${JSON.stringify(errors.slice(0, 3))}`);
  const callerSecrets = new Map(callers.map((c, i) => [c.name, `sk-or-bench-caller-${String(i).padStart(4, '0')}`]));
  return { config, secrets: new MapSecretSource(secrets, callerSecrets) };
}

export async function measurePlan(opts: { samples: number }): Promise<PlanMeasure> {
  const { config, secrets } = largeConfig();
  const router = new Router({ config, catalog: bundledCatalog(), secrets });
  // A tenth of the keys are cooling down after a 429: the plan marks them skipped.
  config.keys.forEach((k, i) => {
    if (i % 10 === 3) router.cooldowns.recordFailure(keyRouteId(k.id), 'rate_limited', '429 rate_limited', 60_000);
  });
  const routes: number[] = [];
  for (let i = 0; i < 200; i++) await router.explain(MODELS[i % MODELS.length]!, `caller-${i % CALLERS}`);
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < opts.samples; i++) {
    const model = MODELS[i % MODELS.length]!;
    const caller = `caller-${(i * 7) % CALLERS}`;
    const t0 = performance.now();
    const plan = await router.explain(model, caller);
    times.push(performance.now() - t0);
    routes.push(plan.routes.length);
  }
  const cpu = process.cpuUsage(cpu0);
  await router.close();
  const s = summarize(times);
  return {
    target: 'p99 ≤ 1 ms',
    met: s.p99 <= 1,
    notes: [
      `${GROUPS} × ${KEYS_PER_GROUP} keys over the router's ${PROVIDERS.length} provider ids; ${CALLERS} callers; models ${MODELS.join(', ')}`,
      'timed through Router.explain, the call every generate() starts with; cpuMsPerPlan is process CPU time per plan, which a busy machine does not inflate',
    ],
    keys: config.keys.length,
    providers: new Set(config.keys.map((k) => k.provider)).size,
    callers: CALLERS,
    routesPerPlan: roundSummary(summarize(routes)),
    ms: roundSummary(s),
    cpuMsPerPlan: Math.round(((cpu.user + cpu.system) / 1000 / opts.samples) * 1000) / 1000,
  };
}
