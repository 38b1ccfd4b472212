/**
 * The web-search slot: a workspace-level Firecrawl key in secret storage (id `firecrawl`), which a
 * folder may override by naming another stored key's id in `byokRouter.webSearch.keyId` — like
 * provider keys, a folder chooses among the user's own stored keys and never supplies one. The
 * credits' expiry is set when a key is added (three months by default) and reminders fire at 14,
 * 3 and 1 days. Searches go through the core and are recorded in the activity log.
 */
import * as vscode from 'vscode';
import {
  type CreditUsage,
  daysLeft,
  defaultExpiry,
  describeReference,
  dueReminder,
  FIRECRAWL_BASE_URL,
  firecrawlCredits,
  type GenerationRecord,
  type HttpClient,
  isReference,
  maskedTail,
  type Redactor,
  reminderText,
  type ResolvingSecretSource,
  type RouterConfig,
  webSearch,
  type WebSearchDeps,
  type WebSearchResult,
} from '../core';
import type { EndpointWeb } from '../serve/web-backend';

export const DEFAULT_WEB_KEY_ID = 'firecrawl';
const SECRET_PREFIX = 'byokRouter.webSearch.key.';
const META = 'byokRouter.webSearch.meta';
const REMINDER_CHECK_MS = 6 * 60 * 60_000;

interface KeyMeta {
  addedAt: number;
  expiresAt: string;
  /** Reminder thresholds (days) already shown. */
  sent: number[];
}

export interface WebSearchStatus {
  keyId: string;
  /** A folder picked a key other than the workspace one. */
  overridden: boolean;
  configured: boolean;
  masked?: string;
  source?: string;
  expiresAt?: string;
  daysLeft?: number;
  credits?: CreditUsage;
  creditsError?: string;
  byokOnly: boolean;
}

export interface WebSearchDepsVs {
  storage: vscode.SecretStorage;
  state: vscode.Memento;
  redactor: Redactor;
  http: HttpClient;
  /** Resolves a Firecrawl key held in a secret manager (trusted workspaces only). */
  secrets: ResolvingSecretSource;
  config: (folder: vscode.WorkspaceFolder | undefined) => RouterConfig;
  record: (record: GenerationRecord) => void;
  log: { info(m: string): void; warn(m: string): void };
}

