// Opens the workbench in Debian's chromium through playwright-core, and relays what the
// workbench reports through its automation hooks: every log line (the extension host's console
// included) and the exit code of an extension test run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS shared with the dependency-free preflight
const { findChromium } = require('../preflight.js') as { findChromium: () => string | undefined };

export interface WorkbenchOptions {
  headless?: boolean;
  /** Each workbench log line, already formatted. */
  onLog?: (type: string, line: string) => void;
  /** Where the browser profile goes; a fresh temp folder when absent. */
  profileDir?: string;
  /** Environment for the browser (XDG dirs, so it writes nothing into the user's home). */
  env?: Record<string, string>;
}

export interface Workbench {
  readonly page: Page;
  /** Resolves with the code `run()` of the test payload ended with. */
  readonly exitCode: Promise<number>;
  close(): Promise<void>;
}

export function chromiumPath(): string {
  // The same lookup the preflight makes, so what it promised is what the tests launch.
  const found = findChromium();
  if (!found) throw new Error('no chromium found: install the Debian package `chromium` or set CHROMIUM_PATH');
  return found;
}

export async function openWorkbench(url: string, opts: WorkbenchOptions = {}): Promise<Workbench> {
  const profileDir = opts.profileDir ?? fs.mkdtempSync(path.join(opts.env?.TMPDIR ?? os.tmpdir(), 'byok-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: opts.headless ?? true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, ...opts.env } as Record<string, string>,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    const [first, ...rest] = Array.isArray(args) ? args : [args];
    opts.onLog?.(type, format(first, ...rest));
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
  page.on('pageerror', (e) => opts.onLog?.('pageerror', e.message));
  // Webviews run in child frames whose console the workbench's log hook never sees; their
  // errors are what a blank view leaves behind. (The workbench's own errors may show twice.)
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') opts.onLog?.(`console ${m.type()}`, `${m.text()} (${m.location().url.replace(/\?.*$/, '')})`);
  });
  await page.goto(url);
  return {
    page,
    exitCode,
    close: async () => {
      await context.close().catch(() => undefined);
      if (!opts.profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** `?folder=`/`?workspace=` plus the payload that makes the workbench load and run an extension's tests. */
export function testPayloadUrl(server: string, opts: { workspace: string; extensionPath: string; testsPath: string }): string {
  const authority = new URL(server).host;
  const remote = (p: string) => `vscode-remote://${authority}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(opts.extensionPath)],
    ['extensionTestsPath', remote(opts.testsPath)],
  ];
  const open = opts.workspace.endsWith('.code-workspace') ? 'workspace' : 'folder';
  return `${server}/?${open}=${encodeURIComponent(opts.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
