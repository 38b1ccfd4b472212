/**
 * The local endpoint in the editor: started when `byokRouter.endpoint.enabled` is on (or by command),
 * one token per caller in SecretStorage (made on first use, shown masked), the port in the status bar,
 * and, opt-in, each workspace folder's terminals carrying that folder's base URLs and token.
 */
import * as vscode from 'vscode';
import { type Catalog, type Redactor, servableSlugs } from '../core';
import { LocalEndpoint, type EndpointBackend } from '../serve/server';
import { withWebSearch } from '../serve/web-backend';
import { SETUP_CLIENTS, SETUP_LABELS, setupSnippet, terminalEnv, type SetupClient } from '../serve/setup-snippets';
import { generateToken, maskToken, TokenTable } from '../serve/tokens';
import { callersItRefuses, portTakenNotice, whoHoldsPort, type PortHolder, type PortTakenAction } from '../serve/port-holder';
import type { FolderTracker } from './folders';
import { defaultModel } from './models';
import type { Log } from './log';
import type { RoutingService } from './folder-routers';
import type { RoutingSettings } from './routing-config';
import type { WebSearchService } from './web-search';

const TOKEN_PREFIX = 'byokRouter.endpointToken.';

export interface EndpointDeps {
  context: vscode.ExtensionContext;
  routing: RoutingService;
  settings: RoutingSettings;
  folders: FolderTracker;
  catalog: Catalog;
  log: Log;
  redactor: Redactor;
  /** OpenRouter's web options (`:online`, the `web` plugin) answered with the Firecrawl key. */
  web?: WebSearchService;
}

export interface EndpointInfo {
  running: boolean;
  port?: number;
  openAIBaseUrl?: string;
  anthropicBaseUrl?: string;
  /** Set when another window's endpoint is used instead of our own. */
  borrowed?: boolean;
  /** The configured port was taken at the last start: by whom, and what the user was told. */
  conflict?: PortConflict;
}

export interface PortConflict {
  port: number;
  holder: PortHolder;
  message: string;
  /** Callers whose tokens the other window's endpoint refuses. */
  refused: string[];
}

/** The endpoint's status bar item as shown now (for the integration tests, like the router's). */
export interface EndpointStatusSnapshot {
  visible: boolean;
  text: string;
  tooltip: string;
}

/** Arguments of Start Local Endpoint; `ifPortTaken` answers the port-taken question in advance. */
export interface StartArgs {
  ifPortTaken?: PortTakenAction;
}

function endpointConfig() {
  const c = vscode.workspace.getConfiguration('byokRouter.endpoint');
  return {
    enabled: c.get<boolean>('enabled', false),
    port: c.get<number>('port', 0),
    terminalEnv: c.get<boolean>('terminalEnv', false),
    modelAliases: c.get<Record<string, string>>('modelAliases', {}),
  };
}

export class EndpointService implements vscode.Disposable {
  private endpoint: LocalEndpoint | undefined;
  private borrowedPort: number | undefined;
  private conflict: PortConflict | undefined;
  private shown: EndpointStatusSnapshot = { visible: false, text: '', tooltip: '' };
  private readonly table = new TokenTable();
  private readonly tokens = new Map<string, string>();
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private starting: Promise<void> | undefined;

