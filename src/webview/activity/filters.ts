/** The filters over the generations (time, caller, provider, key, outcome) and the export and refresh actions. */
import type { ActivityFilter, ActivityState } from '../../protocol/activity';
import { h } from '../shared/dom';
import { plural } from '../shared/format';
import type { Ctx } from './context';

const RANGE_LABELS: Record<ActivityFilter['range'], string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  all: 'All time',
};

type Option = { value: string; label: string };

function select(id: string, label: string, value: string | undefined, options: Option[], onChange: (v: string | undefined) => void) {
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

function setFilter(ctx: Ctx, patch: Partial<ActivityFilter>) {
  const filter: ActivityFilter = { ...ctx.ui.filter, ...patch };
  for (const k of Object.keys(filter) as (keyof ActivityFilter)[]) if (filter[k] === undefined) delete filter[k];
  ctx.setUi({ filter });
  void ctx.client.request({ op: 'setFilter', filter }).catch((e: Error) => ctx.showNotice(e.message, true));
}

async function exportAs(ctx: Ctx, format: 'csv' | 'json') {
  try {
    const r = await ctx.client.request({ op: 'export', format });
    if (r.saved) ctx.showNotice(`Exported ${plural(r.count, 'generation')} to ${r.saved}`, false);
  } catch (e) {
    ctx.showNotice((e as Error).message, true);
  }
}

function filterSelects(ctx: Ctx, s: ActivityState): HTMLElement[] {
  const f = s.filter;
  const set = (patch: Partial<ActivityFilter>) => setFilter(ctx, patch);
  const any = (label: string): Option => ({ value: '', label });
  const ranges = (Object.keys(RANGE_LABELS) as ActivityFilter['range'][]).map((r) => ({ value: r, label: RANGE_LABELS[r] }));
  const outcomes = [any('Any outcome'), { value: 'success', label: 'Success' }, { value: 'error', label: 'Error' }, { value: 'cancelled', label: 'Cancelled' }];
  const keys = s.choices.keys.map((k) => ({ value: k.id, label: k.provider ? `${k.provider} / ${k.name}` : k.name }));
  return [
    select('f-range', 'Time', f.range, ranges, (v) => set({ range: (v ?? '7d') as ActivityFilter['range'] })),
    select('f-caller', 'Caller', f.caller, [any('Any caller'), ...s.choices.callers.map((c) => ({ value: c, label: c }))], (v) => set({ caller: v })),
    select('f-provider', 'Provider', f.provider, [any('Any provider'), ...s.choices.providers.map((p) => ({ value: p, label: p }))], (v) =>
      set({ provider: v }),
    ),
    select('f-key', 'Key', f.keyId, [any('Any key'), ...keys], (v) => set({ keyId: v })),
    select('f-outcome', 'Outcome', f.outcome, outcomes, (v) => set({ outcome: v as ActivityFilter['outcome'] })),
  ];
}

export function filters(ctx: Ctx, s: ActivityState): HTMLElement {
  const action = (fid: string, icon: string, label: string, run: () => void) =>
    h('vscode-button', { secondary: true, icon, 'data-fid': fid, 'on:click': run }, label);
  return h(
    'section',
    { class: 'section filters', 'aria-label': 'Filters' },
    h('div', { class: 'filter-grid' }, ...filterSelects(ctx, s)),
    h(
      'div',
      { class: 'actions' },
      action('export-csv', 'export', 'Export CSV', () => void exportAs(ctx, 'csv')),
      action('export-json', 'json', 'Export JSON', () => void exportAs(ctx, 'json')),
      action('refresh', 'refresh', 'Refresh', () => void ctx.client.request({ op: 'refresh' })),
    ),
  );
}
