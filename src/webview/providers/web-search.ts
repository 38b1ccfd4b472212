/**
 * Web search: the Firecrawl key in effect for this scope (masked tail, or where a referenced one
 * lives), the credits left, and when they expire — editable, since free credits lapse after three
 * months and people forget.
 */
import type { ProvidersState } from '../../protocol/providers';
import { announce, h, icon, savedOnLeave, type Child } from '../shared/dom';
import type { Ctx, TestView } from './context';
import { testResultLine } from './rows';
import { foldingSection } from './section';

type WebSearch = NonNullable<ProvidersState['webSearch']>;

/** Whose Firecrawl key this scope uses, and where its value lives (masked tail or reference). */
function keyLine(st: ProvidersState, w: WebSearch): HTMLElement {
  const whose = st.scope === 'user' ? 'Workspace key' : w.overridden ? `This folder's key (${w.keyId})` : 'Workspace key (this folder has none of its own)';
  return h(
    'div',
    { class: 'key-summary web-key' },
    icon('globe'),
    h('span', { class: 'key-name' }, 'Firecrawl'),
    h('span', { class: 'hint' }, whose),
    w.source
      ? h('span', { class: 'key-source', title: w.source }, icon('link'), w.source)
      : w.masked
        ? h('span', { class: 'key-tail' }, w.masked)
        : h('span', { class: 'hint warn' }, 'no Firecrawl key'),
  );
}

/** Credits left of the plan, as Firecrawl last reported them. */
function creditsLine(w: WebSearch): HTMLElement {
  return h(
    'div',
    { class: 'web-credits', 'data-fid': 'web-credits' },
    w.remainingCredits !== undefined
      ? h(
          'span',
          { class: 'credits-left' },
          `${w.remainingCredits.toLocaleString('en-US')} credits left${w.planCredits !== undefined ? ` of ${w.planCredits.toLocaleString('en-US')}` : ''}`,
        )
      : w.creditsError
        ? h('span', { class: 'hint warn credits-error' }, icon('warning'), ` ${w.creditsError}`)
        : h('span', { class: 'hint' }, 'credits not read yet'),
  );
}

/** The date the credits expire, editable, with the days left. */
function expiryField(ctx: Ctx, st: ProvidersState, w: WebSearch): HTMLElement {
  return h(
    'label',
    { class: 'field web-expiry' },
    h('span', null, 'Credits expire'),
    h('vscode-textfield', {
      type: 'date',
      'aria-label': 'Firecrawl credits expire on',
      'data-fid': 'web-expiry',
      ...savedOnLeave(w.expiresAt ?? '', (v) => {
        if (/^\d{4}-\d{2}-\d{2}$/.test(v) && v !== w.expiresAt) void ctx.ask({ op: 'setWebSearchExpiry', scope: st.scope, expiresAt: v });
      }),
    }),
    w.daysLeft !== undefined
      ? h(
          'span',
          { class: `badge ${w.daysLeft < 0 ? 'badge-warning' : w.daysLeft <= 14 ? 'badge-warning' : 'badge-mark'} web-days-left` },
          w.daysLeft < 0 ? 'expired' : w.daysLeft === 0 ? 'expires today' : `${w.daysLeft} day${w.daysLeft === 1 ? '' : 's'} left`,
        )
      : null,
  );
}

function keyActions(ctx: Ctx, st: ProvidersState, w: WebSearch, test: TestView | undefined, runTest: () => Promise<void>): HTMLElement {
  return h(
    'div',
    { class: 'actions', role: 'toolbar', 'aria-label': 'Firecrawl key actions' },
    h(
      'vscode-button',
      { secondary: !!w.configured, icon: 'key', 'data-fid': 'web-set-key', 'on:click': () => void ctx.ask({ op: 'setWebSearchKey', scope: st.scope }) },
      w.configured ? 'Replace key' : 'Add Firecrawl key',
    ),
    w.configured
      ? test?.running
        ? h('vscode-progress-ring', { 'aria-label': 'Reading Firecrawl credits' })
        : h('vscode-button', { secondary: true, icon: 'beaker', 'data-fid': 'web-test', 'on:click': () => void runTest() }, 'Test')
      : null,
    w.configured
      ? h(
          'vscode-button',
          { secondary: true, icon: 'trash', 'data-fid': 'web-delete', 'on:click': () => void ctx.ask({ op: 'deleteWebSearchKey', scope: st.scope }) },
          'Delete key',
        )
      : null,
  );
}

export function webSearchSection(ctx: Ctx, st: ProvidersState): HTMLElement | null {
  if (!st.webSearch) return null;
  return foldingSection(ctx, { id: 'web', title: 'Web search', open: ctx.ui.sections.web !== false, className: 'web-search' }, () => webSearchBody(ctx, st));
}

function webSearchBody(ctx: Ctx, st: ProvidersState): Child[] | null {
  const w = st.webSearch;
  if (!w) return null;

  const test = ctx.t.tests.get('web-search');
  const runTest = async () => {
    ctx.t.tests.set('web-search', { running: true });
    ctx.render(['web']);
    const r = await ctx.ask({ op: 'testWebSearch', scope: st.scope });
    ctx.t.tests.set(
      'web-search',
      r ? { running: false, result: { verdict: r.ok ? 'ok' : 'auth', message: r.message, latencyMs: 0 } } : { running: false, error: 'the test did not run' },
    );
    announce(r ? `Firecrawl: ${r.message}` : 'Firecrawl test failed');
    ctx.render(['web']);
  };

  const result = testResultLine(test, (r) => r.message);

  return [
    h(
      'p',
      { class: 'hint' },
      'Agents search the web with your Firecrawl key through the byok_webSearch tool and @byok /web.',
      w.byokOnly ? ' Always use: searches never go through OpenRouter.' : '',
    ),
    keyLine(st, w),
    w.configured ? creditsLine(w) : null,
    w.configured ? expiryField(ctx, st, w) : null,
    result,
    keyActions(ctx, st, w, test, runTest),
  ];
}
