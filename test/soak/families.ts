/**
 * One driver per adapter family: its simulators (one per key, so each route's script is its own),
 * the soak's keys for it, its plan per caller, and how each fault looks in its wire format.
 */
import type { Script, SimServer } from '../sim/server';
import { startOpenAISim, type OpenAISim } from '../sim/openai';

export type Fault =
  | 'ok'
  | '429'
  | '429-no-retry-after'
  | '401'
  | '400'
  | '500'
  | '502'
  | '503'
  | '529'
  | 'exception-frame'
  | 'no-headers'
  | 'stall-before-content'
  | 'stall-after-content'
  | 'reset-before-headers'
  | 'reset-after-content'
  | 'malformed-before-content'
  | 'malformed-after-content'
  | 'truncated'
  | 'cancel-before-headers'
  | 'cancel-mid-stream';

export interface SoakKey {
  id: string;
  secret: string;
  config: Record<string, unknown>;
}

export interface FamilyDriver {
  name: string;
  model: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  routes(): { sim: SimServer; routeId: string }[];
  keys(): SoakKey[];
  /** Route ids in plan order for a caller: `key:<id>` or `pooled`. */
  plan(caller: string): string[];
  script(fault: Fault, stream: boolean): Script;
  pooledSim(): { sim: SimServer; baseUrl: string; script(fault: Fault, stream: boolean): Script };
}

/** The text the cancel-mid-stream fault streams; the soak aborts when it sees the marker. */
export const CANCEL_MARK = 'CANCELME';
const FOUR = ['alpha ', 'beta ', 'gamma ', 'delta'];

/**
 * Faults expressed in the generic Script knobs; `err` supplies the family's own error answers.
 * After-content faults let two content chunks through first (the role chunk counts as one).
 */
export function genericScript(
  fault: Fault,
  stream: boolean,
  err: { rateLimited(s?: number): Script; unauthorized(): Script; badRequest(): Script; server(status: number): Script; overloaded(): Script; errorIn200(): Script },
  contentOffset = 1,
): Script {
  const after = contentOffset + 2;
  switch (fault) {
    case 'ok':
      return {};
    case '429':
      return err.rateLimited(1);
    case '429-no-retry-after':
      return err.rateLimited();
    case '401':
      return err.unauthorized();
    case '400':
      return err.badRequest();
    case '500':
    case '502':
    case '503':
      return err.server(Number(fault));
    case '529':
      return err.overloaded();
    case 'exception-frame':
      return stream ? { midStreamError: { afterChunks: 0, message: 'upstream failed', type: 'server_error' } } : err.errorIn200();
    case 'no-headers':
      return { neverRespond: true };
    case 'stall-before-content':
      return stream ? { stallAfterChunks: 0 } : { neverRespond: true };
    case 'stall-after-content':
      return stream ? { text: FOUR, stallAfterChunks: after } : { neverRespond: true };
    case 'reset-before-headers':
      return { resetBeforeHeaders: true };
    case 'reset-after-content':
      return stream ? { text: FOUR, resetAfterChunks: after } : { truncateBody: 'reset' };
    case 'malformed-before-content':
      return stream ? { malformedAfterChunks: 0 } : { status: 200, errorBody: '{"id": "broken', headers: { 'content-type': 'application/json' } };
    case 'malformed-after-content':
      return stream ? { text: FOUR, malformedAfterChunks: after } : { truncateBody: true };
    case 'truncated':
      return stream ? { resetAfterChunks: contentOffset } : { truncateBody: true };
    case 'cancel-mid-stream':
      return { text: [`${CANCEL_MARK} `, ...FOUR, ...FOUR], chunkDelayMs: 15 };
    case 'cancel-before-headers':
      return { neverRespond: true };
  }
}

/** Prioritized A, B; fallback FB (caller soak); Always-use S1 + S2 (caller strict). */
function keySet(prefix: string, provider: string, urls: Record<string, string>, extra: (id: string) => Record<string, unknown> = () => ({})) {
  const mk = (id: string, tier: string, callers: string[], alwaysUse = false): SoakKey => ({
    id: `${prefix}-${id}`,
    secret: `soak-secret-${prefix}-${id}-0000`,
    config: { id: `${prefix}-${id}`, provider, name: `${prefix} ${id}`, tier, alwaysUse, filters: { callers }, options: { baseUrl: urls[id], ...extra(id) } },
  });
  return [mk('a', 'prioritized', ['soak']), mk('b', 'prioritized', ['soak']), mk('fb', 'fallback', ['soak']), mk('s1', 'prioritized', ['strict'], true), mk('s2', 'prioritized', ['strict'])];
}

export function planFor(prefix: string, caller: string): string[] {
  return caller === 'strict' ? [`key:${prefix}-s1`, `key:${prefix}-s2`] : [`key:${prefix}-a`, `key:${prefix}-b`, 'pooled', `key:${prefix}-fb`];
}

const ROUTES = ['a', 'b', 'fb', 's1', 's2'] as const;

function openaiErrors(sim: OpenAISim) {
  return {
    rateLimited: (s?: number) => sim.errors.rateLimited(s),
    unauthorized: () => sim.errors.unauthorized('wrong-key'),
    badRequest: () => sim.errors.badRequest(),
    server: (status: number) => sim.errors.serverError(status),
    overloaded: () => ({ status: 529, errorBody: { error: { message: 'The engine is currently overloaded', type: 'server_error', code: 'overloaded' } } }),
    errorIn200: () => ({ status: 200, errorBody: { error: { message: 'upstream failed', type: 'server_error', code: null } } }),
  };
}

export function openaiFamily(): FamilyDriver {
  const sims = new Map<string, OpenAISim>();
  let pooled: OpenAISim;
  let keys: SoakKey[] = [];
  return {
    name: 'openai-compatible',
    model: 'openai/gpt-4o-mini',
    async start() {
      for (const r of ROUTES) sims.set(r, await startOpenAISim({ flavor: 'openai' }));
      pooled = await startOpenAISim({ flavor: 'openrouter' });
      keys = keySet('oai', 'openai', Object.fromEntries([...sims].map(([r, s]) => [r, s.baseUrl])));
    },
    async stop() {
      await Promise.all([...sims.values(), pooled].map((s) => s.close()));
    },
    routes: () => [...sims].map(([r, sim]) => ({ sim, routeId: `key:oai-${r}` })),
    keys: () => keys,
    plan: (caller) => planFor('oai', caller),
    script: (fault, stream) => genericScript(fault, stream, openaiErrors(sims.get('a')!)),
    pooledSim: () => ({ sim: pooled, baseUrl: pooled.baseUrl, script: (fault, stream) => genericScript(fault, stream, openaiErrors(pooled)) }),
  };
}

export const FAMILIES: (() => FamilyDriver)[] = [openaiFamily];
