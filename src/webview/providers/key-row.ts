/**
 * One key: name, masked tail, status, Test; its details hold Always use, the filters, expiry,
 * endpoint and the actions. The row itself is focusable: Alt+↑/↓ moves it (across the
 * Prioritized/Fallback boundary at the ends), ↑/↓ moves focus, Enter opens the details.
 */
import { modelPatternProblem, type KeyPatch, type KeyRow, type ProvidersState } from '../../protocol/providers';
import { chipEditor, rank } from '../shared/chips';
import { announce, h, icon, savedOnLeave, type Child, type Props } from '../shared/dom';
import { clockTime, daysUntil, ms, until } from '../shared/format';
import type { Ctx } from './context';
import { applyMove, slot, step, type Move } from './moves';
import { testResultLine } from './rows';

const STATUS: Record<KeyRow['status']['kind'], { icon: string; label: string }> = {
  healthy: { icon: 'pass', label: 'Healthy' },
  cooldown: { icon: 'watch', label: 'Cooldown' },
  auth: { icon: 'error', label: 'Failing auth' },
  expired: { icon: 'calendar', label: 'Expired' },
  no_secret: { icon: 'warning', label: 'No secret' },
  disabled: { icon: 'circle-slash', label: 'Disabled' },
};

export function statusText(s: KeyRow['status'], now: number): string {
  if (s.kind === 'cooldown' && s.until) return `Cooldown until ${clockTime(s.until)} (${until(s.until, now)})`;
  return STATUS[s.kind].label;
}

export function statusBadge(s: KeyRow['status'], now: number): HTMLElement {
  const text = statusText(s, now);
  return h(
    'span',
    { class: `status status-${s.kind}`, title: s.detail ? `${text}: ${s.detail}` : text },
    icon(STATUS[s.kind].icon),
    h('span', { class: 'status-text' }, text),
  );
}

/** Catalog slugs plus `vendor/*` globs, so a whole vendor is one suggestion away. */
export function modelSuggestions(models: readonly string[]): (text: string, chosen: readonly string[]) => string[] {
  const vendors = [...new Set(models.map((m) => m.split('/')[0]!).filter(Boolean))].map((v) => `${v}/*`);
  const all = [...vendors, ...models];
  return (text, chosen) => {
    const ranked = rank(all, text, chosen);
    // Whatever glob the user is typing is itself a suggestion.
    if (text.includes('*') && !ranked.includes(text) && !chosen.includes(text)) ranked.unshift(text);
    return ranked;
  };
}

export function moveKey(ctx: Ctx, m: Move, name: string) {
  const st = ctx.state;
  if (!st) return;
  ctx.state = { ...st, keys: applyMove(st.keys, m) };
  const pending: Ctx['t']['moves'][number] = { move: m };
  ctx.t.moves.push(pending);
  ctx.render(['cards']);
  const moved = ctx.state.keys.find((k) => k.id === m.keyId)!;
  const peers = slot(ctx.state.keys, moved.provider, m.tier);
  announce(
    `Moved "${name}" to position ${peers.findIndex((k) => k.id === m.keyId) + 1} of ${peers.length} in ${m.tier === 'prioritized' ? 'Prioritized' : 'Fallback'}`,
  );
  ctx.client.request({ op: 'moveKey', scope: st.scope, keyId: m.keyId, tier: m.tier, index: m.index }).then(
    () => (pending.until = Date.now() + 2_000),
    (e: Error) => {
      // A refused move is not replayed; asking for the scope again brings back where the key really is.
      ctx.t.moves = ctx.t.moves.filter((p) => p !== pending);
      ctx.t.error = e.message;
      announce(`Not moved: ${e.message}`);
      ctx.render(['error']);
      void ctx.ask({ op: 'selectScope', scope: st.scope });
    },
  );
}

