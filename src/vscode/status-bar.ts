/** The folder's caller and the health of its routes, in one status bar item that opens the Providers view. */
import * as vscode from 'vscode';
import type { FolderTracker } from './folders';
import type { RoutingService } from './folder-routers';
import type { RoutingSettings } from './routing-config';

export interface StatusSnapshot {
  text: string;
  tooltip: string;
  caller: string;
  cooling: number;
  authFailing: number;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private snapshot: StatusSnapshot = { text: '', tooltip: '', caller: '', cooling: 0, authFailing: 0 };
  private background: string | undefined;

  constructor(
    private readonly routing: RoutingService,
    private readonly settings: RoutingSettings,
    private readonly folders: FolderTracker,
  ) {
    this.item = vscode.window.createStatusBarItem('byokRouter.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'BYOK Router';
    this.item.command = 'byokRouter.openProviders';
    const update = () => this.update();
    this.subscriptions = [
      routing.onDidChangeHealth(update),
      routing.onDidWarnBudget(update),
      settings.onDidChange(update),
      vscode.window.onDidChangeActiveTextEditor(update),
      vscode.workspace.onDidChangeWorkspaceFolders(update),
    ];
    this.update();
    this.item.show();
  }

  current(): StatusSnapshot {
    return { ...this.snapshot };
  }

  /** Always-use keys that cannot be tried, from the last check (it needs the secret store). */
  private alwaysUse: string[] = [];
  private checking = 0;

  private checkAlwaysUse(folder: ReturnType<FolderTracker['active']>) {
    const ticket = ++this.checking;
    void this.routing.alwaysUseProblems(folder).then(
      (problems) => {
        if (ticket !== this.checking || problems.join('\n') === this.alwaysUse.join('\n')) return;
        this.alwaysUse = problems;
        this.update(false);
      },
      () => undefined,
    );
  }

  update(recheck = true) {
    const folder = this.folders.active();
    if (recheck) this.checkAlwaysUse(folder);
    const caller = this.routing.callerOf(folder);
    const health = this.routing.health();
    const cooling = health.cooling.length;
    const authFailing = health.authFailing.length;
    const held = this.alwaysUse.length;
    const state =
      held > 0
        ? { icon: '$(lock)', label: held === 1 ? 'Always use key unavailable' : `${held} Always use keys unavailable` }
        : authFailing > 0
          ? { icon: '$(error)', label: authFailing === 1 ? 'a key failing auth' : `${authFailing} keys failing auth` }
          : cooling > 0
            ? { icon: '$(clock)', label: `${cooling} in cooldown` }
            : { icon: '$(pass)', label: '' };
    const budgets = this.routing.budgetWarnings();
    const budget = budgets.length ? ` · $(warning) budget ${Math.floor(Math.max(...budgets.map((b) => b.ratio)) * 100)} %` : '';
    const text = `${state.icon} BYOK: ${caller}${state.label ? ` · ${state.label}` : ''}${budget}`;
    const lines = [`BYOK Router — ${folder ? `folder "${folder.name}"` : 'no folder'} calls as "${caller}"`];
    for (const p of this.alwaysUse) lines.push(`${p}. Its requests stay on your prioritized keys and fail rather than leave them.`);
    if (!cooling && !authFailing && !held) lines.push('All routes healthy.');
    for (const c of health.cooling) lines.push(`${c.route}: ${c.reason}, cooling down for ${Math.ceil((c.until - Date.now()) / 1000)} s`);
    for (const a of health.authFailing) lines.push(`${a.route}: ${a.reason} — rotate the key`);
    for (const b of budgets)
      lines.push(
        `budget ${b.scope === 'key' ? `key "${b.name ?? b.id}"` : b.scope === 'caller' ? `caller "${b.id}"` : 'overall'}: ${Math.floor(b.ratio * 100)} % used`,
      );
    lines.push('', 'Click to open Providers');
    const tooltip = lines.join('\n');
    const background = authFailing || held ? 'statusBarItem.errorBackground' : cooling ? 'statusBarItem.warningBackground' : undefined;
    // Each property set is a message to the window, even when nothing changed.
    if (text !== this.snapshot.text) this.item.text = text;
    if (tooltip !== this.snapshot.tooltip) this.item.tooltip = tooltip;
    if (background !== this.background) {
      this.background = background;
      this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    }
    this.snapshot = { text, tooltip, caller, cooling, authFailing };
    // A cooldown ends on its own; look again when the soonest one does.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (cooling) {
      const soonest = Math.min(...health.cooling.map((c) => c.until));
      this.timer = setTimeout(() => this.update(), Math.max(250, soonest - Date.now() + 50));
    }
  }

  dispose() {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
