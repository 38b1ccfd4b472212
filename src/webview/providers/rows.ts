/** Pieces the rows of the Providers view share: list headings, and the line a Test leaves. */
import type { TestResult } from '../../protocol/providers';
import { h, icon, type Child } from '../shared/dom';
import type { TestView } from './context';

/** A row's heading line: an icon, the name, then its badges or controls. */
export function rowSummary(iconName: string, name: string, ...rest: Child[]): HTMLElement {
  return h('div', { class: 'key-summary caller-summary' }, icon(iconName), h('span', { class: 'key-name' }, name), ...rest);
}

/** A caller's heading line, marked when requests from the shown scope run as it. */
export function callerSummary(caller: string, scopeCaller: string, ...rest: Child[]): HTMLElement {
  const mark = caller === scopeCaller ? h('span', { class: 'badge badge-mark', title: 'Requests from this scope run as this caller' }, 'this scope') : null;
  return rowSummary('person', caller, mark, ...rest);
}

/** What the last Test found, green or red, under the row that ran it; nothing while it runs. */
export function testResultLine(test: TestView | undefined, describe: (r: TestResult) => string, ...extra: Child[]): HTMLElement | null {
  if (!test || test.running) return null;
  const ok = 'result' in test && test.result.verdict === 'ok';
  return h(
    'div',
    { class: `test-result ${ok ? 'ok' : 'bad'}`, role: 'status' },
    icon(ok ? 'pass' : 'error'),
    h('span', null, 'result' in test ? describe(test.result) : test.error),
    ...extra,
  );
}
