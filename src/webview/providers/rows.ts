/** Pieces the list rows of the Routing policy and Pooled access sections share. */
import { h, icon, type Child } from '../shared/dom';

/** A row's heading line: an icon, the name, then its badges or controls. */
export function rowSummary(iconName: string, name: string, ...rest: Child[]): HTMLElement {
  return h('div', { class: 'key-summary caller-summary' }, icon(iconName), h('span', { class: 'key-name' }, name), ...rest);
}

/** A caller's heading line, marked when requests from the shown scope run as it. */
export function callerSummary(caller: string, scopeCaller: string, ...rest: Child[]): HTMLElement {
  const mark = caller === scopeCaller ? h('span', { class: 'badge badge-mark', title: 'Requests from this scope run as this caller' }, 'this scope') : null;
  return rowSummary('person', caller, mark, ...rest);
}
