/**
 * Routing policy for the selected scope: provider sort, stickiness, how each provider's keys
 * share the load (and their weights), model fallbacks, and per caller BYOK only and OpenRouter's
 * preferences for pooled requests. Each control writes one setting of the scope, as a hand edit.
 */
import type { BalanceStrategy, CallerPolicy, PolicyState, PreferenceField, Preferences, ProvidersState } from '../../protocol/providers';
import { chipEditor, rank } from '../shared/chips';
import { h, icon, savedOnLeave, type Child } from '../shared/dom';
import type { Ctx } from './context';
import { callerSummary, rowSummary } from './rows';
import { foldingSection } from './section';
import { modelSuggestions } from './key-row';

const MINUTE = 60_000;
const SORTS = [
  ['order', 'Order (as listed)'],
  ['price', 'Price (cheapest first)'],
  ['latency', 'Latency (fastest first)'],
  ['throughput', 'Throughput (most tokens/s first)'],
] as const;
const STRATEGIES: readonly [BalanceStrategy, string][] = [
  ['order', 'Order'],
  ['round-robin', 'Round-robin'],
  ['least-busy', 'Least busy'],
  ['weighted', 'Weighted'],
];
const TTLS = [0, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, 60 * MINUTE];

function ttlLabel(ms: number): string {
  if (ms === 0) return 'Off';
  if (ms % MINUTE === 0) return `${ms / MINUTE} min${ms === 10 * MINUTE ? ' (default)' : ''}`;
  return `${Math.round(ms / 1000)} s`;
}

function select(fid: string, label: string, options: readonly (readonly [string, string])[], value: string, onChange: (v: string) => void): HTMLElement {
  return h(
    'vscode-single-select',
    {
      'data-fid': fid,
      'aria-label': label,
      'on:change': (e: Event) => {
        const v = (e.currentTarget as HTMLSelectElement).value;
        if (v !== value) onChange(v);
      },
    },
    options.map(([v, text]) => h('vscode-option', { value: v, selected: v === value }, text)),
  );
}

/** A number field that sends when left: empty is "unset" (null). */
function numberField(fid: string, label: string, value: number | undefined, placeholder: string, onChange: (v: number | null) => void): HTMLElement {
  return h('vscode-textfield', {
    'data-fid': fid,
    'aria-label': label,
    type: 'number',
    min: '0',
    step: 'any',
    placeholder,
    ...savedOnLeave(value === undefined ? '' : String(value), (text) => {
      const raw = text.trim();
      const v = raw === '' ? null : Number(raw);
      if (v !== null && !Number.isFinite(v)) return;
      if (v !== (value ?? null)) onChange(v);
    }),
  });
}

export function policySection(ctx: Ctx, st: ProvidersState): HTMLElement {
  return foldingSection(ctx, { id: 'policy', title: 'Routing policy', open: ctx.ui.sections.policy ?? false, bodyClass: 'policy' }, () => policyBody(ctx, st));
}

function policyBody(ctx: Ctx, st: ProvidersState): Child[] | null {
  const p = st.policy;
  if (!p) return null;
  const scope = st.scope;
  return [
    h(
      'p',
      { class: 'hint' },
      st.scope === 'user' ? 'Written to your User settings.' : "Written to this folder's settings.",
      ' Applied in this order: filters → Always use → budgets → stickiness → sort/balance → tiers → model fallbacks.',
    ),
    h(
      'div',
      { class: 'field inline' },
      h('span', { class: 'field-label' }, 'Provider sort'),
      select(
        'policy-sort',
        'Provider sort',
        SORTS,
        p.providerSort,
        (v) => void ctx.ask({ op: 'setProviderSort', scope, sort: v as PolicyState['providerSort'] }),
      ),
    ),
    h(
      'div',
      { class: 'hint' },
      'Within a tier; pooled access keeps its place. Price from the catalog or a key\u2019s negotiated prices; latency and throughput from the last attempts.',
    ),
    h(
      'div',
      { class: 'field inline' },
      h('span', { class: 'field-label' }, 'Stickiness'),
      select(
        'policy-stickiness',
        'Stickiness',
        [...new Set([...TTLS, p.stickinessTtlMs])].sort((a, b) => a - b).map((ms) => [String(ms), ttlLabel(ms)] as const),
        String(p.stickinessTtlMs),
        (v) => void ctx.ask({ op: 'setStickiness', scope, ttlMs: Number(v) }),
      ),
    ),
    h('div', { class: 'hint' }, 'A conversation stays on the route that served it while it is healthy, so prompt caches keep paying off.'),
    balanceBlock(ctx, st, p),
    fallbacksBlock(ctx, st, p),
    callersBlock(ctx, st, p),
  ];
}

