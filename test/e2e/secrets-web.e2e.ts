/**
 * The Providers view's two newer affordances in Chromium against the real editor: a key whose
 * value is a secret-manager reference (added through "Reference a secret manager…", shown as
 * "from 1Password: op://…", resolved by a fake `op` on the editor's PATH, rotation picked up by
 * Test), and the Web search section (a Firecrawl key, its credits left and expiry, against the
 * Firecrawl simulator). Each test arranges what it needs (the reference key, its endpoint, the
 * Firecrawl key or its absence; beforeEach puts the fake CLI and the simulator back), so one runs
 * alone (`--grep`) and a failure does not carry into the next.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { defaultExpiry, daysLeft } from '../../src/core/websearch/expiry';
import { startFirecrawlSim, type FirecrawlSim } from '../../src/sim/firecrawl';
import { FakeSecretClis } from '../../src/sim/secret-clis';
import { answerInputBox, confirmDialog, readSettings, runCommand, screenshot, startWorld, until, webviewFrame, type World } from './harness';

const V = {
  first: 'sk-e2e-from-1password-0001',
  rotated: 'sk-e2e-from-1password-0002',
  firecrawl: 'fc-e2e-firecrawl-key-00000009',
} as const;
const REF = 'op://Work/OpenAI/credential';
const tail = (k: string) => `…${k.slice(-4)}`;

type Sim = 'openai';

describe('Secret-manager references and the Web search section in the real editor (Chromium)', function () {
  this.timeout(180_000);
  let world: World<Sim>;
  let page: Page;
  let providers: Frame;
  let clis: FakeSecretClis;
  let firecrawl: FirecrawlSim;

  const row = (id: string) => providers.locator(`.key-row[data-key-id="${id}"]`);
  const web = () => providers.locator('section.web-search');
  const bearerAtOpenAI = () => world.fleet.openai.requests.map((r) => r.headers.authorization);

  /** Adds the OpenAI key "Vaulted" through "Reference a secret manager…", as a user does. */
  async function addVaultedKey() {
    await providers.locator('.card[data-provider="openai"] .card-toggle').click();
    await providers.locator('.card[data-provider="openai"] vscode-button.add-key', { hasText: 'Add prioritized key' }).click();
    await answerInputBox(page, 'Vaulted');
    // The password box, with the reference button beside it.
    await page.locator('.quick-input-widget .quick-input-box input[type="password"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.quick-input-widget [aria-label^="Reference a secret manager"]').first().click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('1Password');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: '1Password' }).first().click();
    await until('the reference box prefilled with op://', async () => (await input.inputValue()) === 'op://');
    await input.fill(REF);
    await input.press('Enter');
    await row('openai-vaulted').waitFor({ timeout: 20_000 });
  }

  /** The reference key pointed at the simulator from its details, as a user does, so the editor has it before a Test. */
  async function vaultedKeyAtSimulator() {
    if ((await row('openai-vaulted').count()) === 0) await addVaultedKey();
    const baseUrl = () =>
      (readSettings(world.userSettingsFile)['byokRouter.keys'] as { id: string; options?: { baseUrl?: string } }[]).find((k) => k.id === 'openai-vaulted')
        ?.options?.baseUrl;
    if (baseUrl() === world.fleet.openai.baseUrl) return;
    const exp = row('openai-vaulted').locator('button.expander');
    if ((await exp.getAttribute('aria-expanded')) !== 'true') await exp.click();
    const field = providers.locator('#endpoint-openai-vaulted input');
    await field.fill(world.fleet.openai.baseUrl);
    await field.press('Tab');
    await until('the endpoint in settings', () => baseUrl() === world.fleet.openai.baseUrl);
  }

  const hasFirecrawlKey = async () => (await web().locator('.key-tail').count()) > 0;

  async function addFirecrawlKey() {
    await web().locator('[data-fid="web-set-key"]').click();
    await answerInputBox(page, V.firecrawl, { password: true });
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await until('the expiry box prefilled', async () => (await box.inputValue()) !== '');
    await box.press('Enter');
    await until('the masked Firecrawl key', async () => (await web().locator('.key-tail').textContent()) === tail(V.firecrawl), 20_000);
  }

  before(async function () {
    clis = new FakeSecretClis();
    clis.setValue('op', V.first);
    firecrawl = await startFirecrawlSim({ validKeys: [V.firecrawl], credits: 500 });
    world = await startWorld<Sim>({
      name: 'secrets-web',
      sims: { openai: { flavor: 'openai', validKeys: [V.first, V.rotated] } },
      userSettings: () => ({
        'byokRouter.webSearch.baseUrl': firecrawl.baseUrl,
        // The fake `op`, found the way a user points the extension at a CLI outside the editor's PATH.
        'byokRouter.secretManagers.searchPath': [clis.dir],
        'byokRouter.pooled': { enabled: false },
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.commandCenter.enabled': false,
      }),
      folders: [{ name: 'app', settings: {}, files: { 'src/app.ts': 'export const x = 1;\n' } }],
    });
    page = world.page;
    await runCommand(page, 'BYOK Router: Open Providers');
    providers = await webviewFrame(page, 'providers');
  });

  beforeEach(async function () {
    // The manager signed in holding the first value; Firecrawl knowing the key, with its full credits.
    clis.setMode('op', 'ok');
    clis.setValue('op', V.first);
    firecrawl.validKeys.clear();
    firecrawl.validKeys.add(V.firecrawl);
    firecrawl.remainingCredits = 500;
  });

  after(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(page, 'secrets-web-failure').catch(() => undefined);
    await world?.close();
    await firecrawl?.close();
    clis?.dispose();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await screenshot(page, `secrets-web-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('adds a key through "Reference a secret manager…" and shows where it lives instead of a tail', async () => {
    // Another test may have added it already: this one adds it only where it is missing, and checks it either way.
    if ((await row('openai-vaulted').count()) === 0) await addVaultedKey();
    assert.equal((await row('openai-vaulted').locator('.key-source').textContent())?.trim(), `from 1Password: ${REF}`);
    assert.equal(await row('openai-vaulted').locator('.key-tail').count(), 0);
    const settingsText = fs.readFileSync(world.userSettingsFile, 'utf8');
    assert.ok(!settingsText.includes(REF) && !settingsText.includes(V.first), 'neither the reference nor the value is in settings.json');
    assert.ok(!(await providers.content()).includes(V.first), 'the resolved value reached the webview');
  });

  it('resolves the reference with the user’s own op on Test, and a rotation in the manager on the next Test', async () => {
    await vaultedKeyAtSimulator();
    const test = row('openai-vaulted').locator('vscode-button', { hasText: 'Test' });
    await test.click();
    await row('openai-vaulted').locator('.test-result.ok').waitFor({ timeout: 30_000 });
    assert.ok(bearerAtOpenAI().includes(`Bearer ${V.first}`), `the simulator saw ${bearerAtOpenAI().join(', ')}`);
    assert.deepEqual(clis.argv('op'), ['read', REF]);

    clis.setValue('op', V.rotated);
    await test.click();
    await until('the rotated value at the simulator', () => bearerAtOpenAI().includes(`Bearer ${V.rotated}`), 30_000);
    await row('openai-vaulted').locator('.test-result.ok').waitFor({ timeout: 30_000 });
  });

  it('says why a reference fails, in the row, when the manager is signed out', async () => {
    await vaultedKeyAtSimulator();
    clis.setMode('op', 'signed-out');
    await row('openai-vaulted').locator('vscode-button', { hasText: 'Test' }).click();
    const result = row('openai-vaulted').locator('.test-result');
    await until('the failed test', async () => /1Password CLI not signed in/.test((await result.textContent()) ?? ''), 30_000);
  });

  it('adds a workspace Firecrawl key in the Web search section and shows credits left and expiry', async () => {
    if (await hasFirecrawlKey()) {
      await web().locator('[data-fid="web-delete"]').click();
      await confirmDialog(page, 'Delete');
      await until('the Firecrawl key deleted', async () => !(await hasFirecrawlKey()), 20_000);
    }
    assert.match((await web().textContent()) ?? '', /no Firecrawl key/);
    await web().locator('[data-fid="web-set-key"]').click();
    await answerInputBox(page, V.firecrawl, { password: true });
    const expiry = defaultExpiry(Date.now());
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await until('the expiry box prefilled with three months from today', async () => (await box.inputValue()) === expiry);
    await box.press('Enter');
    await until('the masked Firecrawl key', async () => (await web().locator('.key-tail').textContent()) === tail(V.firecrawl), 20_000);
    await until('the credits left', async () => (await web().locator('.credits-left').textContent()) === '500 credits left of 500', 20_000);
    assert.equal(
      await web()
        .locator('[data-fid="web-expiry"]')
        .evaluate((el) => (el as HTMLInputElement).value),
      expiry,
    );
    assert.equal((await web().locator('.web-days-left').textContent())?.trim(), `${daysLeft(expiry, Date.now())} days left`);
    assert.ok(firecrawl.requests.some((r) => r.path === '/v2/team/credit-usage' && r.authorization === `Bearer ${V.firecrawl}`));
    assert.ok(!(await providers.content()).includes(V.firecrawl), 'the Firecrawl key reached the webview');
    assert.ok(!fs.readFileSync(world.userSettingsFile, 'utf8').includes(V.firecrawl));
  });

  it('tests the Firecrawl key and shows Firecrawl’s refusal when the key is revoked', async () => {
    if (!(await hasFirecrawlKey())) await addFirecrawlKey();
    firecrawl.remainingCredits = 321;
    await web().locator('[data-fid="web-test"]').click();
    await until('the test result', async () => (await web().locator('.test-result.ok').textContent()) === '321 credits left', 20_000);
    await until('the credits line', async () => (await web().locator('.credits-left').textContent()) === '321 credits left of 500', 20_000);
    firecrawl.validKeys.clear();
    await web().locator('[data-fid="web-test"]').click();
    await until('the refusal', async () => /Unauthorized: Invalid token/.test((await web().locator('.test-result.bad').textContent()) ?? ''), 20_000);
  });
});
