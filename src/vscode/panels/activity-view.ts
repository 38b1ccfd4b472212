/**
 * The Activity view's host side: reads the activity log through the filter the webview set,
 * pushes a new state as each generation finishes, and writes exports where the user chooses.
 */
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { PROVIDERS } from '../../core';
import { activityProtocol, DEFAULT_FILTER, type ActivityFilter, type ActivityRequestBody, type ActivityState } from '../../protocol/activity';
import { dailyBuckets, monthView, toCsv, toJson, toQuery, toRow } from './activity-model';
import { folders, parseUserSettings } from './scopes';
import type { PanelServices } from './services';
import { ACTIVITY_PAGE } from './html';
import { PanelView } from './webview-channel';

export const ACTIVITY_VIEW_ID = 'byokRouter.activity';

/** Rows listed; the chart and totals count every match. */
export const LISTED = 200;

/**
 * Other windows and the CLI append to the same log: watch its directory so their records show up.
 * A directory that does not exist yet (no generation so far) is watched once it appears.
 */
export function watchActivityLog(dir: string, onChange: () => void, log: { warn(m: string): void }): vscode.Disposable {
  let watcher: fs.FSWatcher | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const start = () => {
    try {
      watcher = fs.watch(dir, { persistent: false }, () => onChange());
      watcher.on('error', () => undefined);
      if (timer) clearInterval(timer);
      timer = undefined;
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`activity view: cannot watch ${dir}: ${(e as Error).message}`);
      return false;
    }
  };
  if (!start()) timer = setInterval(() => void (start() && onChange()), 2_000);
  return { dispose: () => (watcher?.close(), timer && clearInterval(timer)) };
}

export class ActivityViewProvider
  extends PanelView<ActivityRequestBody, { filter?: ActivityFilter }, ActivityState>
  implements vscode.WebviewViewProvider, vscode.Disposable
{
  private filter: ActivityFilter = DEFAULT_FILTER;
  private readonly subscriptions: vscode.Disposable[];

  constructor(services: PanelServices) {
    super(services, 'activity', ACTIVITY_PAGE, activityProtocol);
    this.subscriptions = [
      services.routing.onDidGenerate(() => this.channel?.refresh(150)),
      services.settings.onDidChange(() => this.channel?.refresh()),
      // Cooldown, auth and budget state change without a generation of this window's.
      services.routing.onDidChangeHealth(() => this.channel?.refresh(250)),
      services.routing.onDidWarnBudget(() => this.channel?.refresh(0)),
      ...(services.activity.dir ? [watchActivityLog(services.activity.dir, () => this.channel?.refresh(250), services.log)] : []),
    ];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.open(view, {
      onReady: (restored) => {
        if (restored?.filter) this.filter = restored.filter;
      },
      handlers: {
        setFilter: (b) => {
          this.filter = b.filter;
          this.channel?.refresh(0);
        },
        refresh: () => this.channel?.refresh(0),
        export: (b) => this.export(b.format),
      },
      concurrent: new Set(['export']),
    });
  }

  dispose() {
    this.channel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  protected async buildState(): Promise<ActivityState> {
    const now = Date.now();
    const query = toQuery(this.filter, now);
    const [{ records, skipped }, mtd] = await Promise.all([this.services.activity.scan(query), this.services.activity.monthToDate(now)]);
    const fees = parseUserSettings(this.services.vault).config.fees;
    return {
      filter: this.filter,
      choices: this.choices(),
      generations: records.slice(0, LISTED).map(toRow),
      truncated: records.length > LISTED,
      month: monthView(mtd, fees, now),
      days: dailyBuckets(records, query.since, now),
      daysBy: {
        key: dailyBuckets(records, query.since, now, 'key'),
        model: dailyBuckets(records, query.since, now, 'model'),
        caller: dailyBuckets(records, query.since, now, 'caller'),
      },
      skipped,
      now,
    };
  }

  /** Callers, providers and keys of every scope, plus whatever the filter holds now. */
  private choices(): ActivityState['choices'] {
    const callers = new Set<string>();
    const keys = new Map<string, { id: string; name: string; provider: string }>();
    const configs = [parseUserSettings(this.services.vault).config, ...folders().map((f) => this.services.settings.forFolder(f).parsed.config)];
    for (const c of configs) {
      callers.add(c.defaultCaller);
      for (const caller of c.callers) callers.add(caller.name);
      for (const k of c.keys) if (!keys.has(k.id)) keys.set(k.id, { id: k.id, name: k.name, provider: k.provider });
    }
    if (this.filter.caller) callers.add(this.filter.caller);
    if (this.filter.keyId && !keys.has(this.filter.keyId)) keys.set(this.filter.keyId, { id: this.filter.keyId, name: this.filter.keyId, provider: '' });
    return {
      callers: [...callers].sort(),
      providers: [...PROVIDERS],
      keys: [...keys.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name)),
    };
  }

  private async export(format: 'csv' | 'json'): Promise<{ saved?: string; count: number }> {
    const { records } = await this.services.activity.scan(toQuery(this.filter, Date.now()));
    const day = new Date().toISOString().slice(0, 10);
    const base = folders()[0]?.uri ?? vscode.Uri.file(homedir());
    const target = await vscode.window.showSaveDialog({
      title: `Export ${records.length} generation(s) as ${format.toUpperCase()}`,
      defaultUri: vscode.Uri.joinPath(base, `byok-activity-${day}.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return { count: records.length };
    const body = format === 'csv' ? toCsv(records) : toJson(records);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(body));
    this.services.log.info(`activity view: exported ${records.length} generation(s) to ${target.fsPath}`);
    return { saved: target.fsPath, count: records.length };
  }
}
