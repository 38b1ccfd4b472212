/**
 * Provider cards, A–Z with configured providers first, each with a Prioritized and a Fallback
 * slot. Keys are dragged within a card, between its slots included; a drop lands before or after
 * the row under the pointer, or at the end of an empty slot.
 */
import type { InvalidKey, KeyRow, ProvidersState, Tier } from '../../protocol/providers';
import { h, icon } from '../shared/dom';
import { plural } from '../shared/format';
import type { Ctx } from './context';
import { keyRow, moveKey } from './key-row';
import { dropMove, slot } from './moves';

const TIER_TEXT: Record<Tier, { title: string; hint: string }> = {
  prioritized: { title: 'Prioritized keys', hint: 'Tried first, in this order, before pooled access.' },
  fallback: { title: 'Fallback keys', hint: 'Tried in this order only after pooled access fails.' },
};

export function cards(ctx: Ctx, st: ProvidersState): HTMLElement {
  const q = ctx.ui.search.trim().toLowerCase();
  const byProvider = new Map<string, KeyRow[]>();
  for (const k of st.keys) byProvider.set(k.provider, [...(byProvider.get(k.provider) ?? []), k]);
  const invalidBy = new Map<string, InvalidKey[]>();
  const orphans: InvalidKey[] = [];
  const known = new Set(st.providers.map((p) => p.id));
  for (const e of st.invalid) {
    if (e.provider && known.has(e.provider)) invalidBy.set(e.provider, [...(invalidBy.get(e.provider) ?? []), e]);
    else orphans.push(e);
  }
  const configured = (id: string) => byProvider.has(id) || invalidBy.has(id);
  const matches = (p: { id: string; label: string }) =>
    !q || p.id.includes(q) || p.label.toLowerCase().includes(q) || (byProvider.get(p.id) ?? []).some((k) => k.name.toLowerCase().includes(q));
  const list = st.providers.filter(matches).sort((a, b) => Number(configured(b.id)) - Number(configured(a.id)) || a.label.localeCompare(b.label));

  const children: HTMLElement[] = [];
  if (orphans.length && !q) children.push(invalidCard(orphans));
  for (const p of list) children.push(card(ctx, st, p, byProvider.get(p.id) ?? [], invalidBy.get(p.id) ?? []));
  if (!list.length) children.push(h('p', { class: 'empty' }, `No provider matches "${ctx.ui.search}".`));
  return h('div', { class: 'cards' }, children);
}

function invalidCard(entries: InvalidKey[]): HTMLElement {
  return h(
    'section',
    { class: 'card card-invalid', 'aria-label': 'Invalid key entries' },
    h('header', { class: 'card-header static' }, icon('error'), h('h3', null, 'Invalid key entries')),
    h('div', { class: 'card-body' }, entries.map(invalidEntry)),
  );
}

function invalidEntry(e: InvalidKey): HTMLElement {
  const title = e.name ?? e.id ?? `entry ${e.index + 1}`;
  return h(
    'div',
    { class: 'invalid-entry', role: 'group', 'aria-label': `Invalid entry ${title}`, 'data-invalid-index': String(e.index) },
    h(
      'div',
      { class: 'invalid-title' },
      icon('error'),
      h('strong', null, title),
      h('span', { class: 'hint' }, ` byokRouter.keys[${e.index}] — ignored until fixed`),
    ),
    h(
      'ul',
      { class: 'invalid-errors' },
      e.errors.map((x) => h('li', null, h('code', null, x.path), ` ${x.message}`)),
    ),
  );
}