function button(label: string, iconName: string, fid: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; title?: string } = {}) {
  return h(
    'vscode-button',
    { secondary: opts.secondary ?? true, icon: iconName, 'data-fid': fid, disabled: opts.disabled, title: opts.title, 'on:click': onClick },
    label,
  );
}

/** Status and badges, on a line of their own so a narrow side bar never clips the name. */
function keyMeta(st: ProvidersState, k: KeyRow): HTMLElement {
  const expiryBadge =
    k.expiry === 'soon' && k.expiresAt
      ? h('span', { class: 'badge badge-warning', title: `Expires on ${k.expiresAt}` }, icon('calendar'), ` Expires in ${daysUntil(k.expiresAt, st.now)} d`)
      : null;
  const mark =
    k.mark === 'added'
      ? h('span', { class: 'badge badge-mark', title: 'Listed in this folder only' }, 'folder only')
      : k.mark === 'changed'
        ? h('span', { class: 'badge badge-mark', title: 'This folder changes the User entry (order aside)' }, 'overridden')
        : null;

  return h(
    'div',
    { class: 'key-meta' },
    statusBadge(k.status, st.now),
    k.alwaysUse ? h('span', { class: 'badge badge-always', title: 'Always use for this provider' }, icon('lock'), ' Always use') : null,
    k.budget && k.budget.ratio >= 0.8
      ? h(
          'span',
          {
            class: `badge badge-warning badge-budget${k.budget.ratio >= 1 ? ' over' : ''}`,
            'data-fid': 'budget',
            title: `Budget: ${k.budget.text}${k.budget.ratio >= 1 ? ' — skipped until the period ends' : ''}`,
          },
          icon('warning'),
          ` budget ${Math.floor(k.budget.ratio * 100)} %`,
        )
      : null,
    expiryBadge,
    mark,
  );
}

/** Under the summary: the last test's result, and what is wrong with the key. */
function rowNotes(ctx: Ctx, k: KeyRow): HTMLElement[] {
  const test = ctx.t.tests.get(k.id);
  const lines: HTMLElement[] = [];
  const result = testResultLine(
    test,
    (r) => `${r.message}${r.status ? ` (HTTP ${r.status}, ${ms(r.latencyMs)})` : ` (${ms(r.latencyMs)})`}`,
    h(
      'button',
      { class: 'link', type: 'button', 'aria-label': 'Dismiss the test result', 'on:click': () => (ctx.t.tests.delete(k.id), ctx.render(['cards'])) },
      icon('close'),
    ),
  );
  if (result) lines.push(result);
  if (k.unreachable) lines.push(h('div', { class: 'lint' }, icon('warning'), h('span', null, `Never reached: ${k.unreachable}.`)));
  for (const w of k.warnings) lines.push(h('div', { class: 'lint' }, icon('warning'), h('span', null, w)));
  if (k.status.kind === 'auth' && k.status.detail) lines.push(h('div', { class: 'lint bad' }, icon('error'), h('span', null, k.status.detail)));
  return lines;
}

/** Alt+↑/↓ moves the key (across the tier boundary at the ends), ↑/↓ moves focus, Enter/Space opens, Delete deletes. */
function rowKeydown(ctx: Ctx, st: ProvidersState, k: KeyRow, toggle: () => void, e: KeyboardEvent): void {
  if (e.target !== e.currentTarget) return;
  if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
    e.preventDefault();
    const m = step(st.keys, k.id, e.key === 'ArrowUp' ? -1 : 1);
    if (m) moveKey(ctx, m, k.name);
    else announce(`"${k.name}" is already ${e.key === 'ArrowUp' ? 'first' : 'last'}`);
  } else if (!e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
    e.preventDefault();
    const row = e.currentTarget as HTMLElement;
    const rows = Array.from(row.closest('.card')?.querySelectorAll<HTMLElement>('.key-row') ?? []);
    rows[rows.indexOf(row) + (e.key === 'ArrowUp' ? -1 : 1)]?.focus();
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    toggle();
  } else if (e.key === 'Delete') {
    e.preventDefault();
    void ctx.ask({ op: 'deleteKey', scope: st.scope, keyId: k.id });
  }
}

