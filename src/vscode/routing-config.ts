/**
 * The effective routing config of each workspace folder, read from `byokRouter.*` settings through
 * the user-only and trust rules, parsed by the core, cached until something changes; and the
 * "settings problems" warning, shown once per change with the details in the log.
 */
import * as vscode from 'vscode';
import { type Diagnostic, formatDiagnostic, parseConfig, type ParsedConfig } from '../core';
import type { Log } from './log';
import { effectiveRouting, ROUTING_SETTINGS, type Inspected, type RoutingSetting } from './settings-merge';
import type { SecretVault } from './secrets';

export interface FolderRouting {
  folder: vscode.WorkspaceFolder | undefined;
  parsed: ParsedConfig;
  /** Folder values not honoured (user-only or untrusted), as warnings. */
  ignored: Diagnostic[];
  /** `byokRouter.defaultModel`, '' when unset. */
  defaultModel: string;
}

export class RoutingSettings implements vscode.Disposable {
  private readonly cache = new Map<string, FolderRouting>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after any change that can alter a folder's routing. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** What the last warning covered, so the same problems are not announced twice. */
  private announced = '';

  constructor(
    private readonly vault: SecretVault,
    private readonly log: Log,
  ) {
    const refresh = () => this.refresh();
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('byokRouter')) refresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(refresh),
      vscode.workspace.onDidChangeWorkspaceFolders(refresh),
      // A newly stored secret binds its id to a provider, which the folder rules consult.
      vault.onDidChange(refresh),
    ];
  }

  /** The routing of `folder`; undefined means user (and workspace-file) settings only. */
  forFolder(folder: vscode.WorkspaceFolder | undefined): FolderRouting {
    const id = folder?.uri.toString() ?? '';
    let r = this.cache.get(id);
    if (!r) {
      r = this.read(folder);
      this.cache.set(id, r);
    }
    return r;
  }

  /** Every scope a request can come from: each folder, or the window itself when there is none. */
  scopes(): FolderRouting[] {
    const folders = vscode.workspace.workspaceFolders ?? [];
    return folders.length ? folders.map((f) => this.forFolder(f)) : [this.forFolder(undefined)];
  }

  problems(folder: vscode.WorkspaceFolder | undefined): Diagnostic[] {
    const r = this.forFolder(folder);
    return [...r.ignored, ...r.parsed.diagnostics];
  }

  /** Logs the problems of every scope and warns once when they differ from the last warning. */
  announceProblems(): void {
    const lines: string[] = [];
    for (const scope of this.scopes()) {
      const where = scope.folder ? `folder "${scope.folder.name}"` : 'user settings';
      for (const d of [...scope.ignored, ...scope.parsed.diagnostics]) lines.push(`${where}: ${formatDiagnostic(d)}`);
    }
    const signature = lines.join('\n');
    if (signature === this.announced) return;
    this.announced = signature;
    if (!lines.length) return;
    for (const line of lines) this.log.warn(`settings: ${line}`);
    const count = lines.length === 1 ? 'A routing setting was' : `${lines.length} routing settings were`;
    void vscode.window
      .showWarningMessage(
        `BYOK Router: ${count} ignored or invalid; the rest of your configuration keeps working. Details are in the log.`,
        'Open Settings',
        'Show Log',
      )
      .then((choice) => {
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'byokRouter');
        if (choice === 'Show Log') this.log.show();
      });
  }

  dispose() {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private refresh() {
    this.cache.clear();
    this.changed.fire();
    this.announceProblems();
  }

  private read(folder: vscode.WorkspaceFolder | undefined): FolderRouting {
    const config = vscode.workspace.getConfiguration('byokRouter', folder?.uri);
    const trusted = vscode.workspace.isTrusted;
    const inspected = {} as Record<RoutingSetting, Inspected | undefined>;
    for (const setting of Object.keys(ROUTING_SETTINGS) as RoutingSetting[]) inspected[setting] = config.inspect(setting);
    const { raw, ignored } = effectiveRouting(inspected, { trusted, boundProviders: this.vault.bindings() });
    const parsed = parseConfig(raw);
    // Settings paths in diagnostics, so a user can find the entry: keys[2].tier → byokRouter.keys[2].tier.
    for (const d of parsed.diagnostics) d.path = settingPath(d.path);
    const model = config.inspect<string>('defaultModel');
    const defaultModel = (trusted ? config.get<string>('defaultModel') : model?.globalValue) ?? '';
    return { folder, parsed, ignored, defaultModel: defaultModel.trim() };
  }
}

function settingPath(path: string): string {
  const field = /^[A-Za-z]+/.exec(path)?.[0];
  const setting = (Object.keys(ROUTING_SETTINGS) as RoutingSetting[]).find((s) => ROUTING_SETTINGS[s] === field);
  return setting ? `byokRouter.${setting}${path.slice(field!.length)}` : path;
}
