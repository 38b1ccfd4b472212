/**
 * The Providers view's Routing policy section clicked through in Chromium against the real
 * editor: each control is changed, its value checked in settings.json, and the next request
 * checked at the simulated providers (which key, which model, which OpenRouter preferences) or in
 * Explain route and the Activity view. Each test arranges what it needs (beforeEach puts back the
 * User settings the world started with, the User scope, both key values and the open section), so
 * one runs alone (`--grep`) and a failure does not carry into the next.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import {
  ARTIFACTS,
  answerInputBox,
  openFile,
  readSettings,
  replaceActiveEditorText,
  runCommand,
  screenshot,
  setPane,
  startWorld,
  until,
  webviewFrame,
  type World,
  act,
  showUserScope,
} from './harness';

const K = { a: 'sk-e2e-policy-key-a-000000a1', b: 'sk-e2e-policy-key-b-000000b2', orDev: 'sk-or-e2e-policy-dev-0000c3' } as const;
const MODEL = 'openai/gpt-5-mini';
/** A model no key serves: only pooled access or a model fallback can answer it. */
const NO_KEY_MODEL = 'anthropic/claude-sonnet-4.5';

type Sim = 'openai' | 'openrouter';

function findFiles(dir: string, name: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findFiles(path.join(dir, e.name), name) : e.name === name ? [path.join(dir, e.name)] : []));
}

