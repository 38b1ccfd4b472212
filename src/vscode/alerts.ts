/**
 * Notifications about money and keys: a spending spike (once per UTC day) and key expiry reminders
 * at 14, 3 and 1 days (once each per key and date) with a Rotate action. What was shown is kept in
 * globalState, so a reload does not repeat it.
 */
import * as vscode from 'vscode';
import { type ActivityQuery, DailySpend, expiryReminders, type GenerationRecord, SPIKE_WINDOW_DAYS } from '../core';
import type { Log } from './log';
import type { RoutingService } from './folder-routers';
import type { RoutingSettings } from './routing-config';

const DAY = 86_400_000;
const SHOWN = 'byokRouter.alertsShown';
const EXPIRY_CHECK_MS = 6 * 60 * 60_000;
/** How often the spike check reads the log again, for what other windows and the CLI spent. */
const SPEND_RESEED_MS = 10 * 60_000;

export interface AlertDeps {
  routing: RoutingService;
  settings: RoutingSettings;
  activity: { read(query?: ActivityQuery): Promise<GenerationRecord[]> };
  state: vscode.Memento;
  log: Log;
}

export class Alerts implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private pending: ReturnType<typeof setTimeout> | undefined;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly spend = new DailySpend();

  constructor(private readonly deps: AlertDeps) {
    this.subscriptions = [
      deps.routing.onDidGenerate((record) => {
        this.spend.add(record);
        if (this.pending) return;
        this.pending = setTimeout(() => {
          this.pending = undefined;
          void this.checkSpike();
        }, 2_000);
      }),
      deps.settings.onDidChange(() => void this.checkExpiry()),
    ];
    this.timer = setInterval(() => void this.checkExpiry(), EXPIRY_CHECK_MS);
    void this.checkExpiry();
  }

  private shown(): string[] {
    return this.deps.state.get<string[]>(SHOWN, []);
  }

  /** Records an alert as shown; false when it already was. */
  private async once(id: string): Promise<boolean> {
    const shown = this.shown();
    if (shown.includes(id)) return false;
    await this.deps.state.update(SHOWN, [...shown, id].slice(-500));
    return true;
  }

  async checkSpike(now = Date.now()) {
    try {
      const factor = this.deps.settings.forFolder(undefined).parsed.config.alerts.dailySpikeFactor;
      if (!(factor > 0)) return;
      // Read once, then kept up in memory: a busy session must not re-read two weeks of log every 2 s.
      if (!(now - this.spend.seededAt < SPEND_RESEED_MS) || Math.floor(now / DAY) !== Math.floor(this.spend.seededAt / DAY))
        this.spend.seed(await this.deps.activity.read({ since: now - (SPIKE_WINDOW_DAYS + 1) * DAY }), now);
      const spike = this.spend.alert(now, factor);
      if (!spike || !(await this.once(`spike:${spike.day}`))) return;
      const message = `BYOK Router: today's spend $${spike.today.toFixed(2)} is over ${spike.factor}× your usual day ($${spike.median.toFixed(2)}, the 14-day median).`;
      this.deps.log.warn(message);
      const pick = await vscode.window.showWarningMessage(message, 'Open Activity');
      if (pick) void vscode.commands.executeCommand('byokRouter.openActivity');
    } catch (e) {
      this.deps.log.warn(`spend alert: ${(e as Error).message}`);
    }
  }

  async checkExpiry(now = Date.now()) {
    const keys = this.deps.settings.forFolder(undefined).parsed.config.keys;
    for (const r of expiryReminders(keys, now)) {
      if (!(await this.once(`expiry:${r.keyId}:${r.expiresAt}:${r.threshold}`))) continue;
      const when = r.daysLeft === 0 ? 'today' : r.daysLeft === 1 ? 'tomorrow' : `in ${r.daysLeft} days`;
      const message = `BYOK Router: key "${r.keyName}" expires ${when} (${r.expiresAt}).`;
      this.deps.log.info(message);
      void vscode.window.showWarningMessage(message, 'Rotate').then((pick) => {
        if (pick) void vscode.commands.executeCommand('byokRouter.rotateKey', { id: r.keyId });
      });
    }
  }

  dispose() {
    if (this.pending) clearTimeout(this.pending);
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}
