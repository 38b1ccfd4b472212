/**
 * Reloads a webview page that never said `ready`. The editor sometimes leaves a webview blank
 * (its iframe's service worker fails to register, or a resource load is lost under load; see
 * microsoft/vscode#125993), and the user would otherwise face an empty view until they reload the
 * window. A page that cannot load at all (a packaging fault) stays blank after the last reload,
 * so tests of what ships still fail. Plain TypeScript, no `vscode`: the channel hands it callbacks.
 */
export interface PageWatchdogOptions {
  /** The page has greeted the host. */
  isReady: () => boolean;
  /** The view is on screen: a hidden view's page is not expected to load. */
  isVisible: () => boolean;
  /** Sets the page's HTML again; `attempt` counts from 1. */
  reload: (attempt: number) => void;
  /** How long a visible page may take to say `ready`. */
  graceMs?: number;
  maxReloads?: number;
}

export const PAGE_GRACE_MS = 8_000;
export const PAGE_MAX_RELOADS = 2;

export class PageWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reloads = 0;
  private stopped = false;

  constructor(private readonly opts: PageWatchdogOptions) {}

  /** How many times the page was reloaded. */
  get reloaded(): number {
    return this.reloads;
  }

  /** (Re)starts the wait: call when the page's HTML is set and when the view shows again. */
  arm(): void {
    if (this.stopped || this.timer || this.opts.isReady()) return;
    this.timer = setTimeout(() => this.check(), this.opts.graceMs ?? PAGE_GRACE_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped || this.opts.isReady() || !this.opts.isVisible()) return;
    if (this.reloads >= (this.opts.maxReloads ?? PAGE_MAX_RELOADS)) return;
    this.reloads++;
    this.opts.reload(this.reloads);
    this.arm();
  }
}