export class WebSearchService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly credits = new Map<string, { at: number; usage?: CreditUsage; error?: string }>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly deps: WebSearchDepsVs) {
    this.subscriptions = [
      deps.storage.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) {
          this.credits.delete(e.key.slice(SECRET_PREFIX.length));
          this.changed.fire();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('byokRouter.webSearch') && this.changed.fire()),
    ];
    this.timer = setInterval(() => void this.remind(), REMINDER_CHECK_MS);
    this.timer.unref?.();
  }

  /** The key id in effect for a folder: its own `byokRouter.webSearch.keyId` when trusted, else the workspace key. */
  keyIdFor(folder: vscode.WorkspaceFolder | undefined): string {
    if (folder && vscode.workspace.isTrusted) {
      const v = vscode.workspace.getConfiguration('byokRouter', folder.uri).inspect<string>('webSearch.keyId');
      const own = v?.workspaceFolderValue ?? v?.workspaceValue;
      if (typeof own === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(own)) return own;
    }
    return DEFAULT_WEB_KEY_ID;
  }

  /** Web search never goes through OpenRouter when this is on in user settings or (as a further restriction) in the folder. */
  byokOnly(folder: vscode.WorkspaceFolder | undefined): boolean {
    const v = vscode.workspace.getConfiguration('byokRouter', folder?.uri).inspect<boolean>('webSearch.byokOnly');
    return v?.globalValue === true || v?.workspaceValue === true || v?.workspaceFolderValue === true;
  }

  /** Passing a web option to OpenRouter when no Firecrawl key is set: user settings only, off by default. */
  openRouterFallback(): boolean {
    return vscode.workspace.getConfiguration('byokRouter').inspect<boolean>('webSearch.openRouterFallback')?.globalValue === true;
  }

  /** Where searches go: a user setting only, so a folder can never point the key at another host. */
  baseUrl(): string {
    const v = vscode.workspace.getConfiguration('byokRouter').inspect<string>('webSearch.baseUrl')?.globalValue;
    return typeof v === 'string' && /^https?:\/\//.test(v) ? v : FIRECRAWL_BASE_URL;
  }

  async stored(id: string): Promise<string | undefined> {
    return (await this.deps.storage.get(SECRET_PREFIX + id)) || undefined;
  }

  async hasKey(folder: vscode.WorkspaceFolder | undefined): Promise<boolean> {
    return !!(await this.stored(this.keyIdFor(folder)));
  }

  /** The value to send, with a reference resolved; rejects when a reference fails. */
  private async resolvedKey(id: string): Promise<string | undefined> {
    const v = await this.stored(id);
    if (!isReference(v)) {
      this.deps.redactor.add(v);
      return v;
    }
    const r = await this.deps.secrets.resolver.resolve(v);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }

  async setKey(id: string, value: string, expiresAt?: string): Promise<void> {
    const v = value.trim();
    if (!v) throw new Error('an empty key cannot be stored');
    if (!isReference(v)) this.deps.redactor.add(v);
    const now = Date.now();
    const meta = this.meta();
    meta[id] = { addedAt: now, expiresAt: expiresAt ?? defaultExpiry(now), sent: [] };
    await this.deps.state.update(META, meta);
    await this.deps.storage.store(SECRET_PREFIX + id, v);
    this.credits.delete(id);
    this.changed.fire();
  }

  async deleteKey(id: string): Promise<void> {
    const { [id]: _gone, ...rest } = this.meta();
    await this.deps.state.update(META, rest);
    await this.deps.storage.delete(SECRET_PREFIX + id);
    this.credits.delete(id);
    this.changed.fire();
  }

  async setExpiry(id: string, expiresAt: string): Promise<void> {
    const meta = this.meta();
    const m = meta[id] ?? { addedAt: Date.now(), expiresAt, sent: [] };
    meta[id] = { ...m, expiresAt, sent: [] };
    await this.deps.state.update(META, meta);
    this.changed.fire();
  }

  /** What the Providers view shows. Credits come from cache; a stale entry starts a refresh that fires onDidChange. */
  async status(folder: vscode.WorkspaceFolder | undefined): Promise<WebSearchStatus> {
    const keyId = this.keyIdFor(folder);
    const value = await this.stored(keyId);
    const meta = this.meta()[keyId];
    const cached = this.credits.get(keyId);
    if (value && (!cached || Date.now() - cached.at > 5 * 60_000)) void this.refreshCredits(keyId);
    return {
      keyId,
      overridden: keyId !== DEFAULT_WEB_KEY_ID,
      configured: !!value,
      ...(value ? (isReference(value) ? { source: describeReference(value) } : { masked: maskedTail(value).replace(/\s/g, '·') }) : {}),
      ...(value && meta ? { expiresAt: meta.expiresAt, daysLeft: daysLeft(meta.expiresAt, Date.now()) } : {}),
      ...(value && cached?.usage ? { credits: cached.usage } : {}),
      ...(value && cached?.error ? { creditsError: cached.error } : {}),
      byokOnly: this.byokOnly(folder),
    };
  }

  /** Reads the credits left now (the Test button of the Web search section). */
  async refreshCredits(keyId: string): Promise<{ ok: boolean; message: string }> {
    this.credits.set(keyId, { ...this.credits.get(keyId), at: Date.now() });
    let key: string | undefined;
    try {
      key = await this.resolvedKey(keyId);
    } catch (e) {
      const error = `the key's secret reference failed: ${(e as Error).message}`;
      this.credits.set(keyId, { at: Date.now(), error });
      this.changed.fire();
      return { ok: false, message: error };
    }
    if (!key) return { ok: false, message: 'no Firecrawl key is set' };
    const r = await firecrawlCredits({ http: this.deps.http, apiKey: key, baseUrl: this.baseUrl(), timeouts: this.deps.config(undefined).timeouts });
    const entry = r.ok ? { at: Date.now(), usage: r.usage } : { at: Date.now(), error: this.deps.redactor.redact(r.error.message) };
    this.credits.set(keyId, entry);
    this.changed.fire();
    return r.ok ? { ok: true, message: `${r.usage.remainingCredits ?? '?'} credits left` } : { ok: false, message: entry.error! };
  }

  /** The core's search plumbing for a folder: its key (resolved when a reference), Firecrawl's origin, the activity log. */
  coreDeps(folder: vscode.WorkspaceFolder | undefined): WebSearchDeps & { hasKey: () => Promise<boolean> } {
    const keyId = this.keyIdFor(folder);
    return {
      http: this.deps.http,
      timeouts: this.deps.config(folder).timeouts,
      apiKey: () => this.resolvedKey(keyId),
      hasKey: async () => !!(await this.stored(keyId)),
      keyId,
      baseUrl: this.baseUrl(),
      redactor: this.deps.redactor,
      sink: { append: (record) => this.deps.record(record) },
    };
  }

  /** The local endpoint's web options, for the folder each caller's requests belong to. */
  endpointWeb(folderOf: (caller: string) => vscode.WorkspaceFolder | undefined): EndpointWeb {
    return {
      deps: (caller) => this.coreDeps(folderOf(caller)),
      policy: (caller) => ({ byokOnly: this.byokOnly(folderOf(caller)), passToOpenRouter: this.openRouterFallback() }),
    };
  }

  async search(
    query: string,
    opts: { folder: vscode.WorkspaceFolder | undefined; surface: string; limit?: number; token?: vscode.CancellationToken },
  ): Promise<WebSearchResult> {
    const keyId = this.keyIdFor(opts.folder);
    const ac = new AbortController();
    const sub = opts.token?.onCancellationRequested(() => ac.abort());
    try {
      const r = await webSearch(this.coreDeps(opts.folder), query, { surface: opts.surface, folder: opts.folder?.name, limit: opts.limit, signal: ac.signal });
      if (r.ok && r.creditsUsed !== undefined) {
        const cached = this.credits.get(keyId);
        if (cached?.usage?.remainingCredits !== undefined) {
          this.credits.set(keyId, { ...cached, usage: { ...cached.usage, remainingCredits: Math.max(0, cached.usage.remainingCredits - r.creditsUsed) } });
          this.changed.fire();
        }
      }
      this.deps.log.info(
        `web search (${opts.surface}): ${r.ok ? `${r.results.length} result(s), ${r.creditsUsed ?? '?'} credit(s)` : `failed: ${r.error.message}`}`,
      );
      return r;
    } finally {
      sub?.dispose();
    }
  }

  /** Shows the reminder due now for each stored key, once per threshold. */
  async remind(now = Date.now()): Promise<void> {
    const meta = this.meta();
    for (const [id, m] of Object.entries(meta)) {
      if (!(await this.stored(id))) continue;
      const due = dueReminder(m.expiresAt, now, m.sent);
      if (due === undefined) continue;
      meta[id] = { ...m, sent: [...m.sent, due] };
      await this.deps.state.update(META, meta);
      const name = id === DEFAULT_WEB_KEY_ID ? '' : ` (key "${id}")`;
      void vscode.window
        .showWarningMessage(`${reminderText(m.expiresAt, now)}${name}`, 'Open Providers')
        .then((c) => c && vscode.commands.executeCommand('byokRouter.openProviders'));
    }
  }

  private meta(): Record<string, KeyMeta> {
    return { ...this.deps.state.get<Record<string, KeyMeta>>(META, {}) };
  }

  dispose() {
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/**
 * `byokRouter.setWebSearchKey`: the workspace Firecrawl key from the palette (the Providers view's
 * Web search section does the same); other extensions and tests pass `{ secret, expiresAt }`.
 */
export function registerWebSearchCommands(
  web: WebSearchService,
  ask: { secret(): Promise<string | undefined>; expiry(): Thenable<string | undefined> },
): vscode.Disposable {
  return vscode.commands.registerCommand('byokRouter.setWebSearchKey', async (arg?: { secret?: string; expiresAt?: string }) => {
    const secret = arg?.secret ?? (await ask.secret());
    if (!secret?.trim()) return false;
    const expiresAt = arg?.expiresAt ?? (arg?.secret ? undefined : await ask.expiry());
    if (!arg?.secret && expiresAt === undefined) return false;
    if (expiresAt !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(expiresAt)) throw new Error(`expected a date such as 2027-03-04, not "${expiresAt}"`);
    await web.setKey(DEFAULT_WEB_KEY_ID, secret, expiresAt);
    return true;
  });
}
