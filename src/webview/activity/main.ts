/**
 * The Activity view: month-to-date totals, a per-day chart by provider, filters and exports,
 * and every generation newest first — expanding one shows each attempt's provider response.
 */
import '../shared/zod-config';
import '../shared/elements';
import {
  activityResultSchemas,
  activityToHostSchema,
  activityToWebviewSchema,
  DEFAULT_FILTER,
  type ActivityFilter,
  type ActivityRequestBody,
  type ActivityResultSchemas,
  type ActivityState,
  type AttemptRow,
  type Breakdown,
  type GenerationRow,
} from '../../protocol/activity';
import { HostClient, reportPageProblems } from '../shared/client';
import { announce, h, icon, replaceRegion } from '../shared/dom';
import { count, dateTime, ms, plural, usd } from '../shared/format';
import { vscodeApi } from '../shared/vscode-api';
import { chart } from './chart';

interface ActivityUi {
  filter: ActivityFilter;
  open: string[];
  metric: 'requests' | 'cost';
  breakdown: Breakdown;
}

const api = vscodeApi<ActivityUi>();
const root = document.getElementById('activity')!;
const saved = api.getState();
let ui: ActivityUi = {
  filter: saved?.filter ?? DEFAULT_FILTER,
  open: saved?.open ?? [],
  metric: saved?.metric ?? 'requests',
  breakdown: saved?.breakdown ?? 'provider',
};
let state: ActivityState | undefined;
let notice: { text: string; bad: boolean } | undefined;

const regions = {
  summary: h('div', { class: 'region-summary' }),
  filters: h('div', { class: 'region-filters' }),
  notice: h('div', { class: 'region-notice' }),
  list: h('div', { class: 'region-list' }),
};

const client = new HostClient<ActivityRequestBody, ActivityState, ActivityResultSchemas>({
  api,
  toHost: activityToHostSchema,
  toWebview: activityToWebviewSchema,
  results: activityResultSchemas,
  onState: (s) => {
    state = s;
    ui = { ...ui, filter: s.filter };
    api.setState(ui);
    render();
  },
});

function setUi(patch: Partial<ActivityUi>) {
  ui = { ...ui, ...patch };
  api.setState(ui);
}

function render(which: (keyof typeof regions)[] = ['summary', 'filters', 'notice', 'list']) {
  if (!state) return;
  root.setAttribute('aria-busy', 'false');
  for (const r of which) {
    if (r === 'summary') replaceRegion(regions.summary, summary(state));
    if (r === 'filters') replaceRegion(regions.filters, filters(state));
    if (r === 'notice')
      replaceRegion(
        regions.notice,
        notice
          ? h('div', { class: `banner${notice.bad ? ' bad' : ''}`, role: 'status' }, icon(notice.bad ? 'error' : 'pass'), h('span', null, notice.text))
          : null,
      );
    if (r === 'list') replaceRegion(regions.list, list(state));
  }
}

// ---------------------------------------------------------------- month to date and chart

