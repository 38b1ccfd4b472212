/**
 * The Providers view's host side: builds the selected scope's state, and carries out what the
 * webview asks — every edit written to that scope's settings, every secret typed into the host's
 * password box. Settings edited by hand, secrets changed in another window and cooldowns that
 * start or end all refresh the view.
 */
import * as vscode from 'vscode';
import {
  describeBudget,
  describeReference,
  planRoute,
  formatBudgets,
  formatPlan,
  isProviderId,
  isReference,
  type KeyConfig,
  keyRouteId,
  isRecord,
  maskedTail,
  modelFallbackProblems,
  type Plan,
  pooledRouteId,
  readForTest,
  Redactor,
  routeLabel,
  type RouterConfig,
  systemClock,
  validateKey,
} from '../../core';
import { providersProtocol, USER_SCOPE, type PlanView, type ProvidersRequestBody, type ProvidersState, type TestResult } from '../../protocol/providers';
import type { Handlers } from './dispatch';
import { addCaller, addKeyEntry, entryId, moveKey, patchKey, removeCaller, setEndpoint, uniqueKeyId, withoutKey } from '../key-edits';
import { PROVIDER_LABELS, providerCards } from './provider-labels';
import { buildProvidersState } from './providers-model';
import { askCallerName, askExpiry, askKeyName, askSecret, confirm } from './prompts';
import { DEFAULT_WEB_KEY_ID, type WebSearchService, type WebSearchStatus } from '../web-search';
import type { WebSearchState } from '../../protocol/providers';
import { folders, parseUserSettings, readList, readOwn, requireScope, resolveScope, scopeInfos, write, type Scope } from './scopes';
import type { PanelServices } from './services';
import { PROVIDERS_PAGE } from './html';
import { PanelView } from './webview-channel';
import { policyHandlers } from './policy-host';
import { buildPolicyState } from './policy-model';

type Body<K extends ProvidersRequestBody['op']> = Extract<ProvidersRequestBody, { op: K }>;

export const PROVIDERS_VIEW_ID = 'byokRouter.providers';

/** A tail is an ellipsis and four characters; whitespace in them (a JSON secret's end) is shown as dots. */
function tailOf(secret: string | undefined): string | undefined {
  return secret ? maskedTail(secret).replace(/\s/g, '·') : undefined;
}

