/** "Explain route": pick a model and a caller, see the plan in order and why keys were left out. Sends nothing to a provider. */
import type { ProvidersState } from '../../protocol/providers';
import { h, icon, type Child } from '../shared/dom';
import { clockTime, until } from '../shared/format';
import { chipEditor } from '../shared/chips';
import type { Ctx } from './context';
import { foldingSection } from './section';
import { modelSuggestions } from './key-row';

export function explainSection(ctx: Ctx, st: ProvidersState): HTMLElement {
  return foldingSection(ctx, { id: 'explain', title: 'Explain route', open: ctx.ui.sections.explain }, () => explainBody(ctx, st));
}

function explainBody(ctx: Ctx, st: ProvidersState): Child[] {
  const callers = st.callers.map((c) => c.name);
  const caller = callers.includes(ctx.ui.explain.caller) ? ctx.ui.explain.caller : st.caller;
  const model = ctx.ui.explain.model;
  const run = () => {
    const m = ctx.ui.explain.model.trim();
    if (!m) return;
    ctx.t.plan = { running: true };
    ctx.render(['explain']);
    ctx.client.request({ op: 'explain', scope: st.scope, model: m, caller }).then(
      (plan) => {
        ctx.t.plan = { running: false, plan };
        ctx.render(['explain']);
      },
      (e: Error) => {
        ctx.t.plan = { running: false, error: e.message };
        ctx.render(['explain']);
      },
    );
  };

  // One model at a time: the chip editor gives the catalog autocomplete, its single chip the choice.
  const modelField = chipEditor({
    fid: 'explain-model',
    label: 'Model',
    allLabel: 'No model chosen',
    placeholder: 'type a model slug',
    values: model ? [model] : null,
    suggest: modelSuggestions(st.models.filter((m) => !m.includes('*'))),
    freeText: true,
    validate: (v) => (v.includes('*') ? 'Pick one model, not a pattern' : undefined),
    onChange: (v) => {
      ctx.setUi({ explain: { ...ctx.ui.explain, model: v?.[v.length - 1] ?? '' } }, ['explain']);
      if (v?.length) run();
    },
  });

  const callerSelect = h(
    'vscode-single-select',
    {
      id: 'explain-caller',
      'data-fid': 'explain-caller',
      'aria-label': 'Caller',
      'on:change': (e: Event) => ctx.setUi({ explain: { ...ctx.ui.explain, caller: (e.currentTarget as HTMLSelectElement).value } }),
    },
    callers.map((c) => h('vscode-option', { value: c, selected: c === caller }, c === st.caller ? `${c} (this scope)` : c)),
  );

  return [
    h('p', { class: 'hint' }, 'The keys a request would try, in order, with the reasons the others are left out. Nothing is sent.'),
    modelField,
    h('div', { class: 'field inline' }, h('label', { class: 'field-label', for: 'explain-caller' }, 'Caller'), callerSelect),
    h('vscode-button', { icon: 'debug-alt', 'data-fid': 'explain-run', disabled: !model, 'on:click': run }, 'Explain'),
    planResult(ctx, st.now),
  ];
}

function planResult(ctx: Ctx, now: number): HTMLElement | null {
  const p = ctx.t.plan;
  if (!p) return null;
  if (p.running) return h('vscode-progress-ring', { 'aria-label': 'Explaining' });
  if ('error' in p) return h('div', { class: 'banner bad', role: 'alert' }, icon('error'), h('span', null, p.error));
  const plan = p.plan;
  return h(
    'div',
    { class: 'plan', role: 'region', 'aria-label': `Plan for ${plan.model}` },
    h('h3', null, `Plan for ${plan.model} as "${plan.caller}"`),
    plan.routes.length
      ? h(
          'ol',
          { class: 'plan-routes' },
          plan.routes.map((r) =>
            h(
              'li',
              { class: r.skipReason ? 'skipped' : undefined },
              h('span', { class: `badge tier-${r.route === 'pooled' ? 'pooled' : r.tier}` }, r.route === 'pooled' ? 'pooled' : r.tier!),
              ` ${r.label}`,
              r.route === 'byok' ? h('span', { class: 'hint' }, ` → ${r.nativeModel}`) : null,
              r.skipReason
                ? h(
                    'div',
                    { class: 'hint warn' },
                    icon('watch'),
                    ` skipped ${r.skippedUntil ? `until ${clockTime(r.skippedUntil)} (${until(r.skippedUntil, now)})` : 'until its value is replaced'}: ${r.skipReason}`,
                  )
                : null,
            ),
          ),
        )
      : h('p', { class: 'banner bad' }, icon('error'), ' No route can serve this request.'),
    plan.alwaysUse.length
      ? h('p', { class: 'hint warn' }, icon('lock'), ` Always use (${plan.alwaysUse.join(', ')}): the plan ends with your own keys.`)
      : null,
    ...(plan.alwaysUseBlocked ?? []).map((b) => h('p', { class: 'banner bad' }, icon('error'), ` ${b}`)),
    plan.excluded.filter((e) => e.reason !== 'not_served').length
      ? h(
          'div',
          null,
          h('h4', null, 'Left out'),
          h(
            'ul',
            { class: 'plan-excluded' },
            plan.excluded.filter((e) => e.reason !== 'not_served').map((e) => h('li', null, h('strong', null, e.who), `: ${e.detail}`)),
          ),
        )
      : null,
    plan.excluded.some((e) => e.reason === 'not_served')
      ? h(
          'p',
          { class: 'hint' },
          `Not serving ${plan.model}: ${plan.excluded
            .filter((e) => e.reason === 'not_served')
            .map((e) => e.who)
            .join(', ')}`,
        )
      : null,
  );
}
