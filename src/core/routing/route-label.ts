/**
 * The one way a route is named to a person: in plans, attempts, errors, logs and the activity
 * view. A key route is `openai/key "Primary" (prioritized)`; the pooled route is
 * `pooled (OpenRouter)`, or `pooled (OpenRouter, caller "dev")` where the caller matters.
 */
import type { Tier } from '../config/schema';

/** What a label reads from a planned, attempted, excluded or served route. */
export interface LabelledRoute {
  route: 'byok' | 'pooled';
  provider?: string;
  /** A planned route carries its key; a record carries the key's name and id. */
  key?: { name: string };
  keyName?: string;
  keyId?: string;
  tier?: Tier;
  caller?: string;
}

export interface RouteLabelOptions {
  /** Name the key's tier when known (default true). */
  tier?: boolean;
  /** Name the pooled route's caller when known (default true). */
  caller?: boolean;
}

export function routeLabel(r: LabelledRoute, opts: RouteLabelOptions = {}): string {
  if (r.route === 'pooled') return opts.caller !== false && r.caller !== undefined ? `pooled (OpenRouter, caller "${r.caller}")` : 'pooled (OpenRouter)';
  const name = r.key?.name ?? r.keyName ?? r.keyId ?? '?';
  return `${r.provider}/key "${name}"${opts.tier !== false && r.tier ? ` (${r.tier})` : ''}`;
}