function balanceBlock(ctx: Ctx, st: ProvidersState, p: PolicyState): HTMLElement {
  return h(
    'div',
    { class: 'policy-block' },
    h('h3', { id: 'policy-balance' }, 'Spreading load across keys'),
    p.balance.length
      ? h(
          'ul',
          { class: 'caller-list', 'aria-labelledby': 'policy-balance' },
          p.balance.map((b) =>
            h(
              'li',
              { class: 'caller-row balance-row', 'data-provider': b.provider },
              rowSummary(
                'arrow-swap',
                b.label,
                select(
                  `balance-${b.provider}`,
                  `Balance of ${b.label} keys`,
                  STRATEGIES,
                  b.strategy,
                  (v) => void ctx.ask({ op: 'setBalance', scope: st.scope, provider: b.provider, strategy: v as BalanceStrategy }),
                ),
              ),
              b.strategy === 'weighted'
                ? h(
                    'ul',
                    { class: 'weight-list', 'aria-label': `Weights of ${b.label} keys` },
                    b.keys.map((k) =>
                      h(
                        'li',
                        { class: 'folder-row weight-row', 'data-key-id': k.id },
                        h('span', { class: 'folder-name' }, `${k.name} (${k.tier})`),
                        numberField(
                          `weight-${k.id}`,
                          `Weight of ${k.name}`,
                          k.weight,
                          '1',
                          (weight) => void ctx.ask({ op: 'updateKey', scope: st.scope, keyId: k.id, patch: { weight } }),
                        ),
                      ),
                    ),
                  )
                : null,
            ),
          ),
        )
      : h('p', { class: 'hint' }, 'A provider with two or more keys in one tier can spread its requests over them.'),
  );
}

/** The last row of the fallbacks list: pick a model, then the fallbacks it gets. */
function newFallbackRow(
  ctx: Ctx,
  exact: (text: string, chosen: readonly string[]) => string[],
  write: (model: string, fallbacks: string[]) => Promise<void>,
): HTMLElement {
  const adding = ctx.t.fallbackModel;
  return h(
    'li',
    { class: 'caller-row fallback-new' },
    h(
      'div',
      { class: 'policy-chips' },
      chipEditor({
        fid: 'fallbacks-new-model',
        label: 'Model to give fallbacks',
        allLabel: 'Add a model',
        placeholder: 'type a model slug',
        values: adding ? [adding] : null,
        suggest: exact,
        freeText: true,
        validate: (v) => (v.includes('*') ? 'Pick one model, not a pattern' : undefined),
        onChange: (v) => {
          ctx.t.fallbackModel = v?.[v.length - 1];
          ctx.render(['policy']);
        },
      }),
      adding
        ? chipEditor({
            fid: 'fallbacks-new-list',
            label: `Fallbacks of ${adding}`,
            allLabel: 'then try',
            placeholder: 'add a fallback model',
            values: null,
            suggest: exact,
            freeText: true,
            validate: (v) => (v.includes('*') ? 'A fallback is one model, not a pattern' : undefined),
            onChange: (v) => {
              if (!v?.length) return;
              void write(adding, v).then(() => {
                ctx.t.fallbackModel = undefined;
                ctx.render(['policy']);
              });
            },
          })
        : null,
    ),
  );
}

