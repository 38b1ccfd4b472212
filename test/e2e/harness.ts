/**
 * The browser end of the panel tests: the real editor (code-server on Node 24, provisioned by
 * scripts/host) running this repository as a development extension, simulated providers on
 * loopback, and Debian's chromium driven by playwright-core. Built on the same launchers as the
 * integration tests, so the editor starts here exactly as it does there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { closeFleet, startFleet, type Fleet, type SimSpec } from '../../scripts/fixtures/sims';
import { writeUserSettings, writeWorkspace, type FolderSpec } from '../../scripts/fixtures/profile';
import { openWorkbench, type Workbench } from '../../scripts/host/browser';
import { cleanup } from '../../scripts/host/cleanup';
import { sandboxEnv, startCodeServer, type RunningCodeServer } from '../../scripts/host/code-server';
import { repoRoot } from '../../scripts/host/layout';
import { ensureHost } from '../../scripts/host/provision';

export const ARTIFACTS = path.join(repoRoot, 'test-artifacts', 'e2e');

export interface WorldSpec<N extends string> {
  name: string;
  sims: Record<N, SimSpec>;
  userSettings: (fleet: Fleet<N>) => Record<string, unknown>;
  folders: FolderSpec[];
  /**
   * Key and caller values the extension stores in SecretStorage when it starts, the fast way for a
   * test to have them (SecretStorage lives in the browser; the demo profile's seeding file,
   * src/vscode/demo-secrets.ts, is the one door in). Only missing values are stored.
   */
  secrets?: { keys?: { id: string; provider: string; secret: string }[]; callers?: { name: string; secret: string }[] };
}

export interface World<N extends string> {
  page: Page;
  fleet: Fleet<N>;
  server: RunningCodeServer;
  userSettingsFile: string;
  folderDirs: Record<string, string>;
  /** Console lines from every frame (the webviews' included). */
  console: { type: string; text: string; url: string }[];
  close(): Promise<void>;
}

const log = (msg: string) => process.stdout.write(`      [e2e] ${msg}\n`);

/** `?workspace=…&payload=…` that loads this repository as a development extension (the smoke-test driver honours it). */
function developmentUrl(server: string, workspace: string): string {
  const authority = new URL(server).host;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${repoRoot}`]];
  return `${server}/?workspace=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export async function startWorld<N extends string>(spec: WorldSpec<N>): Promise<World<N>> {
  const t0 = Date.now();
  const layout = await ensureHost();
  const runDir = path.join(layout.root, 'runs', `e2e-${spec.name}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const fleet = await startFleet<N>(spec.sims);
  let server: RunningCodeServer | undefined;
  let workbench: Workbench | undefined;
  const serverLog = fs.createWriteStream(path.join(ARTIFACTS, `${spec.name}-code-server.log`));
  const workbenchLog = fs.createWriteStream(path.join(ARTIFACTS, `${spec.name}-workbench.log`));
  try {
    const userDataDir = path.join(runDir, 'user-data');
    const userSettingsFile = writeUserSettings(userDataDir, spec.userSettings(fleet));
    const wsRoot = path.join(runDir, 'workspace');
    const workspaceFile = writeWorkspace(wsRoot, spec.name, spec.folders);
    const secretsFile = path.join(runDir, 'secrets.json');
    if (spec.secrets) fs.writeFileSync(secretsFile, JSON.stringify(spec.secrets), { mode: 0o600 });
    server = await startCodeServer({
      layout,
      userDataDir,
      extensionsDir: path.join(runDir, 'extensions'),
      open: workspaceFile,
      smokeTestDriver: true,
      ...(spec.secrets ? { env: { BYOK_ROUTER_DEMO_SECRETS: secretsFile } } : {}),
      onOutput: (line) => serverLog.write(`${line}\n`),
    });
    const consoleLines: World<N>['console'] = [];
    workbench = await openWorkbench(developmentUrl(server.url, workspaceFile), {
      env: sandboxEnv(layout),
      profileDir: path.join(runDir, 'chromium'),
      onLog: (type, line) => workbenchLog.write(`[${type}] ${line}\n`),
    });
    const page = workbench.page;
    page.on('console', (m) => {
      const entry = { type: m.type(), text: m.text(), url: m.location().url };
      consoleLines.push(entry);
      workbenchLog.write(`[console:${entry.type}] ${entry.text} (${entry.url})\n`);
    });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.evaluate(() => (window as unknown as { driver?: { whenWorkbenchRestored(): Promise<void> } }).driver?.whenWorkbenchRestored());
    await page.waitForSelector('.statusbar', { timeout: 30_000 });
    log(`editor ready at ${server.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const folderDirs = Object.fromEntries(spec.folders.map((f) => [f.name, path.join(wsRoot, f.name)]));
    const srv = server;
    const wb = workbench;
    return {
      page,
      fleet,
      server: srv,
      userSettingsFile,
      folderDirs,
      console: consoleLines,
      close: async () => {
        await wb.close();
        await srv.stop();
        await closeFleet(fleet);
        serverLog.end();
        workbenchLog.end();
        await cleanup();
      },
    };
  } catch (e) {
    await workbench?.close();
    await server?.stop();
    await closeFleet(fleet);
    serverLog.end();
    workbenchLog.end();
    throw e;
  }
}

// ---------------------------------------------------------------- workbench helpers

/** The files start as plain JSON and the editor keeps them so (it only writes comments a user wrote). */
export function readSettings(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Rewrites settings.json the way a person editing it by hand would. */
export function editSettings(file: string, edit: (s: Record<string, unknown>) => void): void {
  const s = readSettings(file);
  edit(s);
  fs.writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
}

/**
 * Runs a command from the palette. The palette is built when it opens and misses commands of an
 * extension that registered a moment later, so it is reopened until the command is listed.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    // The row whose label is exactly the title: fuzzy matching lists look-alikes above it at times.
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.\\.\\.|…)?$`);
    const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) }).first();
    try {
      // Something taking focus as the window settles (a notification, a view opening) can close
      // the palette between opening and typing: then it is opened again, not waited on for 30 s.
      await input.fill(`>${title}`, { timeout: 3_000 });
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" never showed in the palette`);
      await page.waitForTimeout(500);
    }
  }
}

/** Answers the host's input box (a name, or a password box for a key value). */
export async function answerInputBox(page: Page, value: string, opts: { password?: boolean } = {}): Promise<void> {
  const input = page.locator(`.quick-input-widget .quick-input-box input${opts.password ? '[type="password"]' : ''}`);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(value);
  await input.press('Enter');
  // The box closes, or the same widget moves on to the next question (name, then value).
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await until('the input box to take the answer', async () => !(await box.isVisible()) || (await box.inputValue()) !== value, 15_000, 100);
}

/** Clicks a button of the modal dialog the host shows for confirmations. */
export async function confirmDialog(page: Page, button: string): Promise<void> {
  const b = page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: button });
  await b.waitFor({ state: 'visible', timeout: 15_000 });
  await b.click();
}

/**
 * The content frame of a webview view, found by the element its script mounts into. The
 * workbench nests the page two frames deep (`iframe.webview.ready` > `iframe#active-frame`).
 */
export async function webviewFrame(page: Page, rootId: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      if (f.isDetached()) continue;
      const found = await f.evaluate((id) => document.getElementById(id)?.getAttribute('aria-busy') === 'false', rootId).catch(() => false);
      if (found) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview with #${rootId} rendered within ${timeoutMs / 1000} s`);
}

/** Expands or collapses a view of the side bar by its header, e.g. to give the other one the room. */
export async function setPane(page: Page, title: string, expanded: boolean): Promise<void> {
  const header = page.locator('.pane-header', { hasText: title }).first();
  await header.waitFor();
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
}

/** Picks a color theme the way a user does: the Color Theme picker, by its label ("Light Modern"). */
export async function setTheme(page: Page, name: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(name);
  await page
    .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) })
    .first()
    .click();
  await input.waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);
}

