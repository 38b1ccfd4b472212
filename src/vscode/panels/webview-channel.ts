/**
 * One live webview view: its page (strict CSP, fresh nonce, resources only from `dist` and
 * `media`), the `ready` handshake, validated messages both ways, and state pushes coalesced so
 * a burst of settings events renders once. Nothing is posted before `ready` (the page would drop
 * it) or while the view is hidden (it would be lost); the state is pushed again when it shows.
 */
import * as vscode from 'vscode';
import { redactStrings } from '../../core';
import type { z } from 'zod';
import type { Reply } from '../../protocol/envelope';
import { createDispatcher, type DispatcherOptions } from './dispatch';
import { CODICONS_CSS, newNonce, renderPage, type PageAssets } from './html';
import { PageWatchdog } from './page-watchdog';
import type { PanelLog, PanelServices } from './services';

export interface ChannelOptions<B extends { op: string }, R, S> {
  view: vscode.WebviewView;
  extensionUri: vscode.Uri;
  page: PageAssets;
  name: string;
  log: PanelLog;
  protocol: Omit<DispatcherOptions<B, R>, 'post' | 'log' | 'view'>;
  stateSchema: z.ZodType<S>;
  buildState: () => Promise<S>;
  /** A last pass over every string the page receives: no key value reaches a webview. */
  redact?: (text: string) => string;
}

export const COALESCE_MS = 40;

/** Where a view's page stands: not resolved (or closed), its HTML set but no `ready` yet, or talking to the host. */
export interface PageStatus {
  state: 'closed' | 'loading' | 'ready';
  visible: boolean;
  /** How often the page was reloaded because it did not say `ready` in time. */
  reloads: number;
}

/** An error as a view shows it: its message, with stored secrets scrubbed. */
export function panelErrorText(services: PanelServices): (e: unknown) => string {
  return (e) => services.redactor.redact(e instanceof Error ? e.message : String(e));
}

/** Where a webview may load from: the bundle and the static media, nothing else. */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/** What the host validates of a view's protocol (`viewProtocol` in protocol/envelope.ts): the state it sends, the messages it receives. */
export interface HostSideProtocol<B extends { op: string }, R, S> {
  state: z.ZodType<S>;
  toHost: ChannelOptions<B, R, S>['protocol']['schema'];
}

/**
 * A panel's view provider: its page, its protocol and its one live channel — replaced when the
 * view resolves again, dropped when it closes — with the panel services' log, redaction and error text.
 */
export abstract class PanelView<B extends { op: string }, R, S> {
  protected channel: WebviewChannel<B, R, S> | undefined;

  protected constructor(
    protected readonly services: PanelServices,
    private readonly name: string,
    private readonly page: PageAssets,
    private readonly viewProtocol: HostSideProtocol<B, R, S>,
  ) {}

  /** Whether the view is open with its page loaded and talking to the host. */
  get pageStatus(): PageStatus {
    const c = this.channel;
    if (!c) return { state: 'closed', visible: false, reloads: 0 };
    return { state: c.pageReady ? 'ready' : 'loading', visible: c.visible, reloads: c.reloads };
  }

  /** The view's whole state, built afresh for each push. */
  protected abstract buildState(): Promise<S>;

  /** Opens the page on `view` with a new channel that answers the page through `dispatch`. */
  protected open(view: vscode.WebviewView, dispatch: Pick<ChannelOptions<B, R, S>['protocol'], 'onReady' | 'handlers' | 'concurrent'>): void {
    this.channel?.dispose();
    const { services } = this;
    const channel = new WebviewChannel<B, R, S>({
      view,
      extensionUri: services.extensionUri,
      name: this.name,
      page: this.page,
      log: services.log,
      redact: (text: string) => services.redactor.redact(text),
      stateSchema: this.viewProtocol.state,
      buildState: () => this.buildState(),
      protocol: { ...dispatch, schema: this.viewProtocol.toHost, describeError: panelErrorText(services) },
    });
    this.channel = channel;
    view.onDidDispose(() => {
      if (this.channel === channel) this.channel = undefined;
      channel.dispose();
    });
  }
}

export class WebviewChannel<B extends { op: string }, R, S> implements vscode.Disposable {
  private ready = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private building = false;
  private again = false;
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly watchdog: PageWatchdog;

  constructor(private readonly opts: ChannelOptions<B, R, S>) {
    const { view, log } = opts;
    const webview = view.webview;
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: resourceRoots(opts.extensionUri) };
    this.watchdog = new PageWatchdog({
      isReady: () => this.ready,
      isVisible: () => this.visible,
      reload: (attempt) => {
        log.warn(`${opts.name} view: its page did not load; loading it again (${attempt})`);
        this.setHtml();
      },
    });
    this.setHtml();
    const dispatch = createDispatcher<B, R>({
      ...opts.protocol,
      view: opts.name,
      log,
      post: (reply) => this.post(reply),
      onReady: async (restored) => {
        this.ready = true;
        await opts.protocol.onReady(restored);
        this.refresh(0);
      },
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((m) => void dispatch(m)),
      view.onDidChangeVisibility(() => {
        if (!view.visible) return;
        this.refresh(0);
        this.watchdog.arm();
      }),
    );
    if (view.visible) this.watchdog.arm();
  }

  /** The page with a fresh nonce; setting it again reloads the page. */
  private setHtml() {
    const { view, extensionUri, page } = this.opts;
    const webview = view.webview;
    const asset = (rel: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...rel.split('/'))).toString();
    webview.html = renderPage({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      title: page.title,
      script: asset(page.script),
      styles: page.styles.map(asset),
      codicons: asset(CODICONS_CSS),
      rootId: page.rootId,
    });
  }

  get reloads(): number {
    return this.watchdog.reloaded;
  }

  /** The page's script ran and said `ready`: the view shows a working page, not a blank one. */
  get pageReady(): boolean {
    return !this.disposed && this.ready;
  }

  get visible(): boolean {
    return !this.disposed && this.opts.view.visible;
  }

  /** Schedules a state push; calls within the window collapse into one. */
  refresh(delay = COALESCE_MS): void {
    if (this.disposed || !this.ready) return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pushState();
    }, delay);
  }

  dispose() {
    this.disposed = true;
    this.watchdog.stop();
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }

  private async pushState() {
    if (this.building) {
      this.again = true;
      return;
    }
    if (!this.opts.view.visible) return;
    this.building = true;
    try {
      const built = await this.opts.buildState();
      const state = this.opts.redact ? redactStrings(built, this.opts.redact) : built;
      // The host checks its own output too: a state that breaks the protocol (a tail that is
      // not a tail) is a bug to log, not something to show.
      const checked = this.opts.stateSchema.safeParse(state);
      if (!checked.success) {
        this.opts.log.error(
          `${this.opts.name} view: state not sent, it does not match the protocol: ${checked.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        );
        return;
      }
      await this.opts.view.webview.postMessage({ type: 'state', state: checked.data });
    } catch (e) {
      this.opts.log.error(`${this.opts.name} view: could not build its state: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.building = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  private post(reply: Reply) {
    if (this.disposed) return;
    void this.opts.view.webview.postMessage(this.opts.redact ? redactStrings(reply, this.opts.redact) : reply);
  }
}