function stat(label: string, value: string, title?: string) {
  return h('div', { class: 'stat', title }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
}

function summary(s: ActivityState): HTMLElement {
  const m = s.month;
  const allowance =
    m.allowance.unit === 'requests'
      ? { used: m.byokRequests, of: m.allowance.amount, text: `${count(m.byokRequests)} of ${count(m.allowance.amount)} free BYOK requests` }
      : { used: m.byokListUsd, of: m.allowance.amount, text: `${usd(m.byokListUsd)} of ${usd(m.allowance.amount)} free BYOK usage` };
  const share = allowance.of > 0 ? Math.min(1, allowance.used / allowance.of) : 1;
  const fill = h('div', { class: 'meter-fill' });
  // CSSOM, not a style attribute: the page's CSP allows no inline styles.
  fill.style.width = `${(share * 100).toFixed(2)}%`;
  const metricButton = (metric: ActivityUi['metric'], label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `seg${ui.metric === metric ? ' on' : ''}`,
        'aria-pressed': String(ui.metric === metric),
        'data-fid': `metric-${metric}`,
        'on:click': () => {
          setUi({ metric });
          render(['summary']);
        },
      },
      label,
    );
  return h(
    'section',
    { class: 'section', 'aria-label': 'Month to date' },
    h('h2', null, `${m.label} so far`),
    h(
      'div',
      { class: 'stats' },
      stat('requests', count(m.requests)),
      stat('BYOK requests', count(m.byokRequests)),
      stat('cost', usd(m.cost), 'What the serving routes charged'),
      stat('provider spend', usd(m.providerCost), 'Billed by your own provider accounts'),
      stat('pooled spend', usd(m.pooledCost), 'OpenRouter credit used by pooled access'),
      ...(m.unpriced ? [stat('unpriced', count(m.unpriced), 'Requests whose model has no known price: their cost is unknown, not $0')] : []),
      stat('BYOK fee', usd(m.fee), "What OpenRouter's BYOK would have charged on top"),
      stat('saved', usd(m.saving), 'Against the pooled price, after the fee'),
    ),
    h(
      'div',
      { class: 'allowance' },
      h(
        'div',
        {
          class: `meter${share >= 1 ? ' full' : share >= 0.8 ? ' high' : ''}`,
          role: 'meter',
          'aria-label': 'Free BYOK allowance used',
          'aria-valuemin': '0',
          'aria-valuemax': '100',
          'aria-valuenow': (share * 100).toFixed(1),
        },
        fill,
      ),
      h('span', { class: 'hint' }, allowance.text),
    ),
    h('div', { class: 'seg-group', role: 'group', 'aria-label': 'Chart shows' }, metricButton('requests', 'Requests'), metricButton('cost', 'Spend')),
    h('div', { class: 'seg-group', role: 'group', 'aria-label': 'Broken down by' }, ...BREAKDOWN_LABELS.map(([b, label]) => breakdownButton(b, label))),
    chart(ui.breakdown === 'provider' ? s.days : s.daysBy[ui.breakdown], ui.metric, ui.breakdown),
  );
}

const BREAKDOWN_LABELS: [Breakdown, string][] = [
  ['provider', 'Provider'],
  ['key', 'Key'],
  ['model', 'Model'],
  ['caller', 'Caller'],
];

function breakdownButton(b: Breakdown, label: string) {
  return h(
    'button',
    {
      type: 'button',
      class: `seg${ui.breakdown === b ? ' on' : ''}`,
      'aria-pressed': String(ui.breakdown === b),
      'data-fid': `by-${b}`,
      'on:click': () => {
        setUi({ breakdown: b });
        render(['summary']);
      },
    },
    label,
  );
}

// ---------------------------------------------------------------- filters

const RANGE_LABELS: Record<ActivityFilter['range'], string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  all: 'All time',
};

function select(id: string, label: string, value: string | undefined, options: { value: string; label: string }[], onChange: (v: string | undefined) => void) {
  return h(
    'div',
    { class: 'filter' },
    h('label', { class: 'field-label', for: id }, label),
    h(
      'vscode-single-select',
      { id, 'data-fid': id, 'on:change': (e: Event) => onChange((e.currentTarget as HTMLSelectElement).value || undefined) },
      options.map((o) => h('vscode-option', { value: o.value, selected: o.value === (value ?? '') }, o.label)),
    ),
  );
}

function setFilter(patch: Partial<ActivityFilter>) {
  const filter: ActivityFilter = { ...ui.filter, ...patch };
  for (const k of Object.keys(filter) as (keyof ActivityFilter)[]) if (filter[k] === undefined) delete filter[k];
  setUi({ filter });
  void client.request({ op: 'setFilter', filter }).catch((e: Error) => showNotice(e.message, true));
}

function showNotice(text: string, bad: boolean) {
  notice = { text, bad };
  announce(text);
  render(['notice']);
}

async function exportAs(format: 'csv' | 'json') {
  try {
    const r = await client.request({ op: 'export', format });
    if (r.saved) showNotice(`Exported ${plural(r.count, 'generation')} to ${r.saved}`, false);
  } catch (e) {
    showNotice((e as Error).message, true);
  }
}

