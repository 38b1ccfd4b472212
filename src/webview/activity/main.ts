/**
 * The Activity view: month-to-date totals, a per-day chart by provider, filters and exports,
 * and every generation newest first — expanding one shows each attempt's provider response.
 * Entry point of its webview bundle: the state and the wiring; each region draws in its own module.
 */
import '../shared/zod-config';
import '../shared/elements';
import { activityProtocol, DEFAULT_FILTER, type ActivityRequestBody, type ActivityResultSchemas, type ActivityState } from '../../protocol/activity';
import { HostClient, reportPageProblems } from '../shared/client';
import { announce, h, icon, replaceRegion } from '../shared/dom';
import { vscodeApi } from '../shared/vscode-api';
import type { ActivityUi, Ctx, Region } from './context';
import { filters } from './filters';
import { generations } from './generations';
import { summary } from './summary';

const api = vscodeApi<ActivityUi>();
const root = document.getElementById('activity')!;
const saved = api.getState();

const regions: Record<Region, HTMLElement> = {
  summary: h('div', { class: 'region-summary' }),
  filters: h('div', { class: 'region-filters' }),
  notice: h('div', { class: 'region-notice' }),
  list: h('div', { class: 'region-list' }),
};

const client = new HostClient<ActivityRequestBody, ActivityState, ActivityResultSchemas>({
  api,
  ...activityProtocol,
  onState: (s) => {
    ctx.state = s;
    ctx.setUi({ filter: s.filter });
    ctx.render();
  },
});

function noticeBar(notice: Ctx['notice']): HTMLElement | null {
  if (!notice) return null;
  return h('div', { class: `banner${notice.bad ? ' bad' : ''}`, role: 'status' }, icon(notice.bad ? 'error' : 'pass'), h('span', null, notice.text));
}

const ctx: Ctx = {
  state: undefined,
  ui: {
    filter: saved?.filter ?? DEFAULT_FILTER,
    open: saved?.open ?? [],
    metric: saved?.metric ?? 'requests',
    breakdown: saved?.breakdown ?? 'provider',
  },
  client,
  setUi(patch, regionsToRender) {
    ctx.ui = { ...ctx.ui, ...patch };
    api.setState(ctx.ui);
    if (regionsToRender) ctx.render(regionsToRender);
  },
  render(which = ['summary', 'filters', 'notice', 'list']) {
    const st = ctx.state;
    if (!st) return;
    root.setAttribute('aria-busy', 'false');
    for (const r of which) {
      if (r === 'summary') replaceRegion(regions.summary, summary(ctx, st));
      if (r === 'filters') replaceRegion(regions.filters, filters(ctx, st));
      if (r === 'notice') replaceRegion(regions.notice, noticeBar(ctx.notice));
      if (r === 'list') replaceRegion(regions.list, generations(ctx, st));
    }
  },
  showNotice(text, bad) {
    ctx.notice = { text, bad };
    announce(text);
    ctx.render(['notice']);
  },
};

root.replaceChildren(
  regions.summary,
  regions.notice,
  regions.filters,
  regions.list,
  h('p', { class: 'loading', 'aria-hidden': 'true' }, icon('loading'), ' Loading…'),
);
reportPageProblems(client);
client.ready({ filter: ctx.ui.filter });
