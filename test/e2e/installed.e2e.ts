/**
 * What a user installs and what a newcomer runs first, tested the way they meet it: `npm start`
 * is started as the README says, it packages the extension into a `.vsix` and installs it with
 * `--install-extension` into a fresh profile (no development path), and Chromium opens the URL
 * it prints. The views must show content, `@byok` must answer, and the request must show in
 * the Activity view.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { openWorkbench, type Workbench } from '../../scripts/host/browser';
import { freePort, sandboxEnv } from '../../scripts/host/code-server';
import { hostLayout, repoRoot } from '../../scripts/host/layout';
import { ensureHost } from '../../scripts/host/provision';
import { ARTIFACTS, runCommand, screenshot, until, webviewFrame } from './harness';

const log = (msg: string) => process.stdout.write(`      [e2e] ${msg}\n`);

/** Starts `npm start` in its own process group and resolves with the URL it prints. */
function startDemo(demoDir: string, port: number, out: fs.WriteStream): { child: ChildProcess; url: Promise<string> } {
  const child = spawn('npm', ['start', '--', '--port', String(port)], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BYOK_DEMO_DIR: demoDir },
  });
  const url = new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (b: Buffer) => {
      out.write(b);
      text += b.toString('utf8');
      const m = /BYOK Router demo:\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(text);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before printing its URL:\n${text.slice(-2000)}`)));
  });
  return { child, url };
}

async function stopDemo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGINT'); // Ctrl-C, as a person stops it
  } catch {
    return;
  }
  const hard = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 20_000);
  await exited;
  clearTimeout(hard);
}

describe('npm start and the installed .vsix in Chromium', function () {
  this.timeout(300_000);
  let demo: ReturnType<typeof startDemo>;
  let workbench: Workbench;
  let page: Page;
  let demoLog: fs.WriteStream;

  before(async function () {
    const layout = await ensureHost(hostLayout());
    const demoDir = path.join(layout.root, 'runs', 'e2e-installed');
    fs.rmSync(demoDir, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    demoLog = fs.createWriteStream(path.join(ARTIFACTS, 'installed-npm-start.log'));
    const t0 = Date.now();
    demo = startDemo(demoDir, await freePort(), demoLog);
    const url = await demo.url;
    log(`npm start printed ${url} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.doesNotMatch(url, /payload=|extensionDevelopmentPath/, 'the demo must run the installed package, not a development path');
    // The package is what got installed: its folder in the profile, not this repository.
    const installed = fs.readdirSync(path.join(demoDir, 'extensions')).filter((d) => d.startsWith('byok-router.byok-router'));
    assert.equal(installed.length, 1, `installed extensions: ${installed.join(', ')}`);
    assert.ok(
      fs.existsSync(path.join(demoDir, 'extensions', installed[0]!, 'dist', 'webview', 'providers.js')),
      'the installed extension has no webview script',
    );
    workbench = await openWorkbench(url, { env: sandboxEnv(layout), profileDir: path.join(demoDir, 'chromium') });
    page = workbench.page;
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.statusbar', { timeout: 30_000 });
  });

  after(async function () {
    if (page && this.currentTest?.state === 'failed') await screenshot(page, 'installed-failure').catch(() => undefined);
    await workbench?.close();
    if (demo) await stopDemo(demo.child);
    demoLog?.end();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await screenshot(page, `installed-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('shows the DEMO keys as cards in the Providers view, styled and with its icon font', async () => {
    await runCommand(page, 'BYOK Router: Open Providers');
    const providers: Frame = await webviewFrame(page, 'providers', 60_000);
    const rows = providers.locator('.key-row');
    await until('the DEMO key rows', async () => (await rows.count()) >= 4, 30_000);
    const names = await rows.allTextContents();
    for (const name of ['DEMO OpenAI primary', 'DEMO OpenAI secondary', 'DEMO Groq', 'DEMO Mistral backup']) {
      assert.ok(
        names.some((n) => n.includes(name)),
        `no card for "${name}" in: ${names.join(' | ')}`,
      );
    }
    // The stylesheets and the codicon font came from the package: a blank or unstyled view fails here.
    const styled = await providers.evaluate(async () => {
      await document.fonts.ready;
      return { sheets: document.styleSheets.length, codicon: document.fonts.check('16px codicon') };
    });
    assert.ok(styled.sheets >= 2, `only ${styled.sheets} stylesheets loaded`);
    assert.equal(styled.codicon, true, 'the codicon font did not load');
    await screenshot(page, 'installed-providers');
  });

  it('answers through @byok in the chat, after the rate-limited primary key fell over', async () => {
    await runCommand(page, 'BYOK Router: Ask @byok in Chat');
    const input = page.locator('.interactive-input-part .monaco-editor textarea, .chat-input-container .monaco-editor textarea').first();
    await input.waitFor({ state: 'attached', timeout: 30_000 });
    await until(
      'the chat input to take focus',
      async () => page.evaluate(() => !!document.activeElement?.closest('.interactive-input-part, .chat-input-container')),
      15_000,
    );
    await page.keyboard.type('What does the installed package do?');
    await page.keyboard.press('Enter');
    const answer = page.locator('.interactive-item-container', { hasText: 'simulated' }).last();
    await answer.waitFor({ timeout: 60_000 });
    // The answer streams in: wait for its end, which names the key that served it.
    let text = '';
    await until('the answer to finish streaming', async () => /0002/.test((text = (await answer.textContent()) ?? '')), 30_000);
    assert.match(text, /simulated\*{0,2} answer from the openai simulator/);
    // The secondary key (…0002) answered: the primary is the demo's rate-limited one.
    assert.match(text, /0002/);
    await screenshot(page, 'installed-chat');
  });

  it('lists that request in the Activity view with both attempts', async () => {
    await runCommand(page, 'BYOK Router: Open Activity');
    const activity = await webviewFrame(page, 'activity', 60_000);
    const gen = activity.locator('.generation').first();
    await gen.waitFor({ timeout: 30_000 });
    assert.match((await gen.textContent()) ?? '', /gpt-5-mini/);
    await gen.locator('button.generation-summary').click();
    const attempts = gen.locator('.attempt');
    await until('two attempts', async () => (await attempts.count()) === 2);
    assert.match((await attempts.nth(0).textContent()) ?? '', /DEMO OpenAI primary[\s\S]*429/);
    assert.match((await attempts.nth(1).textContent()) ?? '', /DEMO OpenAI secondary[\s\S]*200/);
    await screenshot(page, 'installed-activity');
  });
});