export function keyRow(ctx: Ctx, st: ProvidersState, k: KeyRow, position: { index: number; count: number }): HTMLElement {
  const open = ctx.ui.open.includes(k.id);
  const detailsId = `details-${k.id}`;
  const test = ctx.t.tests.get(k.id);
  const scope = st.scope;
  const toggle = () => ctx.setUi({ open: open ? ctx.ui.open.filter((x) => x !== k.id) : [...ctx.ui.open, k.id] }, ['cards']);
  const update = (patch: KeyPatch) => void ctx.ask({ op: 'updateKey', scope, keyId: k.id, patch });
  const runTest = async () => {
    ctx.t.tests.set(k.id, { running: true });
    ctx.render(['cards']);
    try {
      const result = await ctx.client.request({ op: 'testKey', scope, keyId: k.id });
      ctx.t.tests.set(k.id, { running: false, result });
      announce(`Test of "${k.name}": ${result.verdict === 'ok' ? 'passed' : result.verdict}. ${result.message}`);
    } catch (e) {
      ctx.t.tests.set(k.id, { running: false, error: (e as Error).message });
    }
    ctx.render(['cards']);
  };

  const tierLabel = k.tier === 'prioritized' ? 'Prioritized' : 'Fallback';
  const summary = h(
    'div',
    {
      class: 'key-summary',
      draggable: 'true',
      'on:dragstart': (e: DragEvent) => {
        ctx.t.dragging = { id: k.id, provider: k.provider };
        e.dataTransfer?.setData('text/x-byok-key', k.id);
        e.dataTransfer!.effectAllowed = 'move';
        (e.currentTarget as HTMLElement).closest('.key-row')?.classList.add('dragging');
      },
      'on:dragend': (e: DragEvent) => {
        ctx.t.dragging = undefined;
        (e.currentTarget as HTMLElement).closest('.key-row')?.classList.remove('dragging');
        for (const el of Array.from(document.querySelectorAll('.drop-before, .drop-after, .drop-into')))
          el.classList.remove('drop-before', 'drop-after', 'drop-into');
      },
    },
    h('span', { class: 'grip', title: 'Drag to reorder, or focus the row and press Alt+↑ / Alt+↓' }, icon('gripper')),
    h(
      'button',
      {
        class: 'expander',
        type: 'button',
        'aria-expanded': String(open),
        'aria-controls': detailsId,
        'aria-label': `${open ? 'Hide' : 'Show'} details of ${k.name}`,
        'data-fid': `exp-${k.id}`,
        'on:click': toggle,
      },
      icon(open ? 'chevron-down' : 'chevron-right'),
    ),
    h(
      'div',
      { class: 'key-main' },
      h(
        'div',
        { class: 'key-title' },
        h('span', { class: 'key-name', title: `${k.name} (${k.id})` }, k.name),
        k.source
          ? h('span', { class: 'key-source', title: `Resolved when needed; the value itself is never stored here. ${k.source}` }, icon('link'), k.source)
          : h('span', { class: 'key-tail', title: k.masked ? 'Last four characters of the stored value' : 'No value stored' }, k.masked ?? '—'),
      ),
      keyMeta(st, k),
    ),
    test?.running
      ? h('vscode-progress-ring', { class: 'test-ring', 'aria-label': `Testing ${k.name}` })
      : button('Test', 'beaker', `test-${k.id}`, () => void runTest(), { title: `Send the cheapest real request that proves "${k.name}" works` }),
  );

  const row = h(
    'li',
    {
      class: `key-row${k.disabled ? ' is-disabled' : ''}`,
      'data-key-id': k.id,
      'data-fid': `row-${k.id}`,
      tabindex: '0',
      'aria-label': `${k.name}, ${tierLabel} key ${position.index + 1} of ${position.count}, ${statusText(k.status, st.now)}${k.alwaysUse ? ', always use' : ''}`,
      'aria-describedby': 'reorder-help',
      'on:keydown': (e: KeyboardEvent) => rowKeydown(ctx, st, k, toggle, e),
    },
    summary,
    rowNotes(ctx, k),
    open ? details(ctx, st, k, detailsId, update) : null,
  );
  return row;
}

