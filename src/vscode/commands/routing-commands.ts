/** Routing commands: explain a plan, choose a folder's caller, test every key for real. */
import * as vscode from 'vscode';
import { formatBudgets, formatDiagnostic, formatPlan, type KeyValidation, readForTest, routeLabel, validateKey } from '../../core';
import { VENDOR } from '../lm-provider';
import { defaultModel, servableModels } from '../models';
import type { CommandDeps } from './deps';

interface ExplainArg {
  model?: string;
  caller?: string;
  folder?: unknown;
}

/** Prints the plan for a model and caller, with the reasons keys were left out. Sends nothing. */
export async function explainRoute(deps: CommandDeps, arg?: ExplainArg): Promise<string | undefined> {
  const folder = arg?.folder !== undefined ? deps.folders.resolve(arg.folder) : deps.folders.active();
  const model = arg?.model ?? (await pickModel(deps, folder));
  if (!model) return undefined;
  const caller = arg?.caller ?? (await pickCaller(deps, folder, 'Explain Route as caller…'));
  if (!caller) return undefined;
  const plan = await deps.routing.routerFor(folder).explain(model, caller);
  const scope = deps.settings.forFolder(folder);
  const budgets = formatBudgets(plan.budgets);
  const lines = [
    formatPlan(plan),
    ...(budgets ? [budgets] : []),
    '',
    `Settings: ${folder ? `folder "${folder.name}"` : 'user settings'}${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: folder settings are ignored)'}`,
  ];
  const problems = [...scope.ignored, ...scope.parsed.diagnostics];
  if (problems.length) {
    lines.push('Settings not applied:');
    for (const d of problems) lines.push(`  - ${formatDiagnostic(d)}`);
  }
  const text = lines.join('\n');
  if (!arg?.model || !arg.caller) {
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: text });
    await vscode.window.showTextDocument(doc, { preview: true });
  }
  deps.log.info(`explain route:\n${text}`);
  return text;
}

async function pickModel(deps: CommandDeps, folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> {
  const servable = await servableModels(deps.routing, deps.settings, deps.catalog);
  const preferred = await defaultModel(folder, deps.routing, deps.settings, deps.catalog);
  const servableSlugs = new Set(servable.map((m) => m.slug));
  const items: (vscode.QuickPickItem & { slug: string })[] = [
    ...servable.map((m) => ({ label: m.name, description: m.slug, detail: `${m.routes} route(s)`, slug: m.slug })),
    ...deps.catalog
      .slugs()
      .filter((s) => !servableSlugs.has(s))
      .map((s) => ({ label: deps.catalog.get(s)?.name ?? s, description: s, detail: 'no route in this folder — see why', slug: s })),
  ];
  const preferredItem = items.find((i) => i.slug === preferred);
  if (preferredItem) items.unshift(...items.splice(items.indexOf(preferredItem), 1));
  const pick = await vscode.window.showQuickPick(items, { title: 'Explain Route for model…', matchOnDescription: true });
  return pick?.slug;
}

async function pickCaller(deps: CommandDeps, folder: vscode.WorkspaceFolder | undefined, title: string, allowNew = false): Promise<string | undefined> {
  const config = deps.settings.forFolder(folder).parsed.config;
  const names = [...new Set([config.defaultCaller, ...config.callers.map((c) => c.name)])];
  const NEW = '$(add) New caller…';
  const items: vscode.QuickPickItem[] = names.map((n) => ({
    label: n,
    description: [n === config.defaultCaller ? 'this folder' : '', config.callers.find((c) => c.name === n)?.description ?? ''].filter(Boolean).join(' · '),
  }));
  if (allowNew) items.push({ label: NEW });
  const pick = await vscode.window.showQuickPick(items, { title });
  if (pick?.label !== NEW) return pick?.label;
  return vscode.window.showInputBox({
    title: 'New caller',
    prompt: 'A name such as dev, prod or evals',
    validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v) ? undefined : 'Letters, digits, ".", "_" or "-", starting with a letter or digit'),
  });
}

interface CallerArg {
  caller?: string;
  folder?: unknown;
  /** The caller's OpenRouter key for pooled access; stored in secret storage. */
  openRouterKey?: string;
}

