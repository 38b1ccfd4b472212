/**
 * Pooled access: the callers, each with its OpenRouter key (add, rotate, test, delete), and which
 * caller each workspace folder runs as.
 */
import type { CallerRow, ProvidersState } from '../../protocol/providers';
import { announce, h, icon, type Child } from '../shared/dom';
import { ms } from '../shared/format';
import type { Ctx } from './context';
import { callerSummary, testResultLine } from './rows';
import { foldingSection } from './section';
import { statusBadge } from './key-row';

export function pooledSection(ctx: Ctx, st: ProvidersState): HTMLElement {
  return foldingSection(ctx, { id: 'pooled', title: 'Pooled access and callers', open: ctx.ui.sections.pooled }, () => pooledBody(ctx, st));
}

function pooledBody(ctx: Ctx, st: ProvidersState): Child[] {
  const folders = st.folders.length
    ? h(
        'div',
        { class: 'folders' },
        h('h3', { id: 'folder-callers' }, 'Caller of each folder'),
        h(
          'ul',
          { class: 'folder-list', 'aria-labelledby': 'folder-callers' },
          st.folders.map((f) =>
            h(
              'li',
              { class: 'folder-row', 'data-folder': f.name },
              h('span', { class: 'folder-name' }, icon('folder'), ` ${f.name}`),
              h(
                'vscode-single-select',
                {
                  // The list ends the page: open the options upwards, where there is room.
                  position: 'above',
                  'aria-label': `Caller of folder ${f.name}`,
                  'data-fid': `folder-caller-${f.id}`,
                  'on:change': (e: Event) => {
                    const caller = (e.currentTarget as HTMLSelectElement).value;
                    if (caller !== f.caller) void ctx.ask({ op: 'setFolderCaller', folder: f.id, caller });
                  },
                },
                [...new Set([f.caller, ...st.callers.map((c) => c.name)])].map((c) => h('vscode-option', { value: c, selected: c === f.caller }, c)),
              ),
            ),
          ),
        ),
      )
    : null;

  return [
    h('vscode-checkbox', {
      toggle: true,
      label: "Use pooled access through each caller's OpenRouter key",
      '.checked': st.pooled.enabled,
      'data-fid': 'pooled-enabled',
      'on:change': (e: Event) => void ctx.ask({ op: 'setPooled', scope: st.scope, enabled: (e.currentTarget as HTMLInputElement).checked }),
    }),
    h('p', { class: 'hint' }, `Tried after prioritized keys and before fallback keys, at ${st.pooled.baseUrl}.`),
    h(
      'ul',
      { class: 'caller-list', 'aria-label': 'Callers' },
      st.callers.map((c) => callerRow(ctx, st, c)),
    ),
    h(
      'vscode-button',
      { secondary: true, icon: 'add', 'data-fid': 'add-caller', 'on:click': () => void ctx.ask({ op: 'addCaller', scope: st.scope }) },
      'Add caller',
    ),
    folders,
  ];
}

function callerRow(ctx: Ctx, st: ProvidersState, c: CallerRow): HTMLElement {
  const testId = `caller:${c.name}`;
  const test = ctx.t.tests.get(testId);
  const runTest = async () => {
    ctx.t.tests.set(testId, { running: true });
    ctx.render(['pooled']);
    try {
      const result = await ctx.client.request({ op: 'testCaller', scope: st.scope, caller: c.name });
      ctx.t.tests.set(testId, { running: false, result });
      announce(`Test of caller "${c.name}": ${result.verdict}. ${result.message}`);
    } catch (e) {
      ctx.t.tests.set(testId, { running: false, error: (e as Error).message });
    }
    ctx.render(['pooled']);
  };
  const result = testResultLine(test, (r) => `${r.message} (${ms(r.latencyMs)})`);
  return h(
    'li',
    { class: 'caller-row', 'data-caller': c.name },
    callerSummary(
      c.name,
      st.caller,
      c.defined ? null : h('span', { class: 'badge badge-warning', title: 'Not listed in byokRouter.callers' }, 'not defined'),
      c.source
        ? h('span', { class: 'key-source', title: c.source }, icon('link'), c.source)
        : c.masked
          ? h('span', { class: 'key-tail' }, c.masked)
          : h('span', { class: 'hint warn', title: c.status.detail }, 'no OpenRouter key'),
      c.masked ? statusBadge(c.status, st.now) : null,
    ),
    c.description ? h('div', { class: 'hint' }, c.description) : null,
    result,
    h(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': `Actions for caller ${c.name}` },
      h(
        'vscode-button',
        { secondary: true, icon: 'key', 'data-fid': `caller-key-${c.name}`, 'on:click': () => void ctx.ask({ op: 'setCallerKey', caller: c.name }) },
        c.masked ? 'Rotate key' : 'Add OpenRouter key',
      ),
      c.masked
        ? test?.running
          ? h('vscode-progress-ring', { 'aria-label': `Testing caller ${c.name}` })
          : h('vscode-button', { secondary: true, icon: 'beaker', 'data-fid': `caller-test-${c.name}`, 'on:click': () => void runTest() }, 'Test')
        : null,
      c.masked
        ? h(
            'vscode-button',
            {
              secondary: true,
              icon: 'trash',
              'data-fid': `caller-delkey-${c.name}`,
              'on:click': () => void ctx.ask({ op: 'deleteCallerKey', caller: c.name }),
            },
            'Delete key',
          )
        : null,
      c.defined && c.name !== st.caller
        ? h(
            'vscode-button',
            {
              secondary: true,
              icon: 'close',
              'data-fid': `caller-remove-${c.name}`,
              'on:click': () => void ctx.ask({ op: 'removeCaller', scope: st.scope, caller: c.name }),
            },
            'Remove caller',
          )
        : null,
    ),
  );
}