describe('Routing policy in the Providers view, in the real editor (Chromium)', function () {
  this.timeout(180_000);
  let world: World<Sim>;
  let page: Page;
  let providers: Frame;
  const started = Date.now();
  /** The User settings and the app-dev folder's settings as the world started. */
  let baseline: Record<string, unknown>;
  let folderBaseline: string;
  const folderFile = () => path.join(world.folderDirs['app-dev']!, '.vscode', 'settings.json');

  const user = () => readSettings(world.userSettingsFile);
  const chats = (sim: Sim) => world.fleet[sim].requests.filter((r) => r.path.endsWith('/chat/completions'));
  const chatKeys = () => chats('openai').map((r) => world.fleet.openai.keyOf(r));
  const policy = () => providers.locator('.region-policy');
  const row = (id: string) => providers.locator(`.key-row[data-key-id="${id}"]`);

  async function openProviders() {
    await runCommand(page, 'BYOK Router: Open Providers');
    providers = await webviewFrame(page, 'providers');
  }

  /** Picks an option of a select with the mouse, the keyboard opening it when a click does not. */
  async function pick(fid: string, option: string | RegExp) {
    const select = providers.locator(`vscode-single-select[data-fid="${fid}"]`);
    const item = select.locator('li[role="option"]', { hasText: option });
    await act(`option ${String(option)} of ${fid}`, async () => {
      await select.scrollIntoViewIfNeeded({ timeout: 5_000 });
      await select.click({ timeout: 5_000 });
      if (!(await item.isVisible())) {
        await select.focus();
        await page.keyboard.press('Space');
      }
      await item.click({ timeout: 3_000 });
    });
  }

  /** One routed request from a real editor surface (Explain Selection), answered by either simulator. */
  async function request(): Promise<void> {
    const before = chats('openai').length + chats('openrouter').length;
    // The file stays open between requests: its tab is clicked rather than the palette opened again.
    const tab = page.locator('.tab', { hasText: 'app.ts' }).first();
    if (await tab.count()) await tab.click();
    else await openFile(page, 'app.ts');
    await page.locator('.tab.active', { hasText: 'app.ts' }).waitFor({ timeout: 15_000 });
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+A');
    await runCommand(page, 'BYOK Router: Explain Selection');
    await until('the request at a simulator', () => chats('openai').length + chats('openrouter').length > before, 30_000);
  }

  async function explainRoutes(): Promise<string[]> {
    const plan = providers.locator('.plan');
    await providers.locator('vscode-button[data-fid="explain-run"]').click();
    await plan.waitFor();
    return plan.locator('.plan-routes > li').allTextContents();
  }

  /** A hand edit of the User settings, typed into the file the view's own button opens. */
  async function handEdit(edit: (s: Record<string, unknown>) => void) {
    await providers.locator('vscode-button', { hasText: 'settings.json' }).click();
    const s = user();
    edit(s);
    const text = JSON.stringify(s, null, 2);
    // A paste that did not land (the clipboard is slow under load) is typed again until the file holds it.
    await until(
      'the hand edit saved',
      async () => {
        if (JSON.stringify(user()) !== JSON.stringify(s)) await replaceActiveEditorText(page, text);
        await new Promise((r) => setTimeout(r, 500));
        return JSON.stringify(user()) === JSON.stringify(s);
      },
      30_000,
      500,
    );
    // Only the saved settings file closes: the answers Explain Selection opened would ask to be saved.
    await runCommand(page, 'View: Close Editor');
    await openProviders();
  }

  /** Stores a key's value through Rotate in its details, as a user does, and waits for it to be healthy. */
  async function storeValue(id: string, value: string) {
    const exp = row(id).locator('button.expander');
    await act(`Rotate ${id}`, async () => {
      if ((await exp.getAttribute('aria-expanded', { timeout: 5_000 })) !== 'true') await exp.click({ timeout: 5_000 });
      await row(id).locator('vscode-button', { hasText: 'Rotate' }).click({ timeout: 5_000 });
    });
    await answerInputBox(page, value, { password: true });
    await until(`${id} healthy`, async () => /Healthy/.test((await row(id).locator('.status').textContent()) ?? ''), 20_000);
    await act(`close ${id}`, () => exp.click({ timeout: 5_000 }));
  }

  /** The same footing for every test, whatever ran (or failed) before it. */
  async function arrange() {
    await setPane(page, 'Activity', false);
    providers = await webviewFrame(page, 'providers');
    await showUserScope(providers);
    if (fs.readFileSync(folderFile(), 'utf8') !== folderBaseline) fs.writeFileSync(folderFile(), folderBaseline);
    if (JSON.stringify(user()) !== JSON.stringify(baseline))
      await handEdit((s) => {
        for (const k of Object.keys(s)) delete s[k];
        Object.assign(s, structuredClone(baseline));
      });
    await row('openai-a').waitFor();
    for (const [id, value] of [
      ['openai-a', K.a],
      ['openai-b', K.b],
    ] as const)
      if (!/Healthy/.test((await row(id).locator('.status').textContent()) ?? '')) await storeValue(id, value);
    if (!(await policy().locator('#policy-body').count()))
      await act('open Routing policy', () => providers.locator('button.section-toggle', { hasText: 'Routing policy' }).click({ timeout: 5_000 }));
    await policy().locator('#policy-body').waitFor();
  }

  /** Settings a test starts from on top of the baseline: written by hand, as in the settings file. */
  async function startFrom(settings: Record<string, unknown>) {
    await handEdit((s) => Object.assign(s, settings));
  }

  before(async function () {
    world = await startWorld<Sim>({
      name: 'policy',
      sims: {
        openai: { flavor: 'openai', validKeys: [K.a, K.b] },
        openrouter: { flavor: 'openrouter' },
      },
      userSettings: (fleet) => ({
        // Two keys written by hand, values stored below through Rotate; B has a negotiated price far under the list price.
        'byokRouter.keys': [
          { id: 'openai-a', provider: 'openai', name: 'A', tier: 'prioritized', options: { baseUrl: fleet.openai.baseUrl } },
          {
            id: 'openai-b',
            provider: 'openai',
            name: 'B',
            tier: 'prioritized',
            options: { baseUrl: fleet.openai.baseUrl },
            priceOverrides: { [MODEL]: { input: 0.001, output: 0.002 } },
          },
        ],
        'byokRouter.callers': [{ name: 'dev' }, { name: 'prod' }],
        'byokRouter.caller': 'dev',
        'byokRouter.pooled': { baseUrl: fleet.openrouter.baseUrl },
        'byokRouter.defaultModel': MODEL,
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.commandCenter.enabled': false,
      }),
      folders: [
        {
          name: 'app-dev',
          settings: { 'byokRouter.caller': 'dev' },
          files: { 'src/app.ts': 'export function add(a: number, b: number) {\n  return a + b;\n}\n' },
        },
      ],
    });
    page = world.page;
    await openProviders();
    const bar = page.locator('.part.sidebar').first();
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 560, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await setPane(page, 'Activity', false);
    baseline = user();
    folderBaseline = fs.readFileSync(folderFile(), 'utf8');
  });

  beforeEach(async function () {
    await arrange();
  });

  after(async function () {
    if (this.currentTest?.state === 'failed' || process.exitCode) await screenshot(page, 'policy-failure').catch(() => undefined);
    await world?.close();
    process.stdout.write(`      [e2e] policy suite ${((Date.now() - started) / 1000).toFixed(1)} s; artifacts in ${path.relative(process.cwd(), ARTIFACTS)}\n`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await screenshot(page, `policy-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('stores both keys’ values through Rotate, and shows the section with the defaults', async () => {
    // A configured provider's card starts open. beforeEach stored the values if they were missing; a rotation stores them again.
    await row('openai-a').waitFor();
    for (const [id, value] of [
      ['openai-a', K.a],
      ['openai-b', K.b],
    ] as const)
      await storeValue(id, value);
    await policy().locator('#policy-body').waitFor();
    assert.equal(await providers.locator('vscode-single-select[data-fid="policy-sort"]').evaluate((e) => (e as HTMLSelectElement).value), 'order');
    assert.equal(await providers.locator('vscode-single-select[data-fid="policy-stickiness"]').evaluate((e) => (e as HTMLSelectElement).value), '600000');
    // Two prioritized OpenAI keys: OpenAI is offered a balance strategy.
    await policy().locator('.balance-row[data-provider="openai"]').waitFor();
    await screenshot(page, 'policy-section');
  });

  it('sorts a tier by price, and Explain route puts the cheaper key first', async () => {
    if (!(await providers.locator('#explain-body').count())) await providers.locator('button.section-toggle', { hasText: 'Explain route' }).click();
    const model = providers.locator('input.chip-input[data-fid="explain-model"]');
    await model.click();
    await model.pressSequentially('gpt-5-mini');
    await providers.locator('.suggestions:not([hidden]) li', { hasText: /^openai\/gpt-5-mini$/ }).click();
    await providers.locator('.plan').waitFor();
    assert.match((await explainRoutes())[0] ?? '', /key "A"/);

    await pick('policy-sort', 'Price');
    await until('providerSort price in settings', () => user()['byokRouter.providerSort'] === 'price');
    await until('B first in the plan', async () => /key "B"/.test((await explainRoutes())[0] ?? ''));

    await pick('policy-sort', 'Order');
    await until('providerSort removed (order is the default)', () => !('byokRouter.providerSort' in user()));
    await until('A first again', async () => /key "A"/.test((await explainRoutes())[0] ?? ''));
    await providers.locator('button.section-toggle', { hasText: 'Explain route' }).click();
  });

  it('turns stickiness off', async () => {
    await pick('policy-stickiness', 'Off');
    await until('stickiness off in settings', () => (user()['byokRouter.stickiness'] as { ttlMs?: number } | undefined)?.ttlMs === 0);
  });

  it('spreads requests round-robin over two OpenAI keys: two requests present two different keys', async () => {
    // A conversation staying on its route would keep both requests on one key.
    await pick('policy-stickiness', 'Off');
    await until('stickiness off in settings', () => (user()['byokRouter.stickiness'] as { ttlMs?: number } | undefined)?.ttlMs === 0);
    await pick('balance-openai', 'Round-robin');
    await until('balance in settings', () => (user()['byokRouter.balance'] as Record<string, string> | undefined)?.openai === 'round-robin');
    const before = chatKeys().length;
    await request();
    await request();
    const used = chatKeys().slice(before);
    assert.equal(used.length, 2);
    assert.deepEqual([...used].sort(), [K.a, K.b].sort(), `keys used: ${used.map((k) => k?.slice(-4)).join(', ')}`);
  });

  it('weights keys under the weighted strategy, and Order removes the entry', async () => {
    await pick('balance-openai', 'Weighted');
    await until('weighted in settings', () => (user()['byokRouter.balance'] as Record<string, string> | undefined)?.openai === 'weighted');
    const weight = providers.locator('vscode-textfield[data-fid="weight-openai-a"] input');
    await act('weight typed', async () => {
      await weight.fill('3', { timeout: 5_000 });
      await weight.press('Tab', { timeout: 5_000 });
    });
    const keyA = () => (user()['byokRouter.keys'] as { id: string; weight?: number }[]).find((k) => k.id === 'openai-a');
    await until('the weight in settings', () => keyA()?.weight === 3);
    await pick('balance-openai', 'Order');
    await until('balance removed', () => !('byokRouter.balance' in user()));
  });

  it('adds a model fallback from the catalog, and refuses a slug nothing can serve with the settings’ words', async () => {
    const modelInput = providers.locator('input.chip-input[data-fid="fallbacks-new-model"]');
    const list = providers.locator('input.chip-input[data-fid="fallbacks-new-list"]');
    const wanted = JSON.stringify({ [NO_KEY_MODEL]: [MODEL] });
    await act('the model chosen', async () => {
      if ((await list.count()) || JSON.stringify(user()['byokRouter.modelFallbacks']) === wanted) return;
      await modelInput.scrollIntoViewIfNeeded({ timeout: 5_000 });
      await modelInput.click({ timeout: 5_000 });
      await modelInput.fill('claude-sonnet-4.5', { timeout: 5_000 });
      await providers.locator('.suggestions:not([hidden]) li', { hasText: new RegExp(`^${NO_KEY_MODEL.replace('.', '\\.')}$`) }).click({ timeout: 5_000 });
    });
    await act('the fallback chosen', async () => {
      if (JSON.stringify(user()['byokRouter.modelFallbacks']) === wanted) return;
      await list.click({ timeout: 5_000 });
      await list.fill('gpt-5-mini', { timeout: 5_000 });
      await providers.locator('.suggestions:not([hidden]) li', { hasText: /^openai\/gpt-5-mini$/ }).click({ timeout: 5_000 });
    });
    await until('the fallback in settings', () => JSON.stringify(user()['byokRouter.modelFallbacks']) === JSON.stringify({ [NO_KEY_MODEL]: [MODEL] }));
    const fallbackRow = policy().locator(`.fallback-row[data-model="${NO_KEY_MODEL}"]`);
    await fallbackRow.waitFor();

    const more = fallbackRow.locator('input.chip-input');
    const bar = providers.locator('.region-error .banner');
    await act('the unknown slug typed', async () => {
      if (await bar.count()) return;
      await more.click({ timeout: 5_000 });
      await more.fill('nobody/nothing-9', { timeout: 5_000 });
      await more.press('Enter', { timeout: 5_000 });
    });
    await bar.waitFor({ timeout: 10_000 });
    assert.match((await bar.textContent()) ?? '', /model "nobody\/nothing-9" is not in the catalog or any key's model map; no route can serve it/);
    assert.deepEqual(user()['byokRouter.modelFallbacks'], { [NO_KEY_MODEL]: [MODEL] });
    await providers.locator('[data-fid="dismiss-error"]').click();
  });

  it('serves a request for a model with no route by its fallback model, and the Activity view names the model given up', async () => {
    await startFrom({
      'byokRouter.defaultModel': NO_KEY_MODEL,
      'byokRouter.modelFallbacks': { [NO_KEY_MODEL]: [MODEL] },
      'byokRouter.stickiness': { ttlMs: 0 },
    });
    const before = chats('openai').length;
    await request();
    const sent = chats('openai').slice(before);
    assert.equal(sent.length, 1);
    assert.equal((sent[0]!.json as { model?: string }).model, 'gpt-5-mini');
    assert.equal(chats('openrouter').length, 0, 'caller dev has no OpenRouter key: pooled access is skipped');

    await setPane(page, 'Activity', true);
    const activity = await webviewFrame(page, 'activity');
    const gen = activity.locator('.generation').first();
    await until('the generation in the view', async () => new RegExp(NO_KEY_MODEL.replace('.', '\\.')).test((await gen.textContent()) ?? ''), 20_000);
    assert.match((await gen.locator('.gen-fallback').textContent()) ?? '', /→ openai\/gpt-5-mini/);
    await gen.locator('button.generation-summary').click();
    const givenUp = gen.locator('.given-up');
    await givenUp.waitFor();
    assert.match((await givenUp.textContent()) ?? '', new RegExp(`Gave up ${NO_KEY_MODEL.replace('.', '\\.')}`));
    await screenshot(page, 'policy-activity-fallback');
    await setPane(page, 'Activity', false);
    providers = await webviewFrame(page, 'providers');
  });

  it("sends a caller's OpenRouter preferences with its pooled requests, and BYOK only keeps the caller off pooled access", async () => {
    // A model only pooled access serves, with a fallback on the own keys for when pooled access is off limits.
    await startFrom({
      'byokRouter.defaultModel': NO_KEY_MODEL,
      'byokRouter.modelFallbacks': { [NO_KEY_MODEL]: [MODEL] },
      'byokRouter.stickiness': { ttlMs: 0 },
    });
    const pooledBefore = chats('openrouter').length;
    const dev = policy().locator('.policy-caller[data-caller="dev"]');
    await act('the dev row in view', () => dev.scrollIntoViewIfNeeded({ timeout: 5_000 }));
    const devPrefs = () =>
      ((user()['byokRouter.callers'] as { name: string; preferences?: Record<string, unknown>; byokOnly?: boolean }[]) ?? []).find((c) => c.name === 'dev');
    await act('prefs-deny-dev', () => dev.locator('vscode-checkbox[data-fid="prefs-deny-dev"]').click({ timeout: 5_000 }));
    await until('data_collection deny in settings', () => devPrefs()?.preferences?.data_collection === 'deny');
    await act('prefs-zdr-dev', () => dev.locator('vscode-checkbox[data-fid="prefs-zdr-dev"]').click({ timeout: 5_000 }));
    await until('zdr in settings', () => devPrefs()?.preferences?.zdr === true);
    await pick('prefs-sort-dev', 'Throughput');
    await until('sort in settings', () => devPrefs()?.preferences?.sort === 'throughput');
    const ignore = dev.locator('input.chip-input[data-fid="prefs-ignore-dev"]');
    await act('ignore typed', async () => {
      await ignore.click({ timeout: 5_000 });
      await ignore.fill('deepinfra', { timeout: 5_000 });
      await ignore.press('Enter', { timeout: 5_000 });
    });
    await until('ignore in settings', () => JSON.stringify(devPrefs()?.preferences?.ignore) === '["deepinfra"]');
    const price = dev.locator('vscode-textfield[data-fid="prefs-price-prompt-dev"] input');
    // Typed again until it lands: a redraw between the fill and the Tab loses the value unsaved.
    await until(
      'max price in settings',
      async () => {
        if (JSON.stringify(devPrefs()?.preferences?.max_price) === '{"prompt":5}') return true;
        await price.fill('5', { timeout: 5_000 });
        await price.press('Tab', { timeout: 5_000 });
        return false;
      },
      30_000,
      1_000,
    );

    // Pooled access needs the caller's OpenRouter key, added in the Pooled section.
    const pooledDev = providers.locator('.region-pooled .caller-row[data-caller="dev"]');
    await act('Add OpenRouter key', async () => {
      await pooledDev.scrollIntoViewIfNeeded({ timeout: 5_000 });
      await pooledDev.locator('vscode-button', { hasText: 'Add OpenRouter key' }).click({ timeout: 5_000 });
    });
    await answerInputBox(page, K.orDev, { password: true });
    await until('the caller key stored', async () => (await pooledDev.locator('.key-tail').count()) === 1);

    await request();
    const pooled = chats('openrouter').slice(pooledBefore);
    assert.equal(pooled.length, 1, 'the model is served by pooled access now');
    assert.equal(world.fleet.openrouter.keyOf(pooled[0]!), K.orDev);
    assert.deepEqual((pooled[0]!.json as { provider?: unknown }).provider, {
      data_collection: 'deny',
      zdr: true,
      sort: 'throughput',
      ignore: ['deepinfra'],
      max_price: { prompt: 5 },
    });

    await act('byok-only-dev', () => dev.locator('vscode-checkbox[data-fid="byok-only-dev"]').click({ timeout: 5_000 }));
    await until('byokOnly in settings', () => devPrefs()?.byokOnly === true);
    const openaiBefore = chats('openai').length;
    await request();
    assert.equal(chats('openrouter').length, pooledBefore + 1, 'no pooled request for a BYOK-only caller');
    assert.equal(chats('openai').length, openaiBefore + 1, 'the fallback model on the own key served instead');
    // The preferences stay in settings, for when BYOK only is turned off again.
    assert.equal(devPrefs()?.preferences?.data_collection, 'deny');
  });

  it("writes a folder scope's policy to that folder's settings, leaving the User value alone", async () => {
    await act('the app-dev scope', async () => {
      await providers.locator('#scope').click({ timeout: 5_000 });
      await providers.locator('#scope li[role="option"]', { hasText: 'app-dev' }).click({ timeout: 3_000 });
    });
    await providers.locator('.banner', { hasText: 'uses your User keys' }).waitFor();
    await pick('policy-sort', 'Latency');
    await until('the folder sort', () => readSettings(folderFile())['byokRouter.providerSort'] === 'latency');
    assert.ok(!('byokRouter.providerSort' in user()));
  });

  it('ran without a protocol problem in the view', async () => {
    // An edit of its own, so the log read is the one the view writes to, whichever tests ran.
    await pick('balance-openai', 'Round-robin');
    const log = () => {
      const logs = findFiles(path.join(path.dirname(path.dirname(world.userSettingsFile)), 'logs'), 'BYOK Router.log');
      return logs.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    };
    await until('the edit in the extension log', () => /providers view: balance openai round-robin in User settings/.test(log()), 20_000);
    const text = log();
    assert.deepEqual(
      text.split('\n').filter((l) => /view reported a|view: ignored an invalid message|view: state not sent|could not build its state/.test(l)),
      [],
    );
  });
});