  constructor(private readonly deps: EndpointDeps) {
    this.item = vscode.window.createStatusBarItem('byokRouter.endpoint', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'BYOK Router Endpoint';
    this.item.command = 'byokRouter.copyEndpointSetup';
    const env = deps.context.environmentVariableCollection;
    env.persistent = false; // tokens are secrets: never written to the editor's storage
    env.description = 'BYOK Router local endpoint: base URLs and this folder’s caller token';
    this.subscriptions.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('byokRouter.endpoint.enabled') || e.affectsConfiguration('byokRouter.endpoint.port')) void this.applySettings();
        else if (e.affectsConfiguration('byokRouter.endpoint.terminalEnv') || e.affectsConfiguration('byokRouter.caller')) void this.updateTerminalEnv();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.updateTerminalEnv()),
      deps.context.secrets.onDidChange((e) => {
        // A token rotated in another window: forget ours so the next read picks the new one.
        if (!e.key.startsWith(TOKEN_PREFIX)) return;
        const caller = e.key.slice(TOKEN_PREFIX.length);
        this.tokens.delete(caller);
        this.table.delete(caller);
        void this.loadToken(caller).then(() => this.updateTerminalEnv());
      }),
      vscode.commands.registerCommand('byokRouter.startEndpoint', async (args?: StartArgs) => {
        await this.start(true, args);
        return this.info();
      }),
      vscode.commands.registerCommand('byokRouter.stopEndpoint', () => this.stopWhenStarted()),
      vscode.commands.registerCommand('byokRouter.copyEndpointSetup', (arg?: { client?: SetupClient; folder?: unknown }) => this.copySetup(arg)),
      vscode.commands.registerCommand('byokRouter.copyEndpointToken', (arg?: { folder?: unknown }) => this.copyToken(arg)),
      vscode.commands.registerCommand('byokRouter.rotateEndpointToken', (arg?: { caller?: string }) => this.rotate(arg)),
    );
    this.render();
    void this.applySettings();
  }

  info(): EndpointInfo {
    const port = this.endpoint?.port ?? this.borrowedPort;
    const conflict = this.conflict ? { conflict: { ...this.conflict } } : {};
    if (!port) return { running: false, ...conflict };
    return {
      running: true,
      port,
      openAIBaseUrl: `http://127.0.0.1:${port}/v1`,
      anthropicBaseUrl: `http://127.0.0.1:${port}`,
      ...(this.borrowedPort ? { borrowed: true } : {}),
      ...conflict,
    };
  }

  /** The status bar item as shown now. */
  statusItem(): EndpointStatusSnapshot {
    return { ...this.shown };
  }

  /** Every caller of every folder, then the window's. */
  private callers(): string[] {
    const out = new Set<string>();
    for (const scope of this.deps.settings.scopes()) {
      const { defaultCaller, callers } = scope.parsed.config;
      out.add(defaultCaller);
      for (const c of callers) out.add(c.name);
    }
    return [...out];
  }

  private async loadToken(caller: string): Promise<string | undefined> {
    const known = this.tokens.get(caller);
    if (known) return known;
    const stored = await this.deps.context.secrets.get(TOKEN_PREFIX + caller);
    if (stored) this.remember(caller, stored);
    return stored;
  }

  /** The caller's token, made and stored on first use. */
  async tokenFor(caller: string): Promise<string> {
    const existing = await this.loadToken(caller);
    if (existing) return existing;
    const token = generateToken();
    await this.deps.context.secrets.store(TOKEN_PREFIX + caller, token);
    this.remember(caller, token);
    return token;
  }

  private remember(caller: string, token: string) {
    this.tokens.set(caller, token);
    this.table.set(caller, token);
    this.deps.redactor.add(token);
  }

  private async applySettings() {
    const cfg = endpointConfig();
    if (cfg.enabled) await this.start(false);
    else await this.stopWhenStarted();
  }

  /** A start in progress would otherwise finish after the stop and leave an endpoint running. */
  private async stopWhenStarted(): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (this.endpoint || this.borrowedPort || this.conflict) await this.stop();
  }

  async start(fromCommand: boolean, args: StartArgs = {}, portOverride?: number): Promise<void> {
    if (this.starting) return this.starting;
    this.starting = this.doStart(fromCommand, args, portOverride).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(fromCommand: boolean, args: StartArgs, portOverride?: number): Promise<void> {
    if (this.endpoint || this.borrowedPort) await this.stop();
    const cfg = endpointConfig();
    for (const c of this.callers()) await this.tokenFor(c);
    const { routing, catalog, log } = this.deps;
    const folderOf = (caller: string) => (vscode.workspace.workspaceFolders ?? []).find((f) => routing.callerOf(f) === caller);
    const backend: EndpointBackend = {
      generate: (request, opts) => {
        // The caller's own folder supplies the settings its keys are filtered and ordered by.
        const folder = folderOf(opts.caller);
        return routing.routerFor(folder).generate(request, { ...opts, ...(folder ? { folder: folder.name } : {}), onAttempt: () => routing.attemptEnded() });
      },
      models: (caller) => servableSlugs(routing.routerFor(folderOf(caller)), caller),
      plan: (model, caller) => routing.routerFor(folderOf(caller)).explain(model, caller),
    };
    const endpoint = new LocalEndpoint({
      backend: this.deps.web ? withWebSearch(backend, this.deps.web.endpointWeb(folderOf)) : backend,
      tokens: () => this.table,
      catalog: () => catalog,
      port: portOverride ?? cfg.port,
      modelAliases: cfg.modelAliases,
      log: (l) => log.debug(l),
    });
    try {
      await endpoint.start();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE') throw e;
      await this.portTaken(cfg.port, fromCommand, args);
      return;
    }
    this.endpoint = endpoint;
    this.borrowedPort = undefined;
    this.conflict = undefined;
    log.info(`endpoint: listening on ${endpoint.addresses.map((a) => (a.family === 'IPv6' ? `[${a.address}]` : a.address)).join(', ')} port ${endpoint.port}`);
    this.render();
    await this.updateTerminalEnv();
  }

  /**
   * The configured port is taken. Another window's endpoint can be used as it is (same SecretStorage,
   * so the same tokens, as far as that window has loaded them); anything else leaves only a free port.
   * The question does not hold up later starts: it is answered whenever the user gets to it.
   */
  private async portTaken(port: number, fromCommand: boolean, args: StartArgs) {
    const holder = await whoHoldsPort(port);
    const tokens: Record<string, string> = {};
    if (holder === 'byok-router') for (const c of this.callers()) tokens[c] = await this.tokenFor(c);
    const refused = holder === 'byok-router' ? await callersItRefuses(port, tokens) : [];
    const notice = portTakenNotice(port, holder, refused);
    const conflict: PortConflict = { port, holder, message: notice.message, refused };
    this.conflict = conflict;
    this.deps.log.warn(notice.message);
    this.render();
    if (args.ifPortTaken) {
      if (args.ifPortTaken === 'free') await this.doStart(fromCommand, {}, 0);
      else if (holder === 'byok-router') await this.borrow(port);
      return;
    }
    void vscode.window
      .showWarningMessage(notice.message, ...notice.actions.map((a) => a.label))
      .then(async (label) => {
        const action = notice.actions.find((a) => a.label === label)?.action;
        // Answered late: only if nothing has been started or stopped since.
        if (!action || this.conflict !== conflict || this.endpoint || this.borrowedPort) return;
        if (action === 'free') await this.start(true, {}, 0);
        else await this.borrow(port);
      })
      .then(undefined, (e: unknown) => this.deps.log.warn(`endpoint: did not start on a free port: ${(e as Error).message}`));
  }

  private async borrow(port: number) {
    this.borrowedPort = port;
    this.deps.log.info(`endpoint: using the endpoint of another BYOK Router window on port ${port}`);
    this.render();
    await this.updateTerminalEnv();
  }

  async stop(): Promise<void> {
    const e = this.endpoint;
    this.endpoint = undefined;
    this.borrowedPort = undefined;
    this.conflict = undefined;
    if (e) {
      await e.close();
      this.deps.log.info('endpoint: stopped');
    }
    this.render();
    await this.updateTerminalEnv();
  }

  private render() {
    const info = this.info();
    if (!info.running && info.conflict) {
      // Notifications go away; the status bar keeps saying why the endpoint is not running.
      this.show(`$(warning) BYOK :${info.conflict.port} taken`, `${info.conflict.message}\nClick to start it again.`, 'byokRouter.startEndpoint');
    } else if (!info.running) {
      this.item.hide();
      this.shown = { visible: false, text: '', tooltip: '' };
    } else {
      this.show(
        `$(plug) BYOK :${info.port}`,
        `BYOK Router local endpoint${info.borrowed ? ' (another window’s)' : ''}\nOpenAI: ${info.openAIBaseUrl}\nAnthropic: ${info.anthropicBaseUrl}\nClick to copy an assistant’s setup.`,
        'byokRouter.copyEndpointSetup',
      );
    }
  }

  private show(text: string, tooltip: string, command: string) {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.show();
    this.shown = { visible: true, text, tooltip };
  }

  /** Each folder's terminals get that folder's caller token; nothing when the endpoint is off or the setting is. */
  async updateTerminalEnv(): Promise<void> {
    const root = this.deps.context.environmentVariableCollection;
    const folders = vscode.workspace.workspaceFolders ?? [];
    root.clear();
    for (const f of folders) root.getScoped({ workspaceFolder: f }).clear();
    const info = this.info();
    if (!info.running || !endpointConfig().terminalEnv) return;
    for (const f of folders) {
      const token = await this.tokenFor(this.deps.routing.callerOf(f));
      const scoped = root.getScoped({ workspaceFolder: f });
      for (const [k, v] of Object.entries(terminalEnv({ openAIBaseUrl: info.openAIBaseUrl!, anthropicBaseUrl: info.anthropicBaseUrl!, token })))
        scoped.replace(k, v);
    }
  }

  private folderArg(arg: { folder?: unknown } | undefined): vscode.WorkspaceFolder | undefined {
    return (arg?.folder !== undefined ? this.deps.folders.resolve(arg.folder) : undefined) ?? this.deps.folders.active();
  }

  private async copySetup(arg?: { client?: SetupClient; folder?: unknown }) {
    if (!this.info().running) {
      const start = await vscode.window.showInformationMessage('BYOK Router: the local endpoint is not running.', 'Start Local Endpoint');
      if (!start) return;
      await this.start(true);
    }
    const info = this.info();
    if (!info.running) return;
    let client = arg?.client;
    if (!client) {
      const pick = await vscode.window.showQuickPick(
        SETUP_CLIENTS.map((c) => ({ label: SETUP_LABELS[c], client: c })),
        { title: 'Copy Endpoint Setup', placeHolder: 'Which assistant?' },
      );
      if (!pick) return;
      client = pick.client;
    }
    const folder = this.folderArg(arg);
    const caller = this.deps.routing.callerOf(folder);
    const token = await this.tokenFor(caller);
    const model = (await defaultModel(folder, this.deps.routing, this.deps.settings, this.deps.catalog)) ?? 'anthropic/claude-sonnet-4.5';
    await vscode.env.clipboard.writeText(
      setupSnippet(client, { openAIBaseUrl: info.openAIBaseUrl!, anthropicBaseUrl: info.anthropicBaseUrl!, token, caller, model }),
    );
    void vscode.window.showInformationMessage(`BYOK Router: ${SETUP_LABELS[client]} setup for caller "${caller}" copied (token ${maskToken(token)}).`);
  }

  private async copyToken(arg?: { folder?: unknown }) {
    const caller = this.deps.routing.callerOf(this.folderArg(arg));
    const token = await this.tokenFor(caller);
    await vscode.env.clipboard.writeText(token);
    void vscode.window.showInformationMessage(`BYOK Router: endpoint token for caller "${caller}" (${maskToken(token)}) copied.`);
  }

  private async rotate(arg?: { caller?: string }) {
    let caller = arg?.caller;
    if (!caller) {
      const items = await Promise.all(this.callers().map(async (c) => ({ label: c, description: maskToken(await this.tokenFor(c)) })));
      const pick = await vscode.window.showQuickPick(items, { title: 'Rotate Endpoint Token', placeHolder: 'The old token stops working at once' });
      if (!pick) return;
      caller = pick.label;
    }
    const token = generateToken();
    await this.deps.context.secrets.store(TOKEN_PREFIX + caller, token);
    this.remember(caller, token);
    await this.updateTerminalEnv();
    void vscode.window.showInformationMessage(
      `BYOK Router: caller "${caller}" has a new endpoint token (${maskToken(token)}); terminals opened from now on get it.`,
    );
  }

  dispose() {
    void this.endpoint?.close();
    for (const s of this.subscriptions) s.dispose();
  }
}
