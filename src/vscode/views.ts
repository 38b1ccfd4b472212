/**
 * The Providers and Activity views. They are registered here so the container, the status bar
 * and the model picker's "Manage" entry have somewhere to go; their full panels replace this
 * placeholder content.
 */
import * as vscode from 'vscode';
import type { KeyStore } from './key-store';
import type { RoutingService } from './routing';

export const PROVIDERS_VIEW = 'byokRouter.providers';
export const ACTIVITY_VIEW = 'byokRouter.activity';

export function registerViews(keys: KeyStore, routing: RoutingService): vscode.Disposable {
  const providers = new SummaryView(async () => {
    const list = await keys.list();
    if (!list.length) return `<p>No keys yet.</p><p><a href="command:byokRouter.addKey">Add your first key</a></p>`;
    const rows = list.map((k) => `<li><b>${esc(k.name)}</b> — ${esc(k.provider)}, ${esc(k.tier)}, ${esc(k.tail ?? 'no value stored')}</li>`).join('');
    return `<ul>${rows}</ul><p><a href="command:byokRouter.addKey">Add Key</a> · <a href="command:byokRouter.testKeys">Test All Keys</a> · <a href="command:byokRouter.explainRoute">Explain Route</a></p>`;
  });
  const recent: string[] = [];
  const activity = new SummaryView(async () =>
    recent.length ? `<ul>${recent.map((r) => `<li>${r}</li>`).join('')}</ul>` : '<p>No requests yet in this window. Ask <code>@byok</code> in the chat, or run an editor command.</p>',
  );
  return vscode.Disposable.from(
    vscode.window.registerWebviewViewProvider(PROVIDERS_VIEW, providers),
    vscode.window.registerWebviewViewProvider(ACTIVITY_VIEW, activity),
    keys.onDidChange(() => providers.refresh()),
    routing.onDidGenerate((r) => {
      const who = r.servedBy ? (r.servedBy.route === 'pooled' ? 'pooled' : `${r.servedBy.provider}/${r.servedBy.keyName}`) : r.errorKind;
      recent.unshift(`${esc(new Date(r.startedAt).toLocaleTimeString())} ${esc(r.surface)} · ${esc(r.model)} · ${esc(r.caller)} → ${esc(who ?? '')} (${r.attempts.length} attempt(s))`);
      recent.splice(20);
      activity.refresh();
    }),
  );
}

class SummaryView implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;

  constructor(private readonly body: () => Promise<string>) {}

  resolveWebviewView(view: vscode.WebviewView) {
    this.view = view;
    view.webview.options = { enableScripts: false, enableCommandUris: true, localResourceRoots: [] };
    view.onDidDispose(() => (this.view = undefined));
    void this.refresh();
  }

  async refresh() {
    if (!this.view) return;
    const csp = `default-src 'none'; style-src 'unsafe-inline';`;
    this.view.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><style>body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground)}ul{padding-left:1.2em}</style></head><body>${await this.body()}</body></html>`;
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
