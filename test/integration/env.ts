// What the integration suites share: where the simulators are (from the file the runner wrote),
// the extension's API, and small waits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GenerationRecord } from '../../src/core/activity/record';
import type { ByokRouterApi } from '../../src/extension';
import type { ItestEnv } from '../../scripts/fixtures/itest';
import type { Script } from '../../src/sim/server';

export const EXTENSION_ID = 'byok-router.byok-router';
export const VENDOR = 'byok-router';

function loadEnv(): ItestEnv {
  const file = process.env.BYOK_ITEST_CONFIG;
  if (!file) throw new Error('BYOK_ITEST_CONFIG is not set: run the suites through `npm run test:integration`');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ItestEnv;
}

export const env = loadEnv();

export async function api(): Promise<ByokRouterApi> {
  const ext = vscode.extensions.getExtension<ByokRouterApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  return ext.isActive ? ext.exports : ext.activate();
}

export interface SeenRequest {
  method: string;
  path: string;
  key: string | null;
  headers: Record<string, string>;
  json: { model?: string; messages?: { role: string; content: unknown }[]; tools?: unknown[]; stream?: boolean } | null;
  outcome: string | null;
  at: number;
}

async function call<T>(verb: string, sim: string, body?: unknown): Promise<T> {
  const res = await fetch(`${env.control}/${verb}/${sim}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`control ${verb}/${sim}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The simulators, as seen from the extension host. */
export const sims = {
  requests: (sim: string) => call<SeenRequest[]>('requests', sim),
  /** Only chat requests (key checks and model lists left out). */
  chats: async (sim: string) => (await call<SeenRequest[]>('requests', sim)).filter((r) => r.path.endsWith('/chat/completions')),
  reset: (...names: string[]) => Promise.all(names.map((n) => call('reset', n, {}))),
  enqueue: (sim: string, scripts: Script[], key?: string) => call('enqueue', sim, { scripts, key }),
  error: (sim: string, name: string, args: unknown[] = [], key?: string) => call('error', sim, { name, args, key }),
};

export const ALL_SIMS = ['openai', 'groq', 'openrouter', 'evil'];

/** Stores the values of the test keys and caller keys through the extension's own commands. */
export async function storeTestSecrets(opts: { callers?: boolean } = { callers: true }) {
  const { keys } = env;
  for (const [id, secret] of [
    ['oa-dev', keys.dev],
    ['oa-prod', keys.prod],
    ['groq-backup', keys.backup],
  ] as const) {
    const ok = await vscode.commands.executeCommand<boolean>('byokRouter.rotateKey', { id, secret });
    if (!ok) throw new Error(`could not store the value of ${id}`);
  }
  if (!opts.callers) return;
  await vscode.commands.executeCommand('byokRouter.setCaller', { caller: 'dev', folder: 'app-dev', openRouterKey: keys.orDev });
  await vscode.commands.executeCommand('byokRouter.setCaller', { caller: 'prod', folder: 'api-prod', openRouterKey: keys.orProd });
}

export async function openIn(folder: 'dev' | 'prod', rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(env.folders[folder], rel)));
  return vscode.window.showTextDocument(doc);
}

export async function routedModel(id = env.model): Promise<vscode.LanguageModelChat> {
  const models = await waitFor(
    async () => {
      const found = await vscode.lm.selectChatModels({ vendor: VENDOR, id });
      return found.length ? found : undefined;
    },
    10_000,
    `model ${id} from vendor ${VENDOR}`,
  );
  return models[0]!;
}

/** Sends one prompt through `vscode.lm` and returns the streamed text. */
export async function ask(prompt: string, model?: vscode.LanguageModelChat): Promise<string> {
  const m = model ?? (await routedModel());
  const res = await m.sendRequest([vscode.LanguageModelChatMessage.User(prompt)], {}, new vscode.CancellationTokenSource().token);
  let text = '';
  for await (const t of res.text) text += t;
  return text;
}

/** The next generation the extension records that `match` accepts. */
export async function nextGeneration(match: (r: GenerationRecord) => boolean = () => true, timeoutMs = 20_000): Promise<GenerationRecord> {
  const a = await api();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no matching generation within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = a.onDidGenerate((r) => {
      if (!match(r)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(r);
    });
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function userKeys(): { id: string; [k: string]: unknown }[] {
  return (vscode.workspace.getConfiguration('byokRouter').inspect<{ id: string }[]>('keys')?.globalValue ?? []) as { id: string }[];
}

export function folder(name: 'dev' | 'prod'): vscode.WorkspaceFolder {
  const f = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(env.folders[name]));
  if (!f) throw new Error(`workspace folder for ${name} is not open`);
  return f;
}
