/**
 * What every part of the Providers view shares: the host's last state, the UI state that
 * survives hide/show (kept with setState — it never holds a secret, there is none to hold),
 * the moment-to-moment UI (running tests, a rename in progress), and the way to ask the host.
 */
import type { PlanView, ProvidersRequestBody, ProvidersResultSchemas, ProvidersState, TestResult } from '../../protocol/providers';
import type { HostClient, ReplyTo } from '../shared/client';

export interface ProvidersUi {
  scope?: string;
  search: string;
  /** Key ids whose details are open. */
  open: string[];
  /** Cards the user opened (true) or closed (false); the rest follow their default: open when configured. */
  cards: Record<string, boolean>;
  sections: { explain: boolean; pooled: boolean; problems: boolean; web?: boolean; policy?: boolean };
  explain: { model: string; caller: string };
}

export const DEFAULT_UI: ProvidersUi = {
  search: '',
  open: [],
  cards: {},
  sections: { explain: false, pooled: true, problems: false },
  explain: { model: '', caller: '' },
};

export type TestView = { running: true } | { running: false; result: TestResult } | { running: false; error: string };

export interface Transient {
  tests: Map<string, TestView>;
  renaming?: string;
  plan?: { running: true } | { running: false; plan: PlanView } | { running: false; error: string };
  /** The last failed request, shown above the cards until dismissed. */
  error?: string;
  /** The key being dragged. */
  dragging?: { id: string; provider: string };
  /**
   * Moves shown before the host confirmed them. A state the host built before writing a move
   * can arrive after it was drawn; such a state gets the move applied again (moves are
   * idempotent) until a state shows it, or shortly after the host's reply (a hand edit may have
   * changed the order since).
   */
  moves: { move: import('./moves').Move; until?: number }[];
  /** The model chosen in the Routing policy section's "add fallbacks" row, before its first fallback. */
  fallbackModel?: string;
  /** Bumped to redraw the Routing policy section when its state did not change (a refused edit). */
  policyRedraw?: number;
}

export type Region = 'header' | 'cards' | 'explain' | 'policy' | 'pooled' | 'web' | 'error';

export interface Ctx {
  state: ProvidersState | undefined;
  ui: ProvidersUi;
  t: Transient;
  client: HostClient<ProvidersRequestBody, ProvidersState, ProvidersResultSchemas>;
  setUi(patch: Partial<ProvidersUi>, regions?: Region[]): void;
  render(regions?: Region[]): void;
  /** Sends a request; a failure is shown in the error bar and resolves to undefined. */
  ask<K extends ProvidersRequestBody['op']>(body: Extract<ProvidersRequestBody, { op: K }>): Promise<ReplyTo<ProvidersResultSchemas, K> | undefined>;
}