/** Writes `byokRouter.caller` into the folder's settings (adding the caller to the user's list when new). */
export async function setCaller(deps: CommandDeps, arg?: CallerArg): Promise<string | undefined> {
  const folder = arg?.folder !== undefined ? deps.folders.resolve(arg.folder) : (deps.folders.active() ?? (await pickFolder()));
  if (!folder) return undefined;
  const caller = arg?.caller ?? (await pickCaller(deps, folder, `Caller for "${folder.name}"`, true));
  if (!caller) return undefined;
  const root = vscode.workspace.getConfiguration('byokRouter');
  const users = root.inspect<unknown[]>('callers')?.globalValue ?? [];
  const known = deps.settings.forFolder(folder).parsed.config.callers.some((c) => c.name === caller);
  if (!known) await root.update('callers', [...users, { name: caller }], vscode.ConfigurationTarget.Global);
  await vscode.workspace.getConfiguration('byokRouter', folder.uri).update('caller', caller, vscode.ConfigurationTarget.WorkspaceFolder);
  let secret = arg?.openRouterKey;
  if (secret === undefined && arg?.caller === undefined && !(await deps.vault.callerSecret(caller))) {
    secret = await vscode.window.showInputBox({
      title: `OpenRouter key for caller "${caller}" (optional)`,
      prompt: 'Enables pooled access for this caller. Leave empty to route through your provider keys only.',
      password: true,
      ignoreFocusOut: true,
    });
  }
  if (secret?.trim()) await deps.vault.storeCaller(caller, secret);
  deps.log.info(`folder "${folder.name}" now calls as "${caller}"`);
  return caller;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Set the caller of which folder?' });
}

export interface KeyTestResult extends KeyValidation {
  label: string;
  id: string;
}

/** Checks every key and caller key of every folder, one cheap real request each. */
export async function testKeys(deps: CommandDeps): Promise<KeyTestResult[]> {
  const checks = new Map<string, () => Promise<KeyTestResult>>();
  for (const scope of deps.settings.scopes()) {
    const { config } = scope.parsed;
    for (const k of config.keys) {
      if (checks.has(`key:${k.id}`)) continue;
      checks.set(`key:${k.id}`, async () => {
        const read = await readForTest((o) => deps.routing.secrets.keySecret(k.id, o));
        return {
          id: k.id,
          label: routeLabel({ route: 'byok', provider: k.provider, key: k }, { tier: false }),
          ...(read.ok
            ? await validateKey(k, read.secret, { http: deps.routing.http, timeouts: config.timeouts, redactor: deps.routing.routerFor(scope.folder).redactor })
            : read.result),
        };
      });
    }
    for (const name of new Set([config.defaultCaller, ...config.callers.map((c) => c.name)])) {
      if (checks.has(`caller:${name}`)) continue;
      checks.set(`caller:${name}`, async () => {
        const read = await readForTest((o) => deps.routing.secrets.callerSecret(name, o));
        const label = `caller "${name}" (OpenRouter)`;
        if (!read.ok) return { id: name, label, ...read.result };
        const secret = read.secret;
        if (!secret) return { id: name, label, verdict: 'unknown', message: 'no OpenRouter key: pooled access is off for this caller', latencyMs: 0 };
        return {
          id: name,
          label,
          ...(await validateKey({ provider: 'openrouter', options: {}, name }, secret, {
            http: deps.routing.http,
            timeouts: config.timeouts,
            baseUrl: config.pooled.baseUrl,
            redactor: deps.routing.routerFor(scope.folder).redactor,
          })),
        };
      });
    }
  }
  if (!checks.size) {
    void vscode.window
      .showInformationMessage('There are no keys to test yet.', 'Add Key')
      .then((c) => c && vscode.commands.executeCommand('byokRouter.addKey'));
    return [];
  }
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Testing keys', cancellable: false },
    async (progress) => {
      const step = 100 / checks.size;
      return Promise.all(
        [...checks.values()].map(async (check) => {
          const r = await check();
          progress.report({ increment: step, message: `${r.label}: ${r.verdict}` });
          return r;
        }),
      );
    },
  );
  for (const r of results) deps.log.info(`test keys: ${r.verdict.padEnd(12)} ${r.label}: ${r.message} (${r.latencyMs} ms)`);
  const bad = results.filter((r) => r.verdict === 'auth' || r.verdict === 'network');
  const summary = `${results.length - bad.length} of ${results.length} keys work${bad.length ? `; failing: ${bad.map((r) => r.label).join(', ')}` : ''}.`;
  void (
    bad.length
      ? vscode.window.showWarningMessage(`BYOK Router: ${summary}`, 'Show Log')
      : vscode.window.showInformationMessage(`BYOK Router: ${summary}`, 'Show Log')
  ).then((c) => c && deps.log.show());
  return results;
}

/**
 * Opens the chat on `@byok` with a routed model already selected. The chat otherwise insists on
 * its own default model before it calls any participant, and offers to sign in to it.
 */
export async function openChat(deps: CommandDeps, arg?: { model?: string; query?: string }): Promise<void> {
  const model = arg?.model ?? (await defaultModel(deps.folders.active(), deps.routing, deps.settings, deps.catalog));
  await vscode.commands.executeCommand('workbench.action.chat.open', {
    query: arg?.query ?? '@byok ',
    isPartialQuery: arg?.query === undefined,
    ...(model ? { modelSelector: { vendor: VENDOR, id: model } } : {}),
  });
  await vscode.commands.executeCommand('workbench.action.chat.focusInput').then(undefined, () => undefined);
}
