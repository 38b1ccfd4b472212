/** The scope selector, what the scope inherits or overrides, and its settings problems. */
import type { ProvidersState } from '../../protocol/providers';
import { h, icon } from '../shared/dom';
import { plural } from '../shared/format';
import type { Ctx } from './context';

export function header(ctx: Ctx, st: ProvidersState): HTMLElement[] {
  const scope = st.scopes.find((s) => s.id === st.scope)!;
  const out = [scopeBar(ctx, st, scope)];
  if (scope.kind === 'folder') out.push(folderBanner(ctx, st, scope));
  if (scope.kind === 'folder' && !st.trusted) out.push(restrictedBanner());
  if (st.problems.length) out.push(problemList(ctx, st));
  return out;
}

type Scope = ProvidersState['scopes'][number];

/** The scope selector and the button that opens the scope's settings file. */
function scopeBar(ctx: Ctx, st: ProvidersState, scope: Scope): HTMLElement {
  const select = h(
    'vscode-single-select',
    {
      id: 'scope',
      'data-fid': 'scope',
      'aria-label': 'Settings scope',
      'on:change': (e: Event) => {
        const value = (e.currentTarget as HTMLSelectElement).value;
        if (value === st.scope) return;
        ctx.setUi({ scope: value });
        void ctx.ask({ op: 'selectScope', scope: value });
      },
    },
    st.scopes.map((s) =>
      h(
        'vscode-option',
        { value: s.id, selected: s.id === st.scope, description: s.overrides.length ? `overrides ${s.overrides.join(', ')}` : undefined },
        s.kind === 'user' ? 'User settings' : `Folder: ${s.label}${s.overrides.length ? ' •' : ''}`,
      ),
    ),
  );
  return h(
    'div',
    { class: 'scope-bar' },
    h('label', { for: 'scope', class: 'field-label' }, 'Scope'),
    select,
    h(
      'vscode-button',
      {
        secondary: true,
        icon: 'go-to-file',
        'data-fid': 'open-settings',
        title: `Open the ${scope.kind === 'user' ? 'User' : 'folder'} settings file`,
        'on:click': () => void ctx.ask({ op: 'openSettings', scope: st.scope }),
      },
      'settings.json',
    ),
  );
}

/** What a folder scope inherits or overrides, with the way to change that. */
function folderBanner(ctx: Ctx, st: ProvidersState, scope: Scope): HTMLElement {
  return st.ownKeys
    ? h(
        'div',
        { class: 'banner', role: 'note' },
        icon('repo'),
        h(
          'span',
          null,
          `"${scope.label}" has its own key list${scope.overrides.length ? ` (overrides ${scope.overrides.join(', ')})` : ''}. Its order, filters and Always use apply to requests from this folder; key values are shared by id.`,
        ),
        h(
          'vscode-button',
          { secondary: true, 'data-fid': 'reset-folder', 'on:click': () => void ctx.ask({ op: 'resetFolder', scope: st.scope }) },
          'Reset to User keys',
        ),
      )
    : h(
        'div',
        { class: 'banner', role: 'note' },
        icon('info'),
        h('span', null, `"${scope.label}" uses your User keys. Editing them here first copies the list into this folder's settings.`),
        h(
          'vscode-button',
          { secondary: true, 'data-fid': 'customize', 'on:click': () => void ctx.ask({ op: 'customize', scope: st.scope }) },
          'Customize for this folder',
        ),
      );
}

function restrictedBanner(): HTMLElement {
  return h(
    'div',
    { class: 'banner warn', role: 'note' },
    icon('shield'),
    h('span', null, "Restricted Mode: this folder's routing settings are ignored; requests use your User settings."),
  );
}

/** The settings problems, folded behind their count. */
function problemList(ctx: Ctx, st: ProvidersState): HTMLElement {
  const open = ctx.ui.sections.problems;
  return h(
    'div',
    { class: 'problems' },
    h(
      'button',
      {
        class: 'section-toggle',
        type: 'button',
        'aria-expanded': String(open),
        'data-fid': 'problems',
        'on:click': () => ctx.setUi({ sections: { ...ctx.ui.sections, problems: !open } }, ['header']),
      },
      icon(open ? 'chevron-down' : 'chevron-right'),
      icon(st.problems.some((p) => p.severity === 'error') ? 'error' : 'warning'),
      ` ${plural(st.problems.length, 'settings problem')}`,
    ),
    open
      ? h(
          'ul',
          { class: 'problem-list' },
          st.problems.map((p) => h('li', { class: p.severity }, h('code', null, p.path), ` ${p.message}`)),
        )
      : null,
  );
}

export function errorBar(ctx: Ctx): HTMLElement | null {
  if (!ctx.t.error) return null;
  return h(
    'div',
    { class: 'banner bad', role: 'alert' },
    icon('error'),
    h('span', null, ctx.t.error),
    h(
      'button',
      {
        class: 'link',
        type: 'button',
        'aria-label': 'Dismiss',
        'data-fid': 'dismiss-error',
        'on:click': () => ((ctx.t.error = undefined), ctx.render(['error'])),
      },
      icon('close'),
    ),
  );
}
