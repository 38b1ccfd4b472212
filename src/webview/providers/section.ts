/** The folding sections below the cards (Explain route, Routing policy, Pooled access, Web search). */
import { h, icon, type Child } from '../shared/dom';
import type { Ctx } from './context';

/** Each section redraws as the region of the same name. */
export type SectionId = 'explain' | 'policy' | 'pooled' | 'web';

export interface SectionSpec {
  id: SectionId;
  title: string;
  open: boolean;
  /** Extra classes of the section, and of its body. */
  className?: string;
  bodyClass?: string;
}

/**
 * A section whose heading folds it. `body` runs only when the section is open; returning null
 * draws it folded (there is nothing to show yet).
 */
export function foldingSection(ctx: Ctx, spec: SectionSpec, body: () => Child[] | null): HTMLElement {
  const { id, title, open } = spec;
  const toggle = h(
    'button',
    {
      class: 'section-toggle',
      type: 'button',
      'aria-expanded': String(open),
      'aria-controls': `${id}-body`,
      'data-fid': `${id}-toggle`,
      'on:click': () => ctx.setUi({ sections: { ...ctx.ui.sections, [id]: !open } }, [id]),
    },
    icon(open ? 'chevron-down' : 'chevron-right'),
    h('h2', null, title),
  );
  const content = open ? body() : null;
  return h(
    'section',
    { class: spec.className ? `section ${spec.className}` : 'section', 'aria-label': title },
    toggle,
    content ? h('div', { id: `${id}-body`, class: spec.bodyClass ? `section-body ${spec.bodyClass}` : 'section-body' }, ...content) : null,
  );
}