function fallbacksBlock(ctx: Ctx, st: ProvidersState, p: PolicyState): HTMLElement {
  const models = st.models.filter((m) => !m.includes('*'));
  const suggest = modelSuggestions(models);
  const exact = (text: string, chosen: readonly string[]) => suggest(text, chosen).filter((s) => !s.includes('*'));
  // A refused list (a slug nothing serves) is redrawn as settings hold it; the error bar says why.
  const write = (model: string, fallbacks: string[] | null) =>
    ctx.ask({ op: 'setModelFallbacks', scope: st.scope, model, fallbacks }).then(() => {
      ctx.t.policyRedraw = (ctx.t.policyRedraw ?? 0) + 1;
      ctx.render(['policy']);
    });
  const rows = p.modelFallbacks.map((f) =>
    h(
      'li',
      { class: 'caller-row fallback-row', 'data-model': f.model },
      rowSummary(
        'arrow-right',
        f.model,
        h(
          'vscode-button',
          { secondary: true, icon: 'close', 'data-fid': `fallbacks-remove-${f.model}`, 'on:click': () => void write(f.model, null) },
          'Remove',
        ),
      ),
      h(
        'div',
        { class: 'policy-chips' },
        chipEditor({
          fid: `fallbacks-${f.model}`,
          label: `Fallbacks of ${f.model}`,
          allLabel: 'No fallback',
          placeholder: 'add a model',
          values: f.fallbacks,
          suggest: exact,
          freeText: true,
          validate: (v) => (v.includes('*') ? 'A fallback is one model, not a pattern' : undefined),
          onChange: (v) => void write(f.model, v),
        }),
      ),
      f.problems.map((m) => h('div', { class: 'hint warn' }, icon('warning'), ` ${m}`)),
    ),
  );
  const add = newFallbackRow(ctx, exact, write);
  return h(
    'div',
    { class: 'policy-block' },
    h('h3', { id: 'policy-fallbacks' }, 'Model fallbacks'),
    h('p', { class: 'hint' }, "When every route of a model fails, the next model's routes are tried, in order."),
    h('ul', { class: 'caller-list', 'aria-labelledby': 'policy-fallbacks' }, rows, add),
  );
}

function patch(set: Preferences | undefined, unset: PreferenceField[]): { preferences?: Preferences; unset?: PreferenceField[] } {
  return { ...(set ? { preferences: set } : {}), ...(unset.length ? { unset } : {}) };
}

