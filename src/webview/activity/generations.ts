/** Every generation newest first; expanding one shows each attempt with its provider's response. */
import type { ActivityState, AttemptRow, GenerationRow } from '../../protocol/activity';
import { h, icon } from '../shared/dom';
import { count, dateTime, ms, plural, usd } from '../shared/format';
import type { Ctx } from './context';

function outcomeBadge(g: GenerationRow) {
  const kind = g.outcome === 'success' ? 'ok' : g.outcome === 'cancelled' ? 'muted' : 'bad';
  const text = g.outcome === 'success' ? 'success' : g.outcome === 'cancelled' ? 'cancelled' : (g.errorKind ?? 'error');
  return h('span', { class: `badge outcome-${kind}` }, icon(kind === 'ok' ? 'pass' : kind === 'bad' ? 'error' : 'circle-slash'), ` ${text}`);
}

function tokens(p?: number, c?: number) {
  return p === undefined && c === undefined ? '—' : `${count(p ?? 0)} → ${count(c ?? 0)} tok`;
}

/** The prompt-cache share of the input: read from the cache (cheap) and written to it. */
function cacheTokens(read?: number, write?: number): string | undefined {
  const parts = [read ? `${count(read)} read` : '', write ? `${count(write)} written` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function attemptItem(a: AttemptRow, i: number): HTMLElement {
  const who = a.route === 'pooled' ? `pooled (OpenRouter${a.caller ? `, caller "${a.caller}"` : ''})` : `${a.provider} / key "${a.keyName ?? '?'}"`;
  const fields: [string, string][] = [
    ['route', a.route === 'pooled' ? 'pooled' : (a.tier ?? 'byok')],
    ['provider', a.provider],
    ['model', a.nativeModel],
    ['HTTP', a.status === undefined ? '—' : String(a.status)],
    ['error', a.errorKind ?? '—'],
    ['latency', ms(a.latencyMs)],
    ['first byte', ms(a.ttfbMs)],
    ['retry after', a.retryAfterMs === undefined ? '—' : ms(a.retryAfterMs)],
    ['tokens', tokens(a.promptTokens, a.completionTokens)],
    ['cache', cacheTokens(a.cacheReadTokens, a.cacheWriteTokens) ?? '—'],
    ['cost', usd(a.cost)],
  ];
  return h(
    'li',
    { class: `attempt ${a.ok ? 'ok' : 'bad'}`, 'data-attempt': String(i + 1) },
    h(
      'div',
      { class: 'attempt-title' },
      icon(a.ok ? 'pass' : 'error'),
      h('strong', null, ` ${i + 1}. ${who}`),
      a.status !== undefined ? h('span', { class: 'badge' }, String(a.status)) : null,
    ),
    h(
      'dl',
      { class: 'attempt-fields' },
      fields.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    a.message ? h('div', { class: 'attempt-message' }, a.message) : null,
  );
}

/** The line under the model: surface, caller, route, attempts, latency, tokens, cache, cost and fee. */
function generationFacts(g: GenerationRow): HTMLElement {
  const cache = cacheTokens(g.cacheReadTokens, g.cacheWriteTokens);
  return h(
    'div',
    { class: 'gen-line hint' },
    h('span', null, `${g.surface} · ${g.caller}${g.folder ? ` · ${g.folder}` : ''}`),
    h('span', null, g.servedBy ? `→ ${g.servedBy}` : 'no route served'),
    h('span', null, plural(g.attempts.length, 'attempt')),
    h('span', null, ms(g.latencyMs)),
    h('span', null, tokens(g.promptTokens, g.completionTokens)),
    cache ? h('span', { class: 'gen-cache', title: 'Prompt tokens read from and written to the provider’s prompt cache' }, `cache ${cache}`) : null,
    h('span', null, usd(g.cost)),
    g.byokFee !== undefined
      ? h('span', { title: g.feeWaived ? 'Within the free allowance' : "OpenRouter's BYOK fee" }, `fee ${g.feeWaived ? 'waived' : usd(g.byokFee)}`)
      : null,
  );
}

/** What an open generation shows: its error, its saving, the models given up, and every attempt. */
function generationDetails(g: GenerationRow, id: string): HTMLElement {
  return h(
    'div',
    { class: 'generation-details', id },
    g.errorMessage ? h('div', { class: 'banner bad' }, icon('error'), h('span', null, g.errorMessage)) : null,
    g.saving !== undefined
      ? h('p', { class: 'hint' }, `Saved ${usd(g.saving)} against the pooled price${g.ttfbMs !== undefined ? ` · first byte ${ms(g.ttfbMs)}` : ''}`)
      : null,
    g.modelsGivenUp?.length
      ? h(
          'ul',
          { class: 'given-up', 'aria-label': 'Models given up' },
          g.modelsGivenUp.map((m) =>
            h('li', { class: 'hint' }, icon('arrow-right'), ` Gave up ${m.model}${m.errorKind ? ` (${m.errorKind})` : ''}: ${m.reason}`),
          ),
        )
      : null,
    h('ol', { class: 'attempts', 'aria-label': 'Attempts' }, g.attempts.map(attemptItem)),
  );
}

function generationItem(ctx: Ctx, g: GenerationRow): HTMLElement {
  const open = ctx.ui.open.includes(g.id);
  const detailsId = `gen-${g.id}`;
  const toggle = () => ctx.setUi({ open: open ? ctx.ui.open.filter((x) => x !== g.id) : [...ctx.ui.open.slice(-50), g.id] }, ['list']);
  return h(
    'li',
    { class: `generation ${g.outcome}`, 'data-generation': g.id },
    h(
      'button',
      { class: 'generation-summary', type: 'button', 'aria-expanded': String(open), 'aria-controls': detailsId, 'data-fid': `gen-${g.id}`, 'on:click': toggle },
      h(
        'div',
        { class: 'gen-line' },
        icon(open ? 'chevron-down' : 'chevron-right'),
        h('span', { class: 'gen-time' }, dateTime(g.startedAt)),
        h('span', { class: 'gen-model' }, g.model),
        g.servedModel ? h('span', { class: 'gen-model gen-fallback', title: 'Served by a model fallback' }, `→ ${g.servedModel}`) : null,
        outcomeBadge(g),
      ),
      generationFacts(g),
    ),
    open ? generationDetails(g, detailsId) : null,
  );
}

export function generations(ctx: Ctx, s: ActivityState): HTMLElement {
  return h(
    'section',
    { class: 'section', 'aria-label': 'Generations' },
    h(
      'h2',
      null,
      'Generations',
      h('span', { class: 'hint' }, ` newest first${s.truncated ? ` · the latest ${s.generations.length} shown; export for all` : ''}`),
    ),
    s.skipped ? h('p', { class: 'hint warn' }, icon('warning'), ` ${plural(s.skipped, 'unreadable line')} in the activity log were skipped.`) : null,
    s.generations.length
      ? h(
          'ul',
          { class: 'generations' },
          s.generations.map((g) => generationItem(ctx, g)),
        )
      : h('p', { class: 'empty' }, 'No generations match these filters yet.'),
  );
}