/** Replaces the text of the active editor and saves it, as a person pasting into the file would. */
export async function replaceActiveEditorText(page: Page, text: string): Promise<void> {
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await editor.waitFor({ timeout: 15_000 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await editor.click();
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Control+S');
}

/** Closes every editor, discarding untitled documents (the explanations commands open). */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  const dontSave = page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: "Don't Save" });
  for (let i = 0; i < 10; i++) {
    try {
      await dontSave.waitFor({ state: 'visible', timeout: 1_500 });
    } catch {
      return;
    }
    await dontSave.click();
  }
}

/** Opens a workspace file through Go to File, once the search has found it. */
export async function openFile(page: Page, name: string): Promise<void> {
  await runCommand(page, 'Go to File');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await input.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
}

/**
 * Drags with the mouse the way a hand does: press, a few small moves to start the drag, then on
 * to the target. `at` is the drop point inside the target's box.
 */
export async function dragAndDrop(page: Page, source: Locator, target: Locator, at: { x: number; y: number }): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  await source.scrollIntoViewIfNeeded();
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + 26, from.y + from.height / 2 - 6, { steps: 3 });
  await page.mouse.move(to.x + at.x, to.y + at.y, { steps: 12 });
  await page.mouse.up();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * One user action on a view. An edit redraws what changed when the new state arrives; an action
 * that meets a redraw mid-way (the element it found is replaced) did nothing and is done again.
 */
export async function act(what: string, action: () => Promise<unknown>): Promise<void> {
  await until(
    what,
    async () => {
      await action();
      return true;
    },
    30_000,
    300,
  );
}

/** The scope the Providers view shows. */
export function scopeShown(providers: Frame): Promise<string> {
  return providers.locator('#scope').evaluate((e) => (e as HTMLSelectElement).value, undefined, { timeout: 5_000 });
}

/** Puts the Providers view on the User scope, picking it from the scope list when another is shown. */
export async function showUserScope(providers: Frame): Promise<void> {
  await act('the User scope', async () => {
    if ((await scopeShown(providers)) === 'user') return;
    await providers.locator('#scope').click({ timeout: 5_000 });
    await providers.locator('#scope li[role="option"]', { hasText: 'User' }).first().click({ timeout: 3_000 });
  });
  await until('the User scope shown', async () => (await scopeShown(providers)) === 'user');
}