function card(ctx: Ctx, st: ProvidersState, p: { id: string; label: string; keyUrl?: string }, keys: KeyRow[], invalid: InvalidKey[]): HTMLElement {
  const isConfigured = keys.length > 0 || invalid.length > 0;
  const searching = ctx.ui.search.trim().length > 0;
  // A card the user opened or closed stays so; otherwise configured cards start open.
  const chosen = ctx.ui.cards[p.id];
  const open = searching || (chosen ?? isConfigured);
  const bodyId = `card-${p.id}`;
  const unreachable = keys.filter((k) => k.unreachable);
  const failing = keys.filter((k) => k.status.kind === 'auth' || k.status.kind === 'no_secret').length;
  const cooling = keys.filter((k) => k.status.kind === 'cooldown').length;
  const summary = isConfigured
    ? [
        plural(keys.length, 'key'),
        cooling ? `${cooling} cooling down` : '',
        failing ? `${failing} failing` : '',
        invalid.length ? `${invalid.length} invalid` : '',
      ]
        .filter(Boolean)
        .join(' · ')
    : 'no keys';

  const header = h(
    'header',
    { class: 'card-header' },
    h(
      'button',
      {
        class: 'card-toggle',
        type: 'button',
        'aria-expanded': String(open),
        'aria-controls': bodyId,
        'data-fid': `card-${p.id}`,
        'on:click': () => ctx.setUi({ cards: { ...ctx.ui.cards, [p.id]: !open } }, ['cards']),
      },
      icon(open ? 'chevron-down' : 'chevron-right'),
      h('h3', null, p.label),
      h('span', { class: `card-summary${failing ? ' bad' : cooling ? ' warn' : ''}` }, summary),
    ),
    // Outside the toggle so it is its own tab stop; the editor opens https links in the browser.
    p.keyUrl ? h('a', { class: 'key-link', href: p.keyUrl, 'data-fid': `key-link-${p.id}`, title: `Get a ${p.label} key` }, 'Get a key') : null,
  );
  if (!open) return h('section', { class: `card${isConfigured ? '' : ' card-empty'}`, 'data-provider': p.id, 'aria-label': p.label }, header);

  const lint = unreachable.length
    ? h(
        'div',
        { class: 'lint card-lint', role: 'note' },
        icon('warning'),
        h(
          'span',
          null,
          `Fallback ${unreachable.length === 1 ? 'key' : 'keys'} ${unreachable.map((k) => `"${k.name}"`).join(', ')} can no longer be reached: ${unreachable[0]!.unreachable}.`,
        ),
      )
    : null;

  return h(
    'section',
    { class: 'card', 'data-provider': p.id, 'aria-label': p.label },
    header,
    h('div', { class: 'card-body', id: bodyId }, lint, invalid.map(invalidEntry), tierSlot(ctx, st, p, 'prioritized'), tierSlot(ctx, st, p, 'fallback')),
  );
}

/** Moves focus to a key's row once the state that holds it has been drawn. */
function focusRow(id: string, tries = 20) {
  const el = document.querySelector<HTMLElement>(`.key-row[data-key-id="${CSS.escape(id)}"]`);
  if (el) {
    el.focus();
    el.scrollIntoView({ block: 'nearest' });
  } else if (tries > 0) setTimeout(() => focusRow(id, tries - 1), 100);
}

function clearDropMarks() {
  for (const el of Array.from(document.querySelectorAll('.drop-before, .drop-after, .drop-into')))
    el.classList.remove('drop-before', 'drop-after', 'drop-into');
}

function tierSlot(ctx: Ctx, st: ProvidersState, p: { id: string; label: string }, tier: Tier): HTMLElement {
  const keys = slot(st.keys, p.id, tier);
  const canDrop = () => ctx.t.dragging?.provider === p.id;
  const list = h(
    'ol',
    {
      class: 'key-list',
      'data-tier': tier,
      'aria-label': `${p.label} ${TIER_TEXT[tier].title}`,
      'on:dragover': (e: DragEvent) => {
        if (!canDrop()) return;
        e.preventDefault();
        e.dataTransfer!.dropEffect = 'move';
        clearDropMarks();
        const row = (e.target as HTMLElement).closest<HTMLElement>('.key-row');
        if (row) {
          const r = row.getBoundingClientRect();
          row.classList.add(e.clientY < r.top + r.height / 2 ? 'drop-before' : 'drop-after');
        } else list.classList.add('drop-into');
      },
      'on:dragleave': (e: DragEvent) => {
        if (!list.contains(e.relatedTarget as Node)) clearDropMarks();
      },
      'on:drop': (e: DragEvent) => {
        const dragged = ctx.t.dragging;
        if (!dragged || dragged.provider !== p.id) return;
        e.preventDefault();
        clearDropMarks();
        const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.key-row');
        const target = rowEl ? keys.find((k) => k.id === rowEl.dataset.keyId) : undefined;
        let after = false;
        if (rowEl) {
          const r = rowEl.getBoundingClientRect();
          after = e.clientY >= r.top + r.height / 2;
        }
        ctx.t.dragging = undefined;
        if (target?.id === dragged.id) return;
        const name = st.keys.find((k) => k.id === dragged.id)?.name ?? dragged.id;
        moveKey(ctx, dropMove(st.keys, dragged.id, target, tier, after), name);
      },
    },
    keys.length
      ? keys.map((k, i) => keyRow(ctx, st, k, { index: i, count: keys.length }))
      : h('li', { class: 'empty-slot' }, tier === 'prioritized' ? 'No prioritized keys.' : 'No fallback keys.', ' Add one, or drag a key here.'),
  );
  return h(
    'div',
    { class: 'slot', 'data-tier': tier },
    h('div', { class: 'slot-header' }, h('h4', null, TIER_TEXT[tier].title), h('span', { class: 'hint' }, TIER_TEXT[tier].hint)),
    list,
    h(
      'vscode-button',
      {
        secondary: true,
        icon: 'add',
        class: 'add-key',
        'data-fid': `add-${p.id}-${tier}`,
        'on:click': async () => {
          const r = await ctx.ask({ op: 'addKey', scope: st.scope, provider: p.id, tier });
          if (r?.keyId) focusRow(r.keyId);
        },
      },
      `Add ${tier} key`,
    ),
  );
}