function filters(s: ActivityState): HTMLElement {
  const f = s.filter;
  const any = (label: string) => ({ value: '', label });
  return h(
    'section',
    { class: 'section filters', 'aria-label': 'Filters' },
    h(
      'div',
      { class: 'filter-grid' },
      select(
        'f-range',
        'Time',
        f.range,
        (Object.keys(RANGE_LABELS) as ActivityFilter['range'][]).map((r) => ({ value: r, label: RANGE_LABELS[r] })),
        (v) => setFilter({ range: (v ?? '7d') as ActivityFilter['range'] }),
      ),
      select('f-caller', 'Caller', f.caller, [any('Any caller'), ...s.choices.callers.map((c) => ({ value: c, label: c }))], (v) => setFilter({ caller: v })),
      select('f-provider', 'Provider', f.provider, [any('Any provider'), ...s.choices.providers.map((p) => ({ value: p, label: p }))], (v) =>
        setFilter({ provider: v }),
      ),
      select(
        'f-key',
        'Key',
        f.keyId,
        [any('Any key'), ...s.choices.keys.map((k) => ({ value: k.id, label: k.provider ? `${k.provider} / ${k.name}` : k.name }))],
        (v) => setFilter({ keyId: v }),
      ),
      select(
        'f-outcome',
        'Outcome',
        f.outcome,
        [any('Any outcome'), { value: 'success', label: 'Success' }, { value: 'error', label: 'Error' }, { value: 'cancelled', label: 'Cancelled' }],
        (v) => setFilter({ outcome: v as ActivityFilter['outcome'] }),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('vscode-button', { secondary: true, icon: 'export', 'data-fid': 'export-csv', 'on:click': () => void exportAs('csv') }, 'Export CSV'),
      h('vscode-button', { secondary: true, icon: 'json', 'data-fid': 'export-json', 'on:click': () => void exportAs('json') }, 'Export JSON'),
      h('vscode-button', { secondary: true, icon: 'refresh', 'data-fid': 'refresh', 'on:click': () => void client.request({ op: 'refresh' }) }, 'Refresh'),
    ),
  );
}

// ---------------------------------------------------------------- generations

function outcomeBadge(g: GenerationRow) {
  const kind = g.outcome === 'success' ? 'ok' : g.outcome === 'cancelled' ? 'muted' : 'bad';
  const text = g.outcome === 'success' ? 'success' : g.outcome === 'cancelled' ? 'cancelled' : (g.errorKind ?? 'error');
  return h('span', { class: `badge outcome-${kind}` }, icon(kind === 'ok' ? 'pass' : kind === 'bad' ? 'error' : 'circle-slash'), ` ${text}`);
}

function tokens(p?: number, c?: number) {
  return p === undefined && c === undefined ? '—' : `${count(p ?? 0)} → ${count(c ?? 0)} tok`;
}

/** The prompt-cache share of the input: read from the cache (cheap) and written to it. */
function cacheTokens(read?: number, write?: number): string | undefined {
  const parts = [read ? `${count(read)} read` : '', write ? `${count(write)} written` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function attemptItem(a: AttemptRow, i: number): HTMLElement {
  const who = a.route === 'pooled' ? `pooled (OpenRouter${a.caller ? `, caller "${a.caller}"` : ''})` : `${a.provider} / key "${a.keyName ?? '?'}"`;
  const fields: [string, string][] = [
    ['route', a.route === 'pooled' ? 'pooled' : (a.tier ?? 'byok')],
    ['provider', a.provider],
    ['model', a.nativeModel],
    ['HTTP', a.status === undefined ? '—' : String(a.status)],
    ['error', a.errorKind ?? '—'],
    ['latency', ms(a.latencyMs)],
    ['first byte', ms(a.ttfbMs)],
    ['retry after', a.retryAfterMs === undefined ? '—' : ms(a.retryAfterMs)],
    ['tokens', tokens(a.promptTokens, a.completionTokens)],
    ['cache', cacheTokens(a.cacheReadTokens, a.cacheWriteTokens) ?? '—'],
    ['cost', usd(a.cost)],
  ];
  return h(
    'li',
    { class: `attempt ${a.ok ? 'ok' : 'bad'}`, 'data-attempt': String(i + 1) },
    h(
      'div',
      { class: 'attempt-title' },
      icon(a.ok ? 'pass' : 'error'),
      h('strong', null, ` ${i + 1}. ${who}`),
      a.status !== undefined ? h('span', { class: 'badge' }, String(a.status)) : null,
    ),
    h(
      'dl',
      { class: 'attempt-fields' },
      fields.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    a.message ? h('div', { class: 'attempt-message' }, a.message) : null,
  );
}

function generationItem(g: GenerationRow): HTMLElement {
  const open = ui.open.includes(g.id);
  const detailsId = `gen-${g.id}`;
  const toggle = () => {
    setUi({ open: open ? ui.open.filter((x) => x !== g.id) : [...ui.open.slice(-50), g.id] });
    render(['list']);
  };
  return h(
    'li',
    { class: `generation ${g.outcome}`, 'data-generation': g.id },
    h(
      'button',
      { class: 'generation-summary', type: 'button', 'aria-expanded': String(open), 'aria-controls': detailsId, 'data-fid': `gen-${g.id}`, 'on:click': toggle },
      h(
        'div',
        { class: 'gen-line' },
        icon(open ? 'chevron-down' : 'chevron-right'),
        h('span', { class: 'gen-time' }, dateTime(g.startedAt)),
        h('span', { class: 'gen-model' }, g.model),
        g.servedModel ? h('span', { class: 'gen-model gen-fallback', title: 'Served by a model fallback' }, `→ ${g.servedModel}`) : null,
        outcomeBadge(g),
      ),
      h(
        'div',
        { class: 'gen-line hint' },
        h('span', null, `${g.surface} · ${g.caller}${g.folder ? ` · ${g.folder}` : ''}`),
        h('span', null, g.servedBy ? `→ ${g.servedBy}` : 'no route served'),
        h('span', null, plural(g.attempts.length, 'attempt')),
        h('span', null, ms(g.latencyMs)),
        h('span', null, tokens(g.promptTokens, g.completionTokens)),
        cacheTokens(g.cacheReadTokens, g.cacheWriteTokens)
          ? h(
              'span',
              { class: 'gen-cache', title: 'Prompt tokens read from and written to the provider’s prompt cache' },
              `cache ${cacheTokens(g.cacheReadTokens, g.cacheWriteTokens)!}`,
            )
          : null,
        h('span', null, usd(g.cost)),
        g.byokFee !== undefined
          ? h('span', { title: g.feeWaived ? 'Within the free allowance' : "OpenRouter's BYOK fee" }, `fee ${g.feeWaived ? 'waived' : usd(g.byokFee)}`)
          : null,
      ),
    ),
    open
      ? h(
          'div',
          { class: 'generation-details', id: detailsId },
          g.errorMessage ? h('div', { class: 'banner bad' }, icon('error'), h('span', null, g.errorMessage)) : null,
          g.saving !== undefined
            ? h('p', { class: 'hint' }, `Saved ${usd(g.saving)} against the pooled price${g.ttfbMs !== undefined ? ` · first byte ${ms(g.ttfbMs)}` : ''}`)
            : null,
          g.modelsGivenUp?.length
            ? h(
                'ul',
                { class: 'given-up', 'aria-label': 'Models given up' },
                g.modelsGivenUp.map((m) =>
                  h('li', { class: 'hint' }, icon('arrow-right'), ` Gave up ${m.model}${m.errorKind ? ` (${m.errorKind})` : ''}: ${m.reason}`),
                ),
              )
            : null,
          h('ol', { class: 'attempts', 'aria-label': 'Attempts' }, g.attempts.map(attemptItem)),
        )
      : null,
  );
}

function list(s: ActivityState): HTMLElement {
  return h(
    'section',
    { class: 'section', 'aria-label': 'Generations' },
    h(
      'h2',
      null,
      'Generations',
      h('span', { class: 'hint' }, ` newest first${s.truncated ? ` · the latest ${s.generations.length} shown; export for all` : ''}`),
    ),
    s.skipped ? h('p', { class: 'hint warn' }, icon('warning'), ` ${plural(s.skipped, 'unreadable line')} in the activity log were skipped.`) : null,
    s.generations.length
      ? h('ul', { class: 'generations' }, s.generations.map(generationItem))
      : h('p', { class: 'empty' }, 'No generations match these filters yet.'),
  );
}

root.replaceChildren(
  regions.summary,
  regions.notice,
  regions.filters,
  regions.list,
  h('p', { class: 'loading', 'aria-hidden': 'true' }, icon('loading'), ' Loading…'),
);
reportPageProblems(client);
client.ready({ filter: ui.filter });