function details(ctx: Ctx, st: ProvidersState, k: KeyRow, id: string, update: (patch: KeyPatch) => void): HTMLElement {
  return h(
    'div',
    { class: 'key-details', id },
    ctx.t.renaming === k.id ? nameField(ctx, k, update) : null,
    k.tier === 'prioritized' ? alwaysField(k, update) : null,
    filterChips(st, k, update),
    expiryField(st, k, update),
    endpointField(st, k, update),
    keyActions(ctx, st, k, update),
  );
}

/** A labelled text field whose id is also its focus id; `after` goes below it (inline: beside it). */
function textField(id: string, label: string, props: Props, after: Child = null, layout: 'block' | 'inline' = 'block'): HTMLElement {
  return h(
    'div',
    { class: layout === 'inline' ? 'field inline' : 'field' },
    h('label', { class: 'field-label', for: id }, label),
    h('vscode-textfield', { id, 'data-fid': id, ...props }),
    after,
  );
}

/** The rename box, shown while a rename is in progress. */
function nameField(ctx: Ctx, k: KeyRow, update: (patch: KeyPatch) => void): HTMLElement {
  return textField(
    `name-${k.id}`,
    'Name',
    {
      '.value': k.name,
      'on:keydown': (e: KeyboardEvent) => {
        const field = e.currentTarget as HTMLInputElement;
        if (e.key === 'Enter' && field.value.trim()) {
          ctx.t.renaming = undefined;
          update({ name: field.value.trim() });
        } else if (e.key === 'Escape') {
          ctx.t.renaming = undefined;
          ctx.render(['cards']);
          document.querySelector<HTMLElement>(`[data-fid="rename-${CSS.escape(k.id)}"]`)?.focus();
        }
      },
    },
    h('div', { class: 'hint' }, 'Enter to save, Escape to cancel'),
  );
}

function alwaysField(k: KeyRow, update: (patch: KeyPatch) => void): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('vscode-checkbox', {
      label: 'Always use for this provider',
      '.checked': k.alwaysUse,
      'data-fid': `always-${k.id}`,
      'aria-describedby': `always-note-${k.id}`,
      'on:change': (e: Event) => update({ alwaysUse: (e.currentTarget as HTMLInputElement).checked }),
    }),
    h(
      'div',
      { class: `hint${k.alwaysUse ? ' warn' : ''}`, id: `always-note-${k.id}` },
      k.alwaysUse ? icon('warning') : null,
      ' Requests this key matches stay on your own keys: if they are rate-limited or down, the request fails instead of using pooled or fallback routes.',
    ),
  );
}

/** Which models and which callers may use the key. */
function filterChips(st: ProvidersState, k: KeyRow, update: (patch: KeyPatch) => void): HTMLElement[] {
  const callers = st.callers.map((c) => c.name);
  const models = chipEditor({
    fid: `models-${k.id}`,
    label: 'Models',
    allLabel: 'All models',
    placeholder: 'add a model or a glob such as anthropic/*',
    values: k.models,
    suggest: modelSuggestions(st.models),
    freeText: true,
    validate: modelPatternProblem,
    onChange: (v) => update({ models: v }),
  });
  const callerChips = chipEditor({
    fid: `callers-${k.id}`,
    label: 'Callers',
    allLabel: 'All callers',
    placeholder: callers.length ? 'add a caller' : 'define callers in Pooled access',
    values: k.callers,
    suggest: (text, chosen) => rank(callers, text, chosen),
    freeText: false,
    onChange: (v) => update({ callers: v }),
  });

  return [models, callerChips];
}

