/** Month-to-date totals, the free BYOK allowance meter, and the per-day chart with its switches. */
import type { ActivityState, Breakdown, MonthView } from '../../protocol/activity';
import { h } from '../shared/dom';
import { count, usd } from '../shared/format';
import { chart } from './chart';
import type { ActivityUi, Ctx } from './context';

const BREAKDOWN_LABELS: [Breakdown, string][] = [
  ['provider', 'Provider'],
  ['key', 'Key'],
  ['model', 'Model'],
  ['caller', 'Caller'],
];

function stat(label: string, value: string, title?: string) {
  return h('div', { class: 'stat', title }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
}

function stats(m: MonthView): HTMLElement {
  return h(
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
  );
}

function allowanceMeter(m: MonthView): HTMLElement {
  const allowance =
    m.allowance.unit === 'requests'
      ? { used: m.byokRequests, of: m.allowance.amount, text: `${count(m.byokRequests)} of ${count(m.allowance.amount)} free BYOK requests` }
      : { used: m.byokListUsd, of: m.allowance.amount, text: `${usd(m.byokListUsd)} of ${usd(m.allowance.amount)} free BYOK usage` };
  const share = allowance.of > 0 ? Math.min(1, allowance.used / allowance.of) : 1;
  const fill = h('div', { class: 'meter-fill' });
  // CSSOM, not a style attribute: the page's CSP allows no inline styles.
  fill.style.width = `${(share * 100).toFixed(2)}%`;
  return h(
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
  );
}

/** A pressed-or-not button of a segmented switch that sets one UI field and redraws the summary. */
function segment(ctx: Ctx, fid: string, on: boolean, label: string, patch: Partial<ActivityUi>) {
  return h(
    'button',
    { type: 'button', class: `seg${on ? ' on' : ''}`, 'aria-pressed': String(on), 'data-fid': fid, 'on:click': () => ctx.setUi(patch, ['summary']) },
    label,
  );
}

export function summary(ctx: Ctx, s: ActivityState): HTMLElement {
  const { ui } = ctx;
  const metric = (m: ActivityUi['metric'], label: string) => segment(ctx, `metric-${m}`, ui.metric === m, label, { metric: m });
  return h(
    'section',
    { class: 'section', 'aria-label': 'Month to date' },
    h('h2', null, `${s.month.label} so far`),
    stats(s.month),
    allowanceMeter(s.month),
    h('div', { class: 'seg-group', role: 'group', 'aria-label': 'Chart shows' }, metric('requests', 'Requests'), metric('cost', 'Spend')),
    h(
      'div',
      { class: 'seg-group', role: 'group', 'aria-label': 'Broken down by' },
      ...BREAKDOWN_LABELS.map(([b, label]) => segment(ctx, `by-${b}`, ui.breakdown === b, label, { breakdown: b })),
    ),
    chart(ui.breakdown === 'provider' ? s.days : s.daysBy[ui.breakdown], ui.metric, ui.breakdown),
  );
}
