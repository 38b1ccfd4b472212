/**
 * A few lines of DOM building. Text goes in as text nodes, never as HTML, so nothing a settings
 * file or a provider's error message holds can become markup.
 *
 *   h('vscode-button', { class: 'primary', '.disabled': busy, 'on:click': save }, 'Save')
 *
 * `on:<event>` adds a listener, `.<prop>` sets a property (web components' values), anything
 * else is an attribute (true → present, false/undefined/null → absent).
 */
export type Child = Node | string | number | false | null | undefined | Child[];
export type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement;
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (tag === 'vscode-button' && typeof props?.icon === 'string') {
    // The element's own icon loads the codicon stylesheet into each new shadow root, so a
    // re-drawn button shows no icon for a moment; a slotted codicon is styled by the page.
    const { icon: name, ...rest } = props;
    props = rest;
    children = [icon(name as string), ...children];
  }
  for (const [k, v] of Object.entries(props ?? {})) {
    if (k.startsWith('on:')) {
      if (typeof v === 'function') el.addEventListener(k.slice(3), v as EventListener);
    } else if (k.startsWith('.')) {
      (el as unknown as Record<string, unknown>)[k.slice(1)] = v;
    } else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === false || c === null || c === undefined) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** A codicon, decorative unless labelled. */
export function icon(name: string, label?: string): HTMLElement {
  return h('i', { class: `codicon codicon-${name}`, 'aria-hidden': label ? undefined : 'true', role: label ? 'img' : undefined, 'aria-label': label });
}

let replacing = false;

/**
 * Props for a text field that saves when the user leaves it: on change, and on focus leaving it,
 * since a draft carried into a redrawn field (see `replaceRegion`) fires no change of its own.
 * `shown` is what the state holds; the field saves only text that differs from it, once.
 */
export function savedOnLeave(shown: string, save: (value: string) => void): Props {
  const leave = (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    // A field removed by a redraw is not the user leaving it: its draft moves to the new field.
    if (replacing || el.value === el.dataset.shown) return;
    el.dataset.shown = el.value;
    save(el.value);
  };
  return { '.value': shown, 'data-shown': shown, 'on:change': leave, 'on:focusout': leave };
}

/**
 * Replaces a region's content and keeps the user where they were: the element with the same
 * `data-fid` gets focus back, and scroll positions stay.
 */
export function replaceRegion(region: HTMLElement, ...children: Child[]): void {
  const active = document.activeElement as HTMLElement | null;
  const fid = active && region.contains(active) ? active.closest<HTMLElement>('[data-fid]')?.dataset.fid : undefined;
  // Half-typed text survives a state push that lands mid-typing: in fields marked `data-keep`
  // (chip inputs), and in fields that save on leave (`data-shown`) whose text is not yet saved.
  const kept = new Map<string, string>();
  for (const el of Array.from(region.querySelectorAll<HTMLInputElement>('[data-keep][data-fid]'))) if (el.value) kept.set(el.dataset.fid!, el.value);
  const drafts = new Map<string, string>();
  for (const el of Array.from(region.querySelectorAll<HTMLInputElement>('[data-shown][data-fid]')))
    if (el.value !== el.dataset.shown) drafts.set(el.dataset.fid!, el.value);
  const selection = active instanceof HTMLInputElement ? [active.selectionStart, active.selectionEnd] : undefined;
  const scrollY = window.scrollY;
  replacing = true;
  try {
    region.replaceChildren();
  } finally {
    replacing = false;
  }
  append(region, children);
  for (const [k, v] of kept) {
    const el = region.querySelector<HTMLInputElement>(`[data-keep][data-fid="${CSS.escape(k)}"]`);
    if (el && !el.value) el.value = v;
  }
  for (const [k, v] of drafts) {
    const el = region.querySelector<HTMLInputElement>(`[data-shown][data-fid="${CSS.escape(k)}"]`);
    if (el && el.dataset.shown !== v) el.value = v;
  }
  if (fid) {
    const next = region.querySelector<HTMLElement>(`[data-fid="${CSS.escape(fid)}"]`);
    next?.focus();
    const [start, end] = selection ?? [null, null];
    if (next instanceof HTMLInputElement && typeof start === 'number') next.setSelectionRange(start, end ?? start);
  }
  if (window.scrollY !== scrollY) window.scrollTo({ top: scrollY });
}

let liveRegion: HTMLElement | undefined;

/** Says something to screen readers without moving focus (a reorder, a test result). */
export function announce(message: string): void {
  if (!liveRegion) {
    liveRegion = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite', id: 'announcer' });
    document.body.appendChild(liveRegion);
  }
  liveRegion.textContent = '';
  // A fresh text node after clearing makes screen readers read a repeated message again.
  setTimeout(() => (liveRegion!.textContent = message), 30);
}