function expiryField(st: ProvidersState, k: KeyRow, update: (patch: KeyPatch) => void): HTMLElement {
  return textField(
    `expires-${k.id}`,
    'Expires',
    {
      type: 'date',
      ...savedOnLeave(k.expiresAt?.slice(0, 10) ?? '', (v) => update({ expiresAt: v || null })),
    },
    [
      k.expiresAt
        ? h('button', { class: 'link', type: 'button', 'data-fid': `noexp-${k.id}`, 'on:click': () => update({ expiresAt: null }) }, 'No expiry')
        : null,
      k.expiry === 'soon'
        ? h('span', { class: 'hint warn' }, icon('warning'), ` Expires in ${daysUntil(k.expiresAt!, st.now)} days: rotate it before then.`)
        : null,
      k.expiry === 'passed' ? h('span', { class: 'hint bad' }, icon('error'), ' Expired: this key is left out of every plan.') : null,
    ],
    'inline',
  );
}

/** The base URL override: edited in User scope only, shown read-only in a folder's. */
function endpointField(st: ProvidersState, k: KeyRow, update: (patch: KeyPatch) => void): HTMLElement | null {
  return st.scope === 'user'
    ? textField(
        `endpoint-${k.id}`,
        'Endpoint',
        {
          type: 'url',
          placeholder: "The provider's default",
          ...savedOnLeave(k.endpoint ?? '', (v) => {
            if (v.trim() !== (k.endpoint ?? '')) update({ endpoint: v.trim() || null });
          }),
        },
        h('div', { class: 'hint' }, 'Base URL override (a proxy, a private deployment). Kept in User settings only: a folder cannot redirect a key.'),
      )
    : k.endpoint
      ? h('div', { class: 'hint' }, `Endpoint (from User settings): ${k.endpoint}`)
      : null;
}

function keyActions(ctx: Ctx, st: ProvidersState, k: KeyRow, update: (patch: KeyPatch) => void): HTMLElement {
  const scope = st.scope;
  const up = step(st.keys, k.id, -1);
  const down = step(st.keys, k.id, 1);
  const other = k.tier === 'prioritized' ? 'fallback' : 'prioritized';
  return h(
    'div',
    { class: 'actions', role: 'toolbar', 'aria-label': `Actions for ${k.name}` },
    button('Rename', 'edit', `rename-${k.id}`, () => {
      ctx.t.renaming = k.id;
      ctx.render(['cards']);
      document.querySelector<HTMLElement>(`[data-fid="name-${CSS.escape(k.id)}"]`)?.focus();
    }),
    button('Rotate', 'key', `rotate-${k.id}`, () => void ctx.ask({ op: 'rotateKey', scope, keyId: k.id }), {
      title: 'Replace the stored value; name, tier, filters and order stay',
    }),
    button(k.disabled ? 'Enable' : 'Disable', k.disabled ? 'debug-start' : 'circle-slash', `disable-${k.id}`, () => update({ disabled: !k.disabled })),
    button('Move up', 'arrow-up', `up-${k.id}`, () => up && moveKey(ctx, up, k.name), { disabled: !up }),
    button('Move down', 'arrow-down', `down-${k.id}`, () => down && moveKey(ctx, down, k.name), { disabled: !down }),
    button(
      `Move to ${other === 'prioritized' ? 'Prioritized' : 'Fallback'}`,
      other === 'prioritized' ? 'arrow-circle-up' : 'arrow-circle-down',
      `tier-${k.id}`,
      () => moveKey(ctx, { keyId: k.id, tier: other, index: other === 'fallback' ? 0 : slot(st.keys, k.provider, 'prioritized').length }, k.name),
    ),
    button('Delete', 'trash', `delete-${k.id}`, () => void ctx.ask({ op: 'deleteKey', scope, keyId: k.id })),
  );
}
