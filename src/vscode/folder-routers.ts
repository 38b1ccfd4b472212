/**
 * One core Router per workspace folder (each folder has its own effective config), sharing what
 * must be shared across folders: cooldowns (a rate-limited key is rate-limited everywhere), the
 * redactor, the month's usage, the HTTP client and the activity log.
 */
import * as vscode from 'vscode';
import {
  type ActivityHistory,
  type ActivitySink,
  type BudgetStatus,
  Cancel,
  type Catalog,
  type ChatChunk,
  type ChatRequest,
  describeAttempt,
  describeBudget,
  type GenerationOutcome,
  type GenerationRecord,
  keyRouteId,
  MonthlyUsage,
  ObservedCooldownStore,
  pooledRouteId,
  type Redactor,
  type ResolvingSecretSource,
  restoreCooldowns,
  routeLabel,
  Router,
  snapshotCooldowns,
} from '../core';

const COOLDOWN_STATE = 'byokRouter.cooldowns';
import type { Log } from './log';
import { chooseDispatcher, SwitchableHttpClient, type ProxyChoice } from './proxy';
import type { RoutingSettings } from './routing-config';
import type { SecretVault } from './secrets';
import { editorSecretSource } from './secret-references';

export interface GenerateArgs {
  folder: vscode.WorkspaceFolder | undefined;
  /** `lm`, `chat`, `command:explain`, … — recorded with the generation. */
  surface: string;
  token?: vscode.CancellationToken;
  /** Overrides the folder's caller. */
  caller?: string;
  onChunk?: (chunk: ChatChunk) => void;
  /** The conversation's id where the surface has one, for stickiness. */
  sessionId?: string;
}

export interface RouteHealth {
  cooling: { route: string; until: number; reason: string }[];
  authFailing: { route: string; reason: string }[];
}

export interface RoutingDeps {
  /** Global state, where cooldowns and auth marks (no secret) outlive a reload. */
  state?: vscode.Memento;
  settings: RoutingSettings;
  vault: SecretVault;
  redactor: Redactor;
  log: Log;
  catalog: Catalog;
  activity: ActivitySink;
  /** The activity log read back: budgets count the spend of every window and the CLI from it. */
  history?: ActivityHistory;
}

export class RoutingService implements vscode.Disposable {
  /** Shared by every folder's router, and kept in global state so a reload does not forget it. */
  readonly cooldownStore = new ObservedCooldownStore(() => this.scheduleSave());
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  readonly monthly = new MonthlyUsage();
  readonly http: SwitchableHttpClient;
  private readonly routers = new Map<string, Router>();
  private readonly generated = new vscode.EventEmitter<GenerationRecord>();
  /** Every finished generation, from every surface, after it is handed to the activity log. */
  readonly onDidGenerate = this.generated.event;
  private readonly cooldownsChanged = new vscode.EventEmitter<void>();
  /** A cooldown started, ended early or changed; the views and the status bar redraw on it. */
  readonly onDidChangeHealth = this.cooldownsChanged.event;
  /** The cooldown store's epoch when health was last announced: most attempts change nothing. */
  private healthEpoch = -1;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly budgetWarned = new Map<string, BudgetStatus>();
  private readonly budgetChanged = new vscode.EventEmitter<BudgetStatus>();
  /** A budget crossed 80 % (once per budget and period, across folders). */
  readonly onDidWarnBudget = this.budgetChanged.event;

  /** The stored values with secret-manager references resolved (trusted workspaces only); every route and Test reads through it. */
  readonly secrets: ResolvingSecretSource;

