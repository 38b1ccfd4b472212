/**
 * A chip list with an autocompleting input (an ARIA combobox): "All" when empty, one chip per
 * value, suggestions as you type, Enter adds, Backspace on an empty input removes the last chip.
 */
import { h, icon } from './dom';

export interface ChipEditorOptions {
  /** Focus id; also prefixes the ids of the listbox and its options. */
  fid: string;
  label: string;
  /** Shown when there are no chips, e.g. "All models". */
  allLabel: string;
  placeholder: string;
  values: readonly string[] | null;
  suggest: (text: string, chosen: readonly string[]) => string[];
  /** Only suggestions may be added (callers), or anything that validates (model globs). */
  freeText: boolean;
  validate?: (value: string) => string | undefined;
  disabled?: boolean;
  onChange: (values: string[] | null) => void;
}

let seq = 0;

export function chipEditor(o: ChipEditorOptions): HTMLElement {
  const values = [...(o.values ?? [])];
  const listId = `${o.fid}-list-${++seq}`;
  const commit = (next: string[]) => o.onChange(next.length ? next : null);

  const error = h('div', { class: 'chip-error', role: 'alert', hidden: true });
  const list = h('ul', { class: 'suggestions', role: 'listbox', id: listId, hidden: true, 'aria-label': `${o.label} suggestions` });
  const input = comboboxInput(o, listId, values.length > 0);

  let options: string[] = [];
  let active = -1;
  const renderList = () => {
    list.replaceChildren(
      ...options.map((s, i) =>
        h(
          'li',
          {
            role: 'option',
            id: `${listId}-${i}`,
            class: i === active ? 'active' : undefined,
            'aria-selected': String(i === active),
            // mousedown, not click: the input keeps focus so the list does not close first.
            'on:mousedown': (e: Event) => {
              e.preventDefault();
              add(s);
            },
          },
          s,
        ),
      ),
    );
    const open = options.length > 0 && document.activeElement === input;
    list.hidden = !open;
    if (open) {
      // Like the editor's suggest widget: open upwards when the view has no room below.
      const box = input.getBoundingClientRect();
      list.classList.toggle('above', window.innerHeight - box.bottom < 160 && box.top > window.innerHeight - box.bottom);
    }
    input.setAttribute('aria-expanded', String(open));
    if (active >= 0) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
    else input.removeAttribute('aria-activedescendant');
    list.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  };
  const refresh = () => {
    // A long free-text list (every model) waits for typing; a short list of choices shows at once.
    const text = input.value.trim();
    options = text || !o.freeText ? o.suggest(text, values).slice(0, 50) : [];
    active = -1;
    renderList();
  };
  const showError = (msg: string | undefined) => {
    error.hidden = !msg;
    error.textContent = msg ?? '';
    input.setAttribute('aria-invalid', String(!!msg));
  };
  const add = (raw: string) => {
    const v = raw.trim();
    if (!v) return;
    if (values.includes(v)) return showError(`"${v}" is already in the list`);
    if (!o.freeText && !o.suggest('', []).includes(v)) return showError(`"${v}" is not one of the choices`);
    const problem = o.validate?.(v);
    if (problem) return showError(problem);
    showError(undefined);
    input.value = '';
    commit([...values, v]);
  };

  input.addEventListener('input', () => {
    showError(undefined);
    refresh();
  });
  input.addEventListener('focus', refresh);
  input.addEventListener('blur', () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!options.length) return;
      e.preventDefault();
      active = e.key === 'ArrowDown' ? (active + 1) % options.length : (active <= 0 ? options.length : active) - 1;
      renderList();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      add(active >= 0 ? options[active]! : input.value);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      e.stopPropagation();
      list.hidden = true;
      active = -1;
    } else if (e.key === 'Backspace' && !input.value && values.length) {
      e.preventDefault();
      commit(values.slice(0, -1));
    }
  });

  return h(
    'div',
    { class: 'chip-editor' },
    h('div', { class: 'chip-label' }, o.label),
    h(
      'div',
      { class: 'chip-box', role: 'group', 'aria-label': o.label },
      values.length ? null : h('span', { class: 'chip chip-all' }, o.allLabel),
      values.map((v) => chip(o, v, () => commit(values.filter((x) => x !== v)))),
      h('span', { class: 'chip-input-wrap' }, input, list),
    ),
    error,
  );
}

/** The text input of the combobox; its list of suggestions is `listId`. */
function comboboxInput(o: ChipEditorOptions, listId: string, hasValues: boolean): HTMLInputElement {
  return h('input', {
    class: 'chip-input',
    type: 'text',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-label': `Add to ${o.label}`,
    placeholder: hasValues ? o.placeholder : `${o.allLabel} — ${o.placeholder}`,
    spellcheck: 'false',
    autocomplete: 'off',
    'data-fid': o.fid,
    'data-keep': true,
    disabled: o.disabled,
  });
}

/** One value, with the button that removes it. */
function chip(o: ChipEditorOptions, v: string, remove: () => void): HTMLElement {
  return h(
    'span',
    { class: 'chip' },
    h('span', { class: 'chip-text' }, v),
    h(
      'button',
      {
        class: 'chip-remove',
        type: 'button',
        'aria-label': `Remove ${v} from ${o.label}`,
        title: 'Remove',
        disabled: o.disabled,
        'data-fid': `${o.fid}-rm-${v}`,
        'on:click': remove,
      },
      icon('close'),
    ),
  );
}

/** Suggestions that contain every typed word, the ones starting with the text first. */
export function rank(candidates: readonly string[], text: string, chosen: readonly string[]): string[] {
  const t = text.toLowerCase();
  const words = t.split(/\s+/).filter(Boolean);
  const left = candidates.filter((c) => !chosen.includes(c) && words.every((w) => c.toLowerCase().includes(w)));
  return left.sort((a, b) => Number(!a.toLowerCase().startsWith(t)) - Number(!b.toLowerCase().startsWith(t)) || a.localeCompare(b));
}
