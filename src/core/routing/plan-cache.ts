/**
 * Plans kept per (model, caller) while nothing they were made from has changed: the configuration
 * and catalog (by identity), the cooldown store's epoch and the secret source's epoch. A plan also
 * carries the time it stops being true on its own (a cooldown running out, a key expiring).
 * Sources without an epoch are never cached, so a cached plan is always the plan that would be made.
 */
import type { Catalog } from '../catalog/types';
import type { RouterConfig } from '../config/schema';
import type { SecretSource } from '../ports';
import type { Cooldowns } from './cooldowns';
import type { Plan } from './plan';

export interface PlanStamp {
  config: RouterConfig;
  catalog: Catalog;
  cooldowns: number;
  secrets: number;
}

interface Entry {
  plan: Plan;
  /** When it was made: a clock set back makes it stale too. */
  at: number;
  /** When it stops being true by itself. */
  until: number;
}

export const DEFAULT_PLAN_CACHE_ENTRIES = 2_000;

/** The stamp for these inputs, or undefined when a source cannot say that it changed. */
export function planStamp(config: RouterConfig, catalog: Catalog, secrets: SecretSource, cooldowns: Cooldowns): PlanStamp | undefined {
  const s = secrets.epoch?.();
  const c = cooldowns.store.epoch?.();
  if (s === undefined || c === undefined) return undefined;
  return { config, catalog, cooldowns: c, secrets: s };
}

export class PlanCache {
  private stamp: PlanStamp | undefined;
  private readonly map = new Map<string, Entry>();

  constructor(private readonly maxEntries = DEFAULT_PLAN_CACHE_ENTRIES) {}

  get size(): number {
    return this.map.size;
  }

  get(stamp: PlanStamp, model: string, caller: string, now: number): Plan | undefined {
    if (!this.current(stamp)) {
      this.map.clear();
      this.stamp = stamp;
      return undefined;
    }
    const id = cacheKey(model, caller);
    const e = this.map.get(id);
    if (!e) return undefined;
    if (now < e.at || now >= e.until) {
      this.map.delete(id);
      return undefined;
    }
    return e.plan;
  }

  /** Kept only if nothing changed while it was made (an older stamp is dropped). */
  set(stamp: PlanStamp, model: string, caller: string, plan: Plan, at: number, until: number): void {
    if (!this.current(stamp) || !(until > at)) return;
    const id = cacheKey(model, caller);
    this.map.delete(id); // re-inserted last: the Map's order is the eviction order
    this.map.set(id, { plan, at, until });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  clear(): void {
    this.map.clear();
    this.stamp = undefined;
  }

  private current(s: PlanStamp): boolean {
    const c = this.stamp;
    return !!c && c.config === s.config && c.catalog === s.catalog && c.cooldowns === s.cooldowns && c.secrets === s.secrets;
  }
}

function cacheKey(model: string, caller: string): string {
  return `${model}\u0000${caller}`;
}