/** OpenRouter's provider preferences of one caller (or of all callers), each control sending only its field. */
function prefsEditor(
  providerIds: string[],
  who: string,
  fid: string,
  prefs: Preferences | undefined,
  send: (set: Preferences | undefined, unset: PreferenceField[]) => void,
): HTMLElement {
  const cur: Preferences = prefs ?? {};
  // Each control sends only its own field, so edits made before the view redraws do not undo each other.
  const setField = (field: PreferenceField, value: Preferences[keyof Preferences] | number | undefined) => {
    if (value === undefined) return send(undefined, [field]);
    if (field === 'max_price.prompt' || field === 'max_price.completion') return send({ max_price: { [field.slice(10)]: value } }, []);
    send({ [field]: value } as Preferences, []);
  };
  const list = (field: 'only' | 'ignore' | 'order', label: string) =>
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-label' }, label),
      chipEditor({
        fid: `prefs-${field}-${fid}`,
        label: `${label} for ${who}`,
        allLabel: 'Any',
        placeholder: 'an OpenRouter provider slug',
        values: cur[field] ?? null,
        suggest: (text, chosen) => rank(providerIds, text, chosen),
        freeText: true,
        onChange: (v) => setField(field, v ?? undefined),
      }),
    );
  const price = (field: 'prompt' | 'completion', label: string) =>
    numberField(`prefs-price-${field}-${fid}`, `${label} for ${who}`, cur.max_price?.[field], label, (v) => setField(`max_price.${field}`, v ?? undefined));
  return h(
    'div',
    { class: 'prefs' },
    h('vscode-checkbox', {
      label: 'Deny data collection (data_collection: deny)',
      '.checked': cur.data_collection === 'deny',
      'data-fid': `prefs-deny-${fid}`,
      'on:change': (e: Event) => setField('data_collection', (e.currentTarget as HTMLInputElement).checked ? 'deny' : undefined),
    }),
    h('vscode-checkbox', {
      label: 'Zero data retention endpoints only (zdr)',
      '.checked': cur.zdr === true,
      'data-fid': `prefs-zdr-${fid}`,
      'on:change': (e: Event) => setField('zdr', (e.currentTarget as HTMLInputElement).checked ? true : undefined),
    }),
    list('only', 'Only'),
    list('ignore', 'Ignore'),
    list('order', 'Order'),
    h(
      'div',
      { class: 'field inline' },
      h('span', { class: 'field-label' }, 'Sort'),
      select(
        `prefs-sort-${fid}`,
        `OpenRouter sort for ${who}`,
        [
          ['', "OpenRouter's default"],
          ['price', 'Price'],
          ['throughput', 'Throughput'],
          ['latency', 'Latency'],
        ],
        cur.sort ?? '',
        (v) => setField('sort', (v || undefined) as Preferences['sort']),
      ),
    ),
    h(
      'div',
      { class: 'field inline' },
      h('span', { class: 'field-label' }, 'Max price ($/M tokens)'),
      price('prompt', 'Prompt'),
      price('completion', 'Completion'),
    ),
  );
}

function callerRow(ctx: Ctx, st: ProvidersState, c: CallerPolicy): HTMLElement {
  return h(
    'li',
    { class: 'caller-row policy-caller', 'data-caller': c.name },
    callerSummary(c.name, st.caller, c.byokOnly ? h('span', { class: 'badge badge-warning', title: 'Never uses pooled access' }, 'BYOK only') : null),
    h(
      'div',
      { class: 'prefs' },
      h('vscode-checkbox', {
        toggle: true,
        label: 'BYOK only: never use pooled access, whatever the keys say',
        '.checked': c.byokOnly,
        'data-fid': `byok-only-${c.name}`,
        'on:change': (e: Event) =>
          void ctx.ask({ op: 'setCallerPolicy', scope: st.scope, caller: c.name, byokOnly: (e.currentTarget as HTMLInputElement).checked }),
      }),
    ),
    c.byokOnly
      ? null
      : prefsEditor(
          st.providers.map((x) => x.id),
          `caller ${c.name}`,
          c.name,
          c.preferences,
          (preferences) => void ctx.ask({ op: 'setCallerPolicy', scope: st.scope, caller: c.name, preferences }),
        ),
  );
}

function callersBlock(ctx: Ctx, st: ProvidersState, p: PolicyState): HTMLElement {
  const providerIds = st.providers.map((x) => x.id);
  return h(
    'div',
    { class: 'policy-block' },
    h('h3', { id: 'policy-callers' }, 'Pooled requests per caller'),
    h('p', { class: 'hint' }, "OpenRouter's provider preferences sent with pooled requests; a caller's own fields win over those of all callers."),
    h(
      'ul',
      { class: 'caller-list', 'aria-labelledby': 'policy-callers' },
      h(
        'li',
        { class: 'caller-row policy-caller', 'data-caller': '*' },
        rowSummary('organization', 'All callers'),
        prefsEditor(
          providerIds,
          'all callers',
          '*',
          p.preferences,
          (set, unset) => void ctx.ask({ op: 'setCallerPolicy', scope: st.scope, ...patch(set, unset) }),
        ),
      ),
      p.callers.map((c) => callerRow(ctx, st, c)),
    ),
  );
}