export class ProvidersViewProvider
  extends PanelView<ProvidersRequestBody, { scope?: string }, ProvidersState>
  implements vscode.WebviewViewProvider, vscode.Disposable
{
  private scopeId = USER_SCOPE;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** The last state drawn had a key with a budget. */
  private showsBudgets = false;

  constructor(services: PanelServices) {
    super(services, 'providers', PROVIDERS_PAGE, providersProtocol);
    const refresh = () => this.channel?.refresh();
    this.subscriptions = [
      services.settings.onDidChange(refresh),
      services.vault.onDidChange(refresh),
      services.routing.onDidChangeHealth(refresh),
      // A key's budget line moves with every generation; without budgets nothing here does.
      services.routing.onDidGenerate(() => {
        if (this.showsBudgets) refresh();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(refresh),
      ...(services.web ? [services.web.onDidChange(refresh)] : []),
    ];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.open(view, {
      onReady: (restored) => {
        if (restored?.scope && resolveScope(restored.scope)) this.scopeId = restored.scope;
      },
      handlers: this.handlers(),
      concurrent: new Set(['testKey', 'testCaller', 'explain']),
    });
  }

  dispose() {
    this.channel?.dispose();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    for (const s of this.subscriptions) s.dispose();
  }

  // ---------------------------------------------------------------- state

  private currentScope(): Scope {
    const scope = resolveScope(this.scopeId);
    if (scope) return scope;
    this.scopeId = USER_SCOPE;
    return { id: USER_SCOPE, folder: undefined };
  }

  /** The scope's effective, parsed config and its problems. */
  private parsed(scope: Scope): { config: RouterConfig; problems: import('../../core').Diagnostic[] } {
    const withFallbacks = (config: RouterConfig, problems: import('../../core').Diagnostic[]) => ({
      config,
      problems: [
        ...problems,
        ...modelFallbackProblems(config.modelFallbacks, config, (slug) => !!this.services.catalog.get(slug)).map((d) => ({
          ...d,
          path: `byokRouter.${d.path}`,
        })),
      ],
    });
    if (!scope.folder) {
      const p = parseUserSettings(this.services.vault);
      return withFallbacks(p.config, p.diagnostics);
    }
    const r = this.services.settings.forFolder(scope.folder);
    return withFallbacks(r.parsed.config, this.services.settings.problems(scope.folder));
  }

  protected async buildState(): Promise<ProvidersState> {
    const scope = this.currentScope();
    const { config, problems } = this.parsed(scope);
    const keys = readList(scope, 'keys');
    const callers = readList(scope, 'callers');
    const userKeys = readList({ id: USER_SCOPE, folder: undefined }, 'keys').list;
    const folderRows = folders().map((f) => ({ id: f.uri.toString(), name: f.name, caller: this.services.settings.forFolder(f).parsed.config.defaultCaller }));

    const secrets = new Map<string, string | undefined>();
    const tails = new Map<string, string | undefined>();
    const sources = { keys: new Map<string, string>(), callers: new Map<string, string>() };
    for (const e of keys.list) {
      const id = entryId(e);
      if (!id || tails.has(id)) continue;
      const v = await this.services.vault.keySecret(id);
      // A block's fingerprint is of the resolved value; a reference must not look like a replaced secret and lift it.
      secrets.set(keyRouteId(id), isReference(v) ? undefined : v);
      tails.set(id, tailOf(v));
      if (isReference(v)) sources.keys.set(id, describeReference(v));
    }
    const callerTails = new Map<string, string | undefined>();
    const callerNames = new Set([config.defaultCaller, ...config.callers.map((c) => c.name), ...folderRows.map((f) => f.caller)]);
    for (const name of callerNames) {
      const v = await this.services.vault.callerSecret(name);
      secrets.set(pooledRouteId(name), isReference(v) ? undefined : v);
      callerTails.set(name, tailOf(v));
      if (isReference(v)) sources.callers.set(name, describeReference(v));
    }
    const router = this.services.routing.routerFor(scope.folder);
    const cooldowns = router.cooldowns;
    const now = Date.now();
    this.showsBudgets = config.keys.some((k) => k.budget);
    if (this.showsBudgets) await router.policy.budgets.refresh(now).catch(() => undefined);
    const configured = new Set(keys.list.flatMap((e) => (isRecord(e) && typeof e.provider === 'string' ? [e.provider] : [])));
    const scopes = scopeInfos();
    const state = buildProvidersState({
      scopes,
      scope: scopes.find((i) => i.id === scope.id)!,
      ownKeys: keys.own,
      ownCallers: callers.own,
      trusted: vscode.workspace.isTrusted,
      rawKeys: keys.list,
      userKeys,
      config,
      problems,
      tails,
      callerTails,
      sources,
      cooldown: (routeId) => cooldowns.active(routeId, secrets.get(routeId)),
      budget: (key) => {
        const s = router.policy.budgets.status('key', key.id, key.budget!, now, key.name);
        return { ratio: Math.round(s.ratio * 1000) / 1000, text: describeBudget(s) };
      },
      catalog: this.services.catalog,
      folders: folderRows,
      providers: providerCards(configured),
      now,
    });
    if (this.services.web) state.webSearch = webSearchState(await this.services.web.status(scope.folder));
    state.policy = buildPolicyState({
      config,
      inCatalog: (slug) => !!this.services.catalog.get(slug),
      label: (p) => PROVIDER_LABELS[p as keyof typeof PROVIDER_LABELS] ?? p,
    });
    this.scheduleCooldownRefresh(state, now);
    return state;
  }

  /** A cooldown that ends changes a row back to healthy: refresh then. */
  private scheduleCooldownRefresh(state: ProvidersState, now: number) {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const ends = [...state.keys.map((k) => k.status.until), ...state.callers.map((c) => c.status.until)].filter(
      (u): u is number => typeof u === 'number' && u > now,
    );
    if (!ends.length) return;
    const wait = Math.min(Math.min(...ends) - now + 50, 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => this.channel?.refresh(0), wait);
  }

  // ---------------------------------------------------------------- requests

  private handlers(): Handlers<ProvidersRequestBody> {
    return {
      selectScope: (b) => {
        requireScope(b.scope);
        this.scopeId = b.scope;
        this.channel?.refresh(0);
      },
      addKey: (b) => this.addKey(b),
      updateKey: (b) => this.updateKey(b),
      moveKey: async (b) => {
        const scope = requireScope(b.scope);
        await this.editKeys(scope, (list) => moveKey(list, b.keyId, b.tier, b.index));
        this.services.log.info(`providers view: moved key ${b.keyId} to place ${b.index + 1} of ${b.tier} in ${this.where(scope)}`);
      },
      testKey: (b) => this.testKey(b),
      rotateKey: (b) => this.rotateKey(b),
      deleteKey: (b) => this.deleteKey(b),
      customize: async (b) => {
        const scope = requireScope(b.scope);
        const keys = readList(scope, 'keys');
        if (scope.folder && !keys.own) await write(scope, 'keys', keys.list);
      },
      resetFolder: async (b) => {
        const scope = requireScope(b.scope);
        if (!scope.folder) return;
        const ok = await confirm(
          `Use your User keys in "${scope.folder.name}" again?`,
          "This removes the folder's own key list (order, filters, Always use) from its settings. Stored key values are kept.",
          'Reset',
        );
        if (ok) await write(scope, 'keys', undefined);
      },
      explain: (b) => this.explain(b),
      addCaller: (b) => this.addCaller(b),
      removeCaller: async (b) => {
        const scope = requireScope(b.scope);
        const callers = readList(scope, 'callers');
        await write(scope, 'callers', removeCaller(callers.list, b.caller));
      },
      setCallerKey: async (b) => {
        const had = await this.services.vault.callerSecret(b.caller);
        const value = await askSecret(`${had ? 'Rotate' : 'Add'} the OpenRouter key of caller "${b.caller}"`, 'openrouter');
        if (!value) return { done: false };
        await this.services.vault.storeCaller(b.caller, value);
        this.services.log.info(`providers view: ${had ? 'rotated' : 'stored'} the OpenRouter key of caller "${b.caller}"`);
        return { done: true };
      },
      deleteCallerKey: async (b) => {
        const ok = await confirm(`Delete the OpenRouter key of caller "${b.caller}"?`, 'Requests as this caller then skip pooled access.', 'Delete');
        if (ok) await this.services.vault.deleteCaller(b.caller);
      },
      testCaller: (b) => this.testCaller(b),
      setFolderCaller: async (b) => {
        const scope = requireScope(b.folder);
        if (!scope.folder) throw new Error('the caller is chosen per workspace folder');
        await write(scope, 'caller', b.caller);
      },
      setPooled: async (b) => {
        const scope = requireScope(b.scope);
        const own = readOwn(scope, 'pooled');
        await write(scope, 'pooled', { ...(isRecord(own) ? own : {}), enabled: b.enabled });
      },
      setWebSearchKey: (b) => this.setWebSearchKey(b),
      deleteWebSearchKey: async (b) => {
        const web = this.requireWeb();
        const scope = requireScope(b.scope);
        const id = web.keyIdFor(scope.folder);
        const ok = await confirm(
          `Delete the Firecrawl key${scope.folder && id !== DEFAULT_WEB_KEY_ID ? ` of "${scope.folder.name}"` : ''}?`,
          'Web search stops working until another key is added.',
          'Delete',
        );
        if (!ok) return { done: false };
        await web.deleteKey(id);
        if (scope.folder && readOwn(scope, 'webSearch.keyId') !== undefined) await write(scope, 'webSearch.keyId', undefined);
        this.services.log.info(`providers view: deleted the Firecrawl key ${id}`);
        return { done: true };
      },
      setWebSearchExpiry: async (b) => {
        const web = this.requireWeb();
        await web.setExpiry(web.keyIdFor(requireScope(b.scope).folder), b.expiresAt.slice(0, 10));
      },
      ...policyHandlers({ config: (scope) => this.parsed(scope).config, catalog: this.services.catalog, log: (line) => this.services.log.info(line) }),
      testWebSearch: async (b) => {
        const web = this.requireWeb();
        return web.refreshCredits(web.keyIdFor(requireScope(b.scope).folder));
      },
      openSettings: async (b) => {
        const scope = requireScope(b.scope);
        if (!scope.folder) return void (await vscode.commands.executeCommand('workbench.action.openSettingsJson'));
        const file = vscode.Uri.joinPath(scope.folder.uri, '.vscode', 'settings.json');
        try {
          await vscode.workspace.fs.stat(file);
          await vscode.window.showTextDocument(file);
        } catch {
          await vscode.commands.executeCommand('workbench.action.openFolderSettings');
        }
      },
    };
  }

  /** Read-modify-write of the scope's key list; a folder without its own list starts from the one it inherits. */
  private async editKeys(scope: Scope, edit: (list: unknown[]) => unknown[]): Promise<void> {
    const keys = readList(scope, 'keys');
    await write(scope, 'keys', edit(keys.list));
  }

  private allKeyIds(): Set<string> {
    const ids = new Set<string>();
    const scopes: Scope[] = [{ id: USER_SCOPE, folder: undefined }, ...folders().map((f) => ({ id: f.uri.toString(), folder: f }))];
    for (const scope of scopes) for (const e of readList(scope, 'keys').list) if (entryId(e)) ids.add(entryId(e)!);
    return ids;
  }

  private async addKey(b: Body<'addKey'>): Promise<{ keyId?: string }> {
    const scope = requireScope(b.scope);
    if (!isProviderId(b.provider)) throw new Error(`unknown provider "${b.provider}"`);
    const label = PROVIDER_LABELS[b.provider];
    const count = readList(scope, 'keys').list.filter((e) => isRecord(e) && e.provider === b.provider).length;
    const name = await askKeyName(`Add ${label} key (${b.tier})`, `${label} key ${count + 1}`);
    if (!name?.trim()) return {};
    const value = await askSecret(`Add ${label} key "${name.trim()}": its value`, b.provider);
    if (!value?.trim()) return {};
    const { id, list } = addKeyEntry(readList(scope, 'keys').list, { provider: b.provider, name, tier: b.tier }, this.allKeyIds());
    // The value first: an entry without a value is a key that fails; a value without an entry is invisible.
    await this.services.vault.storeKey(id, b.provider, value);
    await write(scope, 'keys', list);
    this.services.log.info(
      `providers view: added ${b.provider}/key "${name.trim()}" (${id}, ${b.tier}) to ${this.where(scope)}${isReference(value) ? ` as a reference ${describeReference(value)}` : ''}`,
    );
    if (isReference(value)) void this.checkReference(id, name.trim());
    return { keyId: id };
  }

  /** A reference is read once when it is added, so a typo or a signed-out tool shows at once, not at the first request. */
  private async checkReference(id: string, name: string) {
    const read = await readForTest((o) => this.services.routing.secrets.keySecret(id, o));
    if (!read.ok)
      void vscode.window.showWarningMessage(
        `The reference of "${name}" is stored, but it does not resolve yet: ${this.services.redactor.redact(read.result.message)}`,
      );
  }

  private requireWeb(): WebSearchService {
    if (!this.services.web) throw new Error('web search is not available in this host');
    return this.services.web;
  }

  /** The workspace key in the User scope; in a folder scope, a key of that folder's own, chosen by id in its settings. */
  private async setWebSearchKey(b: Body<'setWebSearchKey'>): Promise<{ done: boolean }> {
    const web = this.requireWeb();
    const scope = requireScope(b.scope);
    const current = web.keyIdFor(scope.folder);
    const id = scope.folder
      ? current !== DEFAULT_WEB_KEY_ID
        ? current
        : uniqueKeyId(`firecrawl-${scope.folder.name}`, new Set([DEFAULT_WEB_KEY_ID]))
      : DEFAULT_WEB_KEY_ID;
    const had = !!(await web.stored(id));
    const where = scope.folder ? ` for "${scope.folder.name}"` : '';
    const value = await askSecret(`${had ? 'Replace' : 'Add'} the Firecrawl key${where}`, 'firecrawl');
    if (!value?.trim()) return { done: false };
    const expiresAt = await askExpiry();
    if (expiresAt === undefined) return { done: false };
    await web.setKey(id, value, expiresAt);
    if (scope.folder && current !== id) await write(scope, 'webSearch.keyId', id);
    this.services.log.info(
      `providers view: ${had ? 'replaced' : 'stored'} the Firecrawl key ${id}${where}${isReference(value) ? ` as a reference ${describeReference(value)}` : ''}; credits expire ${expiresAt}`,
    );
    return { done: true };
  }

  private async updateKey(b: Body<'updateKey'>): Promise<void> {
    const scope = requireScope(b.scope);
    const { endpoint, ...rest } = b.patch;
    if (endpoint !== undefined) {
      // Where a request is sent is a user setting only (docs/ARCHITECTURE.md, Where state lives): a folder must never send a key elsewhere.
      if (scope.folder) throw new Error('endpoints are set in User settings only; switch the view to User');
      await this.editKeys(scope, (list) => setEndpoint(list, b.keyId, endpoint));
    }
    if (Object.keys(rest).length) await this.editKeys(scope, (list) => patchKey(list, b.keyId, rest));
  }

  private keyOf(scope: Scope, id: string): { key: KeyConfig; config: RouterConfig } {
    const { config } = this.parsed(scope);
    const key = config.keys.find((k) => k.id === id);
    if (!key) throw new Error(`key "${id}" is not a valid key of ${this.where(scope)}; fix its entry first`);
    return { key, config };
  }

  private async testKey(b: Body<'testKey'>): Promise<TestResult> {
    const scope = requireScope(b.scope);
    const { key, config } = this.keyOf(scope, b.keyId);
    const read = await readForTest((o) => this.services.routing.secrets.keySecret(key.id, o));
    const secret = read.ok ? read.secret : undefined;
    const result = read.ok
      ? await validateKey(key, secret, { http: this.services.routing.http, timeouts: config.timeouts, redactor: new Redactor() })
      : read.result;
    this.noteVerdict(keyRouteId(key.id), result.verdict, result.message, secret);
    this.services.log.info(`providers view: tested ${key.provider}/key "${key.name}": ${result.verdict} — ${result.message}`);
    return result;
  }

  private async testCaller(b: Body<'testCaller'>): Promise<TestResult> {
    const scope = requireScope(b.scope);
    const { config } = this.parsed(scope);
    const read = await readForTest((o) => this.services.routing.secrets.callerSecret(b.caller, o));
    const secret = read.ok ? read.secret : undefined;
    const result = read.ok
      ? await validateKey({ provider: 'openrouter', options: {}, name: b.caller }, secret, {
          http: this.services.routing.http,
          timeouts: config.timeouts,
          redactor: new Redactor(),
          baseUrl: config.pooled.baseUrl,
        })
      : read.result;
    this.noteVerdict(pooledRouteId(b.caller), result.verdict, result.message, secret);
    return result;
  }

  /** A test is evidence about the key: a pass lifts a block, a refusal marks it failing auth. */
  private noteVerdict(routeId: string, verdict: TestResult['verdict'], message: string, secret: string | undefined) {
    const cooldowns = this.services.routing.routerFor(undefined).cooldowns;
    if (verdict === 'ok') cooldowns.recordSuccess(routeId);
    else if (verdict === 'auth' && secret) cooldowns.recordFailure(routeId, 'auth', message.slice(0, 200), undefined, secret);
    this.channel?.refresh();
  }

  private async rotateKey(b: Body<'rotateKey'>): Promise<{ done: boolean }> {
    const scope = requireScope(b.scope);
    const entry = readList(scope, 'keys').list.find((e) => entryId(e) === b.keyId);
    const provider = isRecord(entry) && typeof entry.provider === 'string' ? entry.provider : undefined;
    if (!provider) throw new Error(`no key "${b.keyId}" in ${this.where(scope)}`);
    const name = isRecord(entry) && typeof entry.name === 'string' ? entry.name : b.keyId;
    const value = await askSecret(`Rotate "${name}": the new value`, provider);
    if (!value?.trim()) return { done: false };
    await this.services.vault.storeKey(b.keyId, provider, value);
    this.services.log.info(`providers view: rotated ${provider}/key "${name}" (${b.keyId})`);
    return { done: true };
  }

  private async deleteKey(b: Body<'deleteKey'>): Promise<{ done: boolean }> {
    const scope = requireScope(b.scope);
    const entry = readList(scope, 'keys').list.find((e) => entryId(e) === b.keyId);
    const name = isRecord(entry) && typeof entry.name === 'string' ? entry.name : b.keyId;
    const ok = await confirm(
      `Delete key "${name}"?`,
      `It is removed from ${this.where(scope)}. Its stored value is deleted too, unless another scope still lists it.`,
      'Delete',
    );
    if (!ok) return { done: false };
    await this.editKeys(scope, (list) => withoutKey(list, b.keyId));
    if (!this.allKeyIds().has(b.keyId)) await this.services.vault.deleteKey(b.keyId);
    this.services.log.info(`providers view: deleted key "${name}" (${b.keyId}) from ${this.where(scope)}`);
    return { done: true };
  }

  private async addCaller(b: Body<'addCaller'>): Promise<{ caller?: string }> {
    const scope = requireScope(b.scope);
    const callers = readList(scope, 'callers');
    const taken = new Set(callers.list.flatMap((c) => (isRecord(c) && typeof c.name === 'string' ? [c.name] : [])));
    const name = await askCallerName(taken);
    if (!name) return {};
    await write(scope, 'callers', addCaller(callers.list, name));
    return { caller: name };
  }

  private async explain(b: Body<'explain'>): Promise<PlanView> {
    const scope = requireScope(b.scope);
    const { config } = this.parsed(scope);
    const router = this.services.routing.routerFor(scope.folder);
    const base = await planRoute(b.model.trim(), b.caller, {
      config,
      catalog: this.services.catalog,
      secrets: this.services.vault,
      cooldowns: router.cooldowns,
      clock: systemClock,
    });
    // The same policy the router applies (byokOnly, budgets, sort/balance), without moving rotations on.
    const plan = await router.policy.apply(base, config, systemClock.now(), { advance: false });
    return planView(plan);
  }

  private where(scope: Scope): string {
    return scope.folder ? `the settings of folder "${scope.folder.name}"` : 'your User settings';
  }
}

export function planView(plan: Plan, now = Date.now()): PlanView {
  return {
    model: plan.model.slice(0, 200),
    caller: plan.caller.slice(0, 64),
    routes: plan.routes.map((r) => ({
      label: routeLabel(r).slice(0, 500),
      route: r.route,
      provider: r.provider,
      ...(r.route === 'byok' ? { tier: r.tier, keyId: r.key.id } : {}),
      nativeModel: r.nativeModel.slice(0, 300),
      ...(r.skip ? { skippedUntil: Number.isFinite(r.skip.until) ? r.skip.until : null, skipReason: r.skip.reason.slice(0, 1000) } : {}),
    })),
    excluded: plan.excluded.map((e) => ({
      who: routeLabel(e, { caller: false }).slice(0, 500),
      reason: e.reason,
      detail: e.detail.slice(0, 1000),
    })),
    alwaysUse: plan.alwaysUse,
    alwaysUseBlocked: plan.alwaysUseBlocked.map((b) =>
      `Always use key "${b.keyName}" cannot be tried: ${b.remedy}. Requests stay on your prioritized keys and fail rather than leave them.`.slice(0, 1000),
    ),
    text: [formatPlan(plan, now), formatBudgets(plan.budgets)].filter(Boolean).join('\n').slice(0, 50_000),
  };
}

function webSearchState(status: WebSearchStatus): WebSearchState {
  return {
    keyId: status.keyId,
    overridden: status.overridden,
    configured: status.configured,
    ...(status.masked ? { masked: status.masked } : {}),
    ...(status.source ? { source: status.source.slice(0, 600) } : {}),
    ...(status.expiresAt ? { expiresAt: status.expiresAt } : {}),
    ...(status.daysLeft !== undefined ? { daysLeft: status.daysLeft } : {}),
    ...(status.credits?.remainingCredits !== undefined ? { remainingCredits: status.credits.remainingCredits } : {}),
    ...(status.credits?.planCredits !== undefined ? { planCredits: status.credits.planCredits } : {}),
    ...(status.creditsError ? { creditsError: status.creditsError.slice(0, 1000) } : {}),
    byokOnly: status.byokOnly,
  };
}
