/**
 * The plan as planRoute made it before the candidate index, the plan cache and lazy exclusions:
 * one walk over every key per plan. Kept as the oracle the cached planner is compared against.
 */
import { servesModel } from '../../../src/core/catalog/catalog';
import type { Catalog } from '../../../src/core/catalog/types';
import type { KeyConfig } from '../../../src/core/config/schema';
import { keyRouteId, pooledRouteId } from '../../../src/core/routing/cooldowns';
import { modelFilterMatches } from '../../../src/core/routing/model-filter';
import {
  keyModelMap,
  type AlwaysUseBlock,
  type Exclusion,
  type ExclusionReason,
  type Plan,
  type PlanDeps,
  type PlannedRoute,
} from '../../../src/core/routing/plan';

/** A filter list as exclusions print it, joined once per config array rather than once per plan. */
const listedText = new WeakMap<readonly string[], string>();
function listed(list: readonly string[]): string {
  let text = listedText.get(list);
  if (text === undefined) listedText.set(list, (text = list.join(', ')));
  return text;
}

function blocked(key: KeyConfig, reason: AlwaysUseBlock['reason'], why?: string): AlwaysUseBlock {
  const remedy =
    reason === 'no_secret'
      ? 'it has no stored value: add its value'
      : reason === 'secret_unavailable'
        ? `its secret reference could not be read (${why}): fix the reference or sign in to its secret manager`
        : reason === 'expired'
          ? `it expired on ${key.expiresAt}: rotate it and update its expiry date`
          : 'it failed authentication: rotate it';
  return { keyId: key.id, keyName: key.name, provider: key.provider, reason, remedy };
}

/** Whether a key would serve this request but for its secret or expiry. */
function keyMatches(key: KeyConfig, catalog: Catalog, model: string, caller: string): boolean {
  return (
    !!servesModel(catalog, key.provider, model, keyModelMap(key)) &&
    modelFilterMatches(key.filters.models, model) &&
    (!key.filters.callers || key.filters.callers.includes(caller))
  );
}

function keyExclusion(key: KeyConfig, reason: ExclusionReason, detail: string): Exclusion {
  return { route: 'byok', provider: key.provider, keyId: key.id, keyName: key.name, tier: key.tier, reason, detail };
}

/** A secret source rejected (a secret-manager reference that failed): the route is left out, saying why. */
interface SecretFailed {
  message: string;
}
const secretFailed = (e: unknown): SecretFailed => ({ message: e instanceof Error ? e.message : String(e) });

