/**
 * What every part of the Activity view shares: the host's last state, the UI state that survives
 * hide/show (kept with setState), the notice shown above the filters, and the way to ask the host.
 */
import type { ActivityFilter, ActivityRequestBody, ActivityResultSchemas, ActivityState, Breakdown } from '../../protocol/activity';
import type { HostClient } from '../shared/client';

export interface ActivityUi {
  filter: ActivityFilter;
  /** Generation ids whose attempts are open. */
  open: string[];
  metric: 'requests' | 'cost';
  breakdown: Breakdown;
}

export type Region = 'summary' | 'filters' | 'notice' | 'list';

export interface Ctx {
  state: ActivityState | undefined;
  ui: ActivityUi;
  /** The last export's result or a failed request, until the next one. */
  notice?: { text: string; bad: boolean };
  client: HostClient<ActivityRequestBody, ActivityState, ActivityResultSchemas>;
  setUi(patch: Partial<ActivityUi>, regions?: Region[]): void;
  render(regions?: Region[]): void;
  /** Shows (and announces) a line above the filters. */
  showNotice(text: string, bad: boolean): void;
}
