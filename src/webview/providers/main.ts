/** The Providers view: entry point of its webview bundle. */
import '../shared/zod-config';
import '../shared/elements';
import { providersProtocol, type ProvidersRequestBody, type ProvidersResultSchemas, type ProvidersState } from '../../protocol/providers';
import { HostClient, reportPageProblems } from '../shared/client';
import { announce, h, icon, replaceRegion, type Child } from '../shared/dom';
import { vscodeApi } from '../shared/vscode-api';
import { cards } from './cards';
import { DEFAULT_UI, type Ctx, type ProvidersUi, type Region } from './context';
import { explainSection } from './explain';
import { errorBar, header } from './header';
import { applyMove } from './moves';
import { policySection } from './policy';
import { pooledSection } from './pooled';
import { webSearchSection } from './web-search';

const api = vscodeApi<ProvidersUi>();
const root = document.getElementById('providers')!;

function restoredUi(): ProvidersUi {
  const saved = api.getState();
  if (!saved || typeof saved !== 'object') return { ...DEFAULT_UI };
  return { ...DEFAULT_UI, ...saved, sections: { ...DEFAULT_UI.sections, ...saved.sections }, explain: { ...DEFAULT_UI.explain, ...saved.explain } };
}

const regions: Record<Region, HTMLElement> = {
  header: h('div', { class: 'region-header' }),
  error: h('div', { class: 'region-error' }),
  explain: h('div', { class: 'region-explain' }),
  policy: h('div', { class: 'region-policy' }),
  cards: h('div', { class: 'region-cards' }),
  pooled: h('div', { class: 'region-pooled' }),
  web: h('div', { class: 'region-web' }),
};

let policyShown: string | undefined;
let policyFrame: number | undefined;

const client = new HostClient<ProvidersRequestBody, ProvidersState, ProvidersResultSchemas>({
  api,
  ...providersProtocol,
  onState: (incoming) => {
    // Replays moves the host may not have written when it built this state (see Transient.moves).
    const order = (keys: ProvidersState['keys']) => keys.map((k) => `${k.id}:${k.tier}`).join();
    const now = Date.now();
    ctx.t.moves = ctx.t.moves.filter((p) => (p.until === undefined || p.until > now) && order(applyMove(incoming.keys, p.move)) !== order(incoming.keys));
    const state = { ...incoming, keys: ctx.t.moves.reduce((keys, p) => applyMove(keys, p.move), incoming.keys) };
    ctx.state = state;
    if (ctx.ui.scope !== state.scope) ctx.setUi({ scope: state.scope });
    // Open details of keys that no longer exist are forgotten.
    const ids = new Set(state.keys.map((k) => k.id));
    if (ctx.ui.open.some((id) => !ids.has(id))) ctx.setUi({ open: ctx.ui.open.filter((id) => ids.has(id)) });
    // A drag in progress would lose its source row: the next state after the drop repaints.
    if (ctx.t.dragging) return;
    ctx.render();
  },
});

/** How each region draws from the state (the policy region has its own rule, drawPolicy). */
const draw: Record<Exclude<Region, 'policy'>, (st: ProvidersState) => Child> = {
  header: (st) => header(ctx, st),
  error: () => errorBar(ctx),
  explain: (st) => explainSection(ctx, st),
  cards: (st) => cards(ctx, st),
  pooled: (st) => pooledSection(ctx, st),
  web: (st) => webSearchSection(ctx, st),
};

function drawPolicy(st: ProvidersState) {
  // Redrawn only when what it shows changed: a state push per request (health, cooldowns)
  // would otherwise tear down its selects mid-setup and lose an open dropdown.
  const shown = JSON.stringify([
    st.scope,
    st.caller,
    st.policy,
    st.providers.length,
    st.models.length,
    ctx.ui.sections.policy,
    ctx.t.fallbackModel,
    ctx.t.policyRedraw,
  ]);
  if (shown === policyShown) return;
  policyShown = shown;
  // A frame later, so the selects of the last drawing finish setting up before they are removed
  // (a vscode-single-select removed mid-setup throws from its ResizeObserver).
  if (policyFrame !== undefined) cancelAnimationFrame(policyFrame);
  policyFrame = requestAnimationFrame(() => {
    policyFrame = undefined;
    if (ctx.state) replaceRegion(regions.policy, policySection(ctx, ctx.state));
  });
}

const ctx: Ctx = {
  state: undefined,
  ui: restoredUi(),
  t: { tests: new Map(), moves: [] },
  client,
  setUi(patch, regionsToRender) {
    ctx.ui = { ...ctx.ui, ...patch };
    api.setState(ctx.ui);
    if (regionsToRender) ctx.render(regionsToRender);
  },
  render(which = ['header', 'error', 'explain', 'cards', 'policy', 'pooled', 'web']) {
    const st = ctx.state;
    if (!st) return;
    root.setAttribute('aria-busy', 'false');
    for (const r of which) {
      if (r === 'policy') drawPolicy(st);
      else replaceRegion(regions[r], draw[r](st));
    }
  },
  async ask(body) {
    try {
      return await client.request(body);
    } catch (e) {
      ctx.t.error = (e as Error).message;
      announce(`Failed: ${ctx.t.error}`);
      ctx.render(['error']);
      return undefined;
    }
  },
};

const search = h('vscode-textfield', {
  type: 'search',
  placeholder: 'Search providers and keys',
  'aria-label': 'Search providers and keys',
  id: 'search',
  '.value': ctx.ui.search,
  'on:input': (e: Event) => ctx.setUi({ search: (e.currentTarget as HTMLInputElement).value }, ['cards']),
});
search.appendChild(h('span', { slot: 'content-before', class: 'codicon codicon-search', 'aria-hidden': 'true' }));

root.replaceChildren(
  regions.header,
  regions.error,
  h('div', { class: 'search-bar' }, search),
  regions.cards,
  regions.explain,
  regions.policy,
  regions.pooled,
  regions.web,
  h(
    'p',
    { id: 'reorder-help', class: 'sr-only' },
    'Alt plus Up or Down arrow moves the key; at the end of a tier it moves into the other tier. Up and Down arrows move between keys. Enter shows the details.',
  ),
  h('p', { class: 'loading', 'aria-hidden': 'true' }, icon('loading'), ' Loading…'),
);

reportPageProblems(client);
client.ready(ctx.ui.scope ? { scope: ctx.ui.scope } : {});