  constructor(private readonly deps: RoutingDeps) {
    this.secrets = editorSecretSource(deps.vault, deps.redactor);
    if (deps.state) restoreCooldowns(this.cooldownStore, deps.state.get(COOLDOWN_STATE), Date.now());
    const choice = this.proxyChoice();
    this.http = new SwitchableHttpClient(choice, this.connectTimeout());
    deps.log.info(`network: ${choice.description}`);
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('http.proxy') || e.affectsConfiguration('http.proxyStrictSSL') || e.affectsConfiguration('http.noProxy')) {
          const next = this.proxyChoice();
          this.http.switchTo(next, this.connectTimeout());
          deps.log.info(`network: ${next.description}`);
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.routers.clear()),
    );
  }

  routerFor(folder: vscode.WorkspaceFolder | undefined): Router {
    const id = folder?.uri.toString() ?? '';
    let router = this.routers.get(id);
    if (!router) {
      const { settings, redactor, catalog, log, activity } = this.deps;
      router = new Router({
        config: () => settings.forFolder(folder).parsed.config,
        catalog,
        secrets: this.secrets,
        cooldownStore: this.cooldownStore,
        http: this.http,
        redactor,
        monthly: this.monthly,
        ...(this.deps.history ? { history: this.deps.history } : {}),
        onBudgetWarning: (s) => this.warnBudget(s),
        log: (line) => log.debug(line),
        sink: {
          append: (record) => {
            this.generated.fire(record);
            return activity.append(record);
          },
        },
      });
      this.routers.set(id, router);
      // Latency and throughput sorts start from the log's last measures, not empty after a reload.
      const seeded = router;
      this.deps.history?.read({ limit: 1_000 }).then(
        (records) => seeded.policy.stats.seed(records),
        (e: unknown) => log.warn(`route stats: the activity log could not be read: ${(e as Error)?.message ?? e}`),
      );
    }
    return router;
  }

  /** Budgets at 80 % or more in their current period. */
  budgetWarnings(now = Date.now()): BudgetStatus[] {
    return [...this.budgetWarned.values()].filter((s) => s.periodEnd > now);
  }

  private warnBudget(s: BudgetStatus) {
    const id = `${s.scope}:${s.id}:${s.periodStart}`;
    if (this.budgetWarned.has(id)) return;
    this.budgetWarned.set(id, s);
    const who = s.scope === 'user' ? 'Your overall budget' : s.scope === 'caller' ? `Caller "${s.id}"'s pooled budget` : `Key "${s.name ?? s.id}"'s budget`;
    const used = s.ratio >= 1 ? 'is used up: the route is skipped until the period ends' : `is at ${Math.floor(s.ratio * 100)} %`;
    this.deps.log.warn(`budget: ${who} ${used} (${describeBudget(s)})`);
    void vscode.window.showWarningMessage(`BYOK Router: ${who} ${used} (${describeBudget(s)}).`, 'Open Providers').then((pick) => {
      if (pick) void vscode.commands.executeCommand('byokRouter.openProviders');
    });
    this.budgetChanged.fire(s);
  }

  /** A record made outside the router (a web search): to the activity log and the Activity view, like a generation. */
  record(record: GenerationRecord): void {
    this.generated.fire(record);
    const pending = this.deps.activity.append(record);
    if (pending) pending.catch((e: unknown) => this.deps.log.warn(`activity log write failed: ${(e as Error)?.message ?? e}`));
  }

  /** An attempt ended (the local endpoint drives routers directly, so it calls this too): announces health when a cooldown changed. */
  attemptEnded(): void {
    const epoch = this.cooldownStore.epoch();
    if (epoch === this.healthEpoch) return;
    this.healthEpoch = epoch;
    this.cooldownsChanged.fire();
  }

  callerOf(folder: vscode.WorkspaceFolder | undefined): string {
    return this.deps.settings.forFolder(folder).parsed.config.defaultCaller;
  }

  async generate(request: ChatRequest, args: GenerateArgs): Promise<GenerationOutcome> {
    // A Cancel rather than an AbortController: undici and the driver listen to it for almost nothing.
    const ac = new Cancel();
    const cancel = args.token?.onCancellationRequested(() => ac.abort());
    if (args.token?.isCancellationRequested) ac.abort();
    const router = this.routerFor(args.folder);
    try {
      const outcome = await router.generate(request, {
        caller: args.caller,
        signal: ac,
        surface: args.surface,
        folder: args.folder?.name,
        onChunk: args.onChunk,
        onAttempt: () => this.attemptEnded(),
        ...(args.sessionId ? { sessionId: args.sessionId } : {}),
      });
      const where = args.folder ? ` in "${args.folder.name}"` : '';
      if (outcome.ok) {
        const served = outcome.record.servedBy;
        this.deps.log.info(
          `${args.surface}${where}: ${request.model} as "${outcome.record.caller}" served by ${served ? routeLabel(served, { tier: false, caller: false }) : 'no route'} after ${outcome.record.attempts.length} attempt(s)`,
        );
      } else {
        this.deps.log.warn(`${args.surface}${where}: ${request.model} as "${outcome.record.caller}" failed (${outcome.error.kind}): ${outcome.error.message}`);
        for (const a of outcome.record.attempts) this.deps.log.debug(`  ${describeAttempt(a)}`);
      }
      return outcome;
    } finally {
      cancel?.dispose();
    }
  }

  /**
   * Always-use keys of a folder that cannot be tried (no stored value, expired, failing auth):
   * each holds its requests on prioritized keys, so the user needs to see it before a request fails.
   */
  async alwaysUseProblems(folder: vscode.WorkspaceFolder | undefined): Promise<string[]> {
    const config = this.deps.settings.forFolder(folder).parsed.config;
    const now = Date.now();
    const out: string[] = [];
    for (const k of config.keys) {
      if (!k.alwaysUse || k.disabled || k.tier !== 'prioritized') continue;
      const who = `Always use key ${k.provider}/"${k.name}"`;
      const secret = await this.deps.vault.keySecret(k.id);
      if (!secret) out.push(`${who} has no stored value: add its value`);
      else if (k.expiresAt && Date.parse(k.expiresAt) <= now) out.push(`${who} expired on ${k.expiresAt}: rotate it`);
      else if (this.cooldownStore.get(keyRouteId(k.id))?.kind === 'auth') out.push(`${who} is failing authentication: rotate it`);
    }
    return out;
  }

  /** Routes in cooldown or failing auth, named for the user. */
  health(): RouteHealth {
    const now = Date.now();
    const names = this.routeNames();
    const out: RouteHealth = { cooling: [], authFailing: [] };
    for (const [id, e] of this.cooldownStore.entries()) {
      const route = names.get(id) ?? id;
      if (e.kind === 'auth') out.authFailing.push({ route, reason: e.reason });
      else if (e.until > now) out.cooling.push({ route, until: e.until, reason: e.reason });
    }
    return out;
  }

  /** Coalesces bursts of attempts into one write of the snapshot. */
  private scheduleSave() {
    if (!this.deps.state || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveNow(), 500);
  }

  saveNow(): Thenable<void> | undefined {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    return this.deps.state?.update(COOLDOWN_STATE, snapshotCooldowns(this.cooldownStore, Date.now()));
  }

  dispose() {
    if (this.saveTimer) void this.saveNow();
    for (const s of this.subscriptions) s.dispose();
    this.generated.dispose();
    this.cooldownsChanged.dispose();
    void this.http.close();
  }

  private routeNames(): Map<string, string> {
    const names = new Map<string, string>();
    for (const scope of this.deps.settings.scopes()) {
      for (const k of scope.parsed.config.keys) names.set(keyRouteId(k.id), routeLabel({ route: 'byok', provider: k.provider, key: k }, { tier: false }));
      const { callers, defaultCaller } = scope.parsed.config;
      for (const name of [defaultCaller, ...callers.map((c) => c.name)]) names.set(pooledRouteId(name), routeLabel({ route: 'pooled', caller: name }));
    }
    return names;
  }

  private proxyChoice(): ProxyChoice {
    const http = vscode.workspace.getConfiguration('http');
    return chooseDispatcher({
      proxy: (http.get<string>('proxy') ?? '').trim(),
      strictSSL: http.get<boolean>('proxyStrictSSL') ?? true,
      noProxy: http.get<string[]>('noProxy') ?? [],
      env: process.env,
      connectTimeoutMs: this.connectTimeout(),
    });
  }

  private connectTimeout(): number {
    return this.deps.settings.forFolder(undefined).parsed.config.timeouts.connectMs;
  }
}
