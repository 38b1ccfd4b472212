/**
 * The second bundle (dist/main.js): builds the pieces and registers them. The activation bundle
 * (src/extension.ts) loads it on the first use of a contribution, or right after activation when
 * the window needs it; src/vscode/host-shim.ts routes its registrations into the stand-ins the
 * activation bundle registered. Everything else lives in src/vscode and src/core.
 */
import * as vscode from 'vscode';
import { ActivityStore, bundledCatalog, type Diagnostic, type GenerationRecord, Redactor, undici } from './core';
import { registerChatParticipant } from './vscode/chat-participant';
import { registerCommands } from './vscode/commands';
import { seedDemoSecrets } from './vscode/demo-secrets';
import { FolderTracker } from './vscode/folders';
import { KeyStore } from './vscode/key-store';
import { RoutedModelProvider, VENDOR } from './vscode/lm-provider';
import { Log } from './vscode/log';
import { RoutingService } from './vscode/folder-routers';
import { EndpointService, type EndpointInfo, type EndpointStatusSnapshot } from './vscode/endpoint';
import { SecretVault } from './vscode/secrets';
import { RoutingSettings } from './vscode/routing-config';
import { StatusBar, type StatusSnapshot } from './vscode/status-bar';
import { Alerts } from './vscode/alerts';
import { registerPanels } from './vscode/panels';
import { registerWebSearchCommands, WebSearchService } from './vscode/web-search';
import { askExpiry, askSecret } from './vscode/panels/prompts';
import type { PageStatus } from './vscode/panels/webview-channel';
import { registerWebSearchTool } from './vscode/web-search-tool';
import { bindShell } from './vscode/host-shim';
import type { MainHandle, ShellSlots } from './vscode/lazy';

/** The API parts that need the router; src/extension.ts adds the activation marks and the test hooks. */
export interface MainApi {
  /** Every finished generation, from every surface, as recorded in the activity log. */
  readonly onDidGenerate: vscode.Event<GenerationRecord>;
  /** The status bar item as shown now. */
  status(): StatusSnapshot;
  /** Settings of a folder (or of the window) that were ignored or invalid. */
  problems(folder?: vscode.Uri): Diagnostic[];
  /** The local endpoint's base URLs while it runs. Never a token. */
  endpoint(): EndpointInfo;
  /** The endpoint's status bar item as shown now. */
  endpointStatus(): EndpointStatusSnapshot;
  /** Whether each view is open with its page loaded and talking to the host (its `ready` arrived). */
  views(): { providers: PageStatus; activity: PageStatus };
}

export function start(context: vscode.ExtensionContext, shell: { slots: ShellSlots; activationMs: number }): MainHandle & { api: MainApi } {
  const started = performance.now();
  bindShell(shell.slots);
  const redactor = new Redactor();
  const log = new Log(redactor);
  const vault = new SecretVault(context.secrets, context.globalState, redactor);
  const settings = new RoutingSettings(vault, log);
  const catalog = bundledCatalog();
  const activity = new ActivityStore({ dir: vscode.Uri.joinPath(context.globalStorageUri, 'activity').fsPath, onWarning: (m) => log.warn(m) });
  const routing = new RoutingService({ state: context.globalState, settings, vault, redactor, log, catalog, activity, history: activity });
  const folders = new FolderTracker();
  const keys = new KeyStore(vault, settings);
  context.subscriptions.push(log, vault, settings, routing, folders, keys, { dispose: () => void activity.close() });

  const ready = seedDemoSecrets(vault, log);
  void activity.monthToDate(Date.now()).then(
    (mtd) => routing.monthly.seed(Date.now(), mtd),
    (e: unknown) => log.warn(`activity log: month-to-date not read: ${(e as Error).message}`),
  );

  const modelsChanged = new vscode.EventEmitter<void>();
  let pending: ReturnType<typeof setTimeout> | undefined;
  const modelsMayHaveChanged = () => {
    // Settings writes and secret events come in bursts; the model picker needs one refresh.
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => modelsChanged.fire(), 100);
  };
  context.subscriptions.push(
    modelsChanged,
    keys.onDidChange(modelsMayHaveChanged),
    settings.onDidChange(modelsMayHaveChanged),
    vault.onDidChange(modelsMayHaveChanged),
  );

  const web = new WebSearchService({
    storage: context.secrets,
    state: context.globalState,
    redactor,
    http: routing.http,
    secrets: routing.secrets,
    config: (folder) => settings.forFolder(folder).parsed.config,
    record: (record) => routing.record(record),
    log,
  });
  context.subscriptions.push(
    web,
    registerWebSearchTool(web, folders),
    registerWebSearchCommands(web, { secret: () => askSecret('Set the Firecrawl key for web search', 'firecrawl'), expiry: askExpiry }),
  );
  void web.remind();

  const provider = new RoutedModelProvider({ routing, settings, folders, catalog, log, onDidChangeModels: modelsChanged.event });
  const status = new StatusBar(routing, settings, folders);
  const alerts = new Alerts({ routing, settings, activity, state: context.globalState, log });
  const panels = registerPanels({ extensionUri: context.extensionUri, routing, settings, vault, catalog, activity, log, redactor, web });
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider(VENDOR, provider),
    registerChatParticipant({ routing, settings, folders, catalog, extensionUri: context.extensionUri, web }),
    registerCommands({ routing, settings, folders, keys, vault, catalog, log }),
    panels,
    status,
    alerts,
  );
  const endpoint = new EndpointService({ context, routing, settings, folders, catalog, log, redactor, web });
  context.subscriptions.push(endpoint);

  settings.announceProblems();
  // The first request of the window should not pay for what every request needs: undici's module
  // and the values of the keys it may use (each read a round trip to the window in a web client).
  const warm = setTimeout(() => void ready.then(() => warmFirstRequest(vault, settings)).catch(() => undefined), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(warm) });
  const startMs = Math.round((performance.now() - started) * 10) / 10;
  log.info(
    `activated in ${shell.activationMs} ms, router started in ${startMs} ms, in ${vscode.env.appName} ${vscode.version}; ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'} workspace`,
  );

  const api: MainApi = {
    onDidGenerate: routing.onDidGenerate,
    status: () => status.current(),
    endpoint: () => endpoint.info(),
    endpointStatus: () => endpoint.statusItem(),
    problems: (uri) => settings.problems(uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined),
    views: () => ({ providers: panels.providers.pageStatus, activity: panels.activity.pageStatus }),
  };
  return { api, ready };
}

/** Loads undici and reads the key values every folder's plan may use into the vault's cache. */
async function warmFirstRequest(vault: SecretVault, settings: RoutingSettings) {
  undici();
  const ids = new Set<string>();
  for (const folder of [undefined, ...(vscode.workspace.workspaceFolders ?? [])])
    for (const k of settings.forFolder(folder).parsed.config.keys) if (!k.disabled) ids.add(k.id);
  await Promise.all([...ids].map((id) => vault.keySecret(id).catch(() => undefined)));
}
