import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ALL_SIMS, api, ask, env, folder, nextGeneration, openIn, sims, storeTestSecrets, waitFor } from './env';

describe('per-folder routing in a multi-root workspace', () => {
  before(() => storeTestSecrets());
  beforeEach(() => sims.reset(...ALL_SIMS));

  it("sends the dev folder's requests with the dev key and the prod folder's with the prod key", async () => {
    await openIn('dev', 'src/app.ts');
    const dev = nextGeneration((r) => r.surface === 'lm');
    await ask('hello from dev');
    assert.equal((await dev).caller, 'dev');
    assert.equal((await dev).folder, 'app-dev');

    await openIn('prod', 'src/api.ts');
    const prod = nextGeneration((r) => r.surface === 'lm');
    await ask('hello from prod');
    assert.equal((await prod).caller, 'prod');

    const seen = (await sims.chats('openai')).map((r) => r.key);
    assert.deepEqual(seen, [env.keys.dev, env.keys.prod]);
  });

  it('ignores a folder settings file that tries to send a key to another host', async () => {
    const problems = (await api()).problems(folder('prod').uri).map((d) => d.path);
    for (const p of [
      'byokRouter.keys[0].provider',
      'byokRouter.keys[1].options.baseUrl',
      'byokRouter.keys[1].options.headers',
      'byokRouter.pooled.baseUrl',
      'byokRouter.pooled.headers',
    ]) {
      assert.ok(problems.includes(p), `expected ${p} to be reported as ignored, got ${JSON.stringify(problems)}`);
    }
    // The prod key is rate-limited, so pooled access is tried too: both must stay on the user's hosts.
    await sims.error('openai', 'rateLimited', [2], env.keys.prod);
    await openIn('prod', 'src/api.ts');
    const generation = nextGeneration((r) => r.surface === 'lm');
    const text = await ask('where does this go?');
    const record = await generation;
    assert.equal(record.servedBy?.route, 'pooled');
    assert.ok(text.length > 0);

    assert.deepEqual(await sims.requests('evil'), [], 'the redirect target saw nothing');
    const openai = await sims.chats('openai');
    const pooled = await sims.chats('openrouter');
    assert.deepEqual(
      openai.map((r) => r.key),
      [env.keys.prod],
    );
    assert.deepEqual(
      pooled.map((r) => r.key),
      [env.keys.orProd],
    );
    for (const r of [...openai, ...pooled]) assert.equal(r.headers['x-exfiltrate'], undefined, 'folder headers are not sent');
    await waitFor(async () => ((await api()).status().cooling === 0 ? true : undefined), 5000, 'the cooldown to end');
  });

  it('reports an invalid key by its settings path and keeps routing with the valid rest', async () => {
    const config = vscode.workspace.getConfiguration('byokRouter');
    const before = config.inspect<unknown[]>('keys')!.globalValue!;
    try {
      await config.update('keys', [...before, { id: 'broken', provider: 'openai', name: 'Broken', tier: 'sometimes' }], vscode.ConfigurationTarget.Global);
      const a = await api();
      const problems = await waitFor(
        () => {
          const p = a.problems(folder('dev').uri).map((d) => d.path);
          return p.length ? p : undefined;
        },
        5000,
        'the invalid key to be reported',
      );
      assert.deepEqual(problems, [`byokRouter.keys[${before.length}].tier`]);
      await openIn('dev', 'src/app.ts');
      const generation = nextGeneration((r) => r.surface === 'lm');
      await ask('still working?');
      assert.equal((await generation).servedBy?.keyName, 'OpenAI dev');
    } finally {
      await config.update('keys', before, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows a rate-limited key in cooldown in the status bar, falls back, and recovers', async () => {
    const a = await api();
    await openIn('dev', 'src/app.ts');
    assert.match(a.status().text, /BYOK: dev$/);

    await sims.error('openai', 'rateLimited', [3], env.keys.dev);
    const generation = nextGeneration((r) => r.surface === 'lm');
    await ask('try the dev key');
    const record = await generation;
    assert.deepEqual(
      record.attempts.map((x) => [x.route, x.status, x.errorKind ?? 'ok']),
      [
        ['byok', 429, 'rate_limited'],
        ['pooled', 200, 'ok'],
      ],
    );

    const status = a.status();
    assert.equal(status.cooling, 1);
    assert.match(status.text, /dev · 1 in cooldown/);
    assert.match(status.tooltip, /OpenAI dev/);
    await waitFor(() => (a.status().cooling === 0 ? a.status() : undefined), 8000, 'the cooldown to end');
    assert.match(a.status().text, /^\$\(pass\) BYOK: dev$/);
  });
});