export async function referencePlan(model: string, callerName: string | undefined, deps: PlanDeps): Promise<Plan> {
  const { config, catalog, secrets, cooldowns, clock } = deps;
  const caller = callerName || config.defaultCaller;
  const excluded: Exclusion[] = [];
  const prioritized: PlannedRoute[] = [];
  const fallback: PlannedRoute[] = [];
  const alwaysUseBlocked: AlwaysUseBlock[] = [];
  const now = clock.now();

  const providerRank = (p: string) => {
    const i = config.providerOrder.indexOf(p);
    return i < 0 ? config.providerOrder.length : i;
  };
  // Stable sort keeps each tier's configured key order within a provider.
  const keys = config.providerOrder.length
    ? config.keys
        .map((key, index) => ({ key, index }))
        .sort((a, b) => providerRank(a.key.provider) - providerRank(b.key.provider) || a.index - b.index)
        .map((k) => k.key)
    : config.keys;

  // Filters run first for every key; the secrets of the keys still in are then awaited together.
  // One await per key costs a microtask round trip each, which dominated plans over many keys.
  const steps: (Exclusion | { key: KeyConfig; nativeModel: string; secret: Promise<string | undefined | SecretFailed> })[] = [];
  for (const key of keys) {
    if (key.disabled) {
      steps.push(keyExclusion(key, 'disabled', 'disabled by the user'));
      continue;
    }
    if (key.expiresAt && Date.parse(key.expiresAt) <= now) {
      if (key.alwaysUse && key.tier === 'prioritized' && keyMatches(key, catalog, model, caller)) alwaysUseBlocked.push(blocked(key, 'expired'));
      steps.push(keyExclusion(key, 'expired', `expired on ${key.expiresAt}`));
      continue;
    }
    const served = servesModel(catalog, key.provider, model, keyModelMap(key));
    if (!served) {
      steps.push(keyExclusion(key, 'not_served', `${key.provider} does not serve ${model} (not in the catalog or the key's model map)`));
      continue;
    }
    if (!modelFilterMatches(key.filters.models, model)) {
      steps.push(keyExclusion(key, 'model_filter', `model filter [${listed(key.filters.models!)}] does not match ${model}`));
      continue;
    }
    if (key.filters.callers && !key.filters.callers.includes(caller)) {
      steps.push(keyExclusion(key, 'caller_filter', `caller filter [${listed(key.filters.callers)}] does not include "${caller}"`));
      continue;
    }
    steps.push({ key, nativeModel: served.nativeId, secret: secrets.keySecret(key.id).catch(secretFailed) });
  }
  const pending: Promise<string | undefined | SecretFailed>[] = [];
  for (const step of steps) if (!('reason' in step)) pending.push(step.secret);
  const found = await Promise.all(pending);

  let next = 0;
  steps.forEach((step) => {
    if ('reason' in step) {
      excluded.push(step);
      return;
    }
    const { key } = step;
    const secret = found[next++];
    if (typeof secret === 'object') {
      if (key.alwaysUse && key.tier === 'prioritized') alwaysUseBlocked.push(blocked(key, 'secret_unavailable', secret.message));
      excluded.push(keyExclusion(key, 'secret_unavailable', `its secret reference failed: ${secret.message}`));
      return;
    }
    if (!secret) {
      if (key.alwaysUse && key.tier === 'prioritized') alwaysUseBlocked.push(blocked(key, 'no_secret'));
      excluded.push(keyExclusion(key, 'no_secret', 'no secret stored for this key'));
      return;
    }
    const block = cooldowns.active(keyRouteId(key.id), secret);
    if (block?.kind === 'auth' && key.alwaysUse && key.tier === 'prioritized') alwaysUseBlocked.push(blocked(key, 'auth'));
    const route: PlannedRoute = {
      route: 'byok',
      tier: key.tier,
      provider: key.provider,
      key,
      nativeModel: step.nativeModel,
      ...(block ? { skip: { until: block.until, reason: block.reason } } : {}),
    };
    (key.tier === 'prioritized' ? prioritized : fallback).push(route);
  });

  const alwaysUse = [
    ...new Set([...prioritized.flatMap((r) => (r.route === 'byok' && r.key.alwaysUse ? [r.key.name] : [])), ...alwaysUseBlocked.map((b) => b.keyName)]),
  ];
  const routes = [...prioritized];
  const because = `Always use is on for ${alwaysUse.map((n) => `"${n}"`).join(', ')}`;

  if (alwaysUse.length) {
    excluded.push({ route: 'pooled', provider: 'openrouter', reason: 'always_use', detail: `${because}: pooled access is not used` });
    for (const r of fallback) {
      if (r.route === 'byok') {
        excluded.push({
          route: 'byok',
          provider: r.provider,
          keyId: r.key.id,
          keyName: r.key.name,
          tier: r.tier,
          reason: 'always_use',
          detail: `${because}: fallback keys are not used`,
        });
      }
    }
    return { model, caller, routes, excluded, alwaysUse, alwaysUseBlocked };
  }

  if (config.pooled.enabled) {
    const secret = await secrets.callerSecret(caller).catch(secretFailed);
    if (typeof secret === 'object') {
      excluded.push({
        route: 'pooled',
        provider: 'openrouter',
        reason: 'secret_unavailable',
        detail: `caller "${caller}"'s OpenRouter key reference failed: ${secret.message}`,
      });
    } else if (secret) {
      const block = cooldowns.active(pooledRouteId(caller), secret);
      routes.push({
        route: 'pooled',
        provider: 'openrouter',
        caller,
        nativeModel: model,
        ...(block ? { skip: { until: block.until, reason: block.reason } } : {}),
      });
    } else {
      excluded.push({ route: 'pooled', provider: 'openrouter', reason: 'no_secret', detail: `caller "${caller}" has no OpenRouter key` });
    }
  } else {
    excluded.push({ route: 'pooled', provider: 'openrouter', reason: 'disabled', detail: 'pooled access is turned off' });
  }
  routes.push(...fallback);
  return { model, caller, routes, excluded, alwaysUse, alwaysUseBlocked };
}
