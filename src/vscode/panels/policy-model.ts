/**
 * The Routing policy section's state: the scope's effective sort, stickiness, balance, model
 * fallbacks and each caller's pooled policy, from the parsed config. Pure; no `vscode` import.
 */
import { modelFallbackProblems, type OpenRouterPreferences, type RouterConfig } from '../../core';
import type { BalanceRow, PolicyState, Preferences } from '../../protocol/providers';

export interface PolicyModelInput {
  config: RouterConfig;
  inCatalog: (slug: string) => boolean;
  label: (provider: string) => string;
}

/** The preference fields the panel edits; the others stay in settings as written and are not shown. */
export function panelPreferences(p: OpenRouterPreferences | undefined): Preferences | undefined {
  if (!p) return undefined;
  const out: Preferences = {};
  if (p.data_collection) out.data_collection = p.data_collection;
  if (p.zdr !== undefined) out.zdr = p.zdr;
  // Bounded and non-blank, as the protocol checks: a state the schema refuses would leave the whole view stale.
  for (const f of ['only', 'ignore', 'order'] as const) {
    const list = p[f]?.map((s) => s.trim().slice(0, 100)).filter(Boolean);
    if (list?.length) out[f] = list.slice(0, 100);
  }
  if (p.sort) out.sort = p.sort;
  if (p.max_price && (p.max_price.prompt !== undefined || p.max_price.completion !== undefined)) {
    out.max_price = {
      ...(p.max_price.prompt !== undefined ? { prompt: p.max_price.prompt } : {}),
      ...(p.max_price.completion !== undefined ? { completion: p.max_price.completion } : {}),
    };
  }
  return Object.keys(out).length ? out : undefined;
}

/** Providers with two or more keys in one tier: the only ones a balance strategy can spread over. */
export function balanceRows(config: RouterConfig, label: (provider: string) => string): BalanceRow[] {
  const rows: BalanceRow[] = [];
  const providers = [...new Set(config.keys.map((k) => k.provider))];
  for (const provider of providers) {
    const keys = config.keys.filter((k) => k.provider === provider);
    const spread = keys.filter((k) => keys.filter((o) => o.tier === k.tier).length >= 2);
    if (!spread.length) continue;
    rows.push({
      provider,
      label: label(provider),
      strategy: config.balance[provider] ?? 'order',
      keys: spread.map((k) => ({ id: k.id, name: k.name.slice(0, 200), tier: k.tier, ...(k.weight !== undefined ? { weight: k.weight } : {}) })),
    });
  }
  return rows;
}

export function buildPolicyState(input: PolicyModelInput): PolicyState {
  const { config } = input;
  const problems = modelFallbackProblems(config.modelFallbacks, config, input.inCatalog);
  return {
    providerSort: config.providerSort,
    stickinessTtlMs: config.stickiness.ttlMs,
    balance: balanceRows(config, input.label),
    modelFallbacks: Object.entries(config.modelFallbacks)
      .slice(0, 500)
      .map(([model, fallbacks]) => {
        const base = `modelFallbacks[${JSON.stringify(model)}]`;
        return {
          model: model.slice(0, 200),
          fallbacks: fallbacks.map((f) => f.slice(0, 200)),
          problems: problems.filter((d) => d.path.startsWith(base)).map((d) => d.message.slice(0, 1000)),
        };
      }),
    ...(panelPreferences(config.pooled.preferences) ? { preferences: panelPreferences(config.pooled.preferences) } : {}),
    callers: config.callers.map((c) => ({
      name: c.name,
      byokOnly: c.byokOnly === true,
      ...(panelPreferences(c.preferences) ? { preferences: panelPreferences(c.preferences) } : {}),
    })),
  };
}
