import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../../src/core/providers/ids';
import { hasAdapter } from '../../../src/core/providers/registry';
import { PROVIDER_KEY_URLS, PROVIDER_LABELS, providerCards } from '../../../src/vscode/panels/provider-labels';

const root = join(__dirname, '../../..');

describe('the provider list', () => {
  it('counts at least thirty providers a key can be for, besides the pooled route', () => {
    const byok = PROVIDERS.filter((p) => p !== 'openrouter');
    assert.ok(byok.length >= 30, `only ${byok.length}`);
    assert.equal(new Set(PROVIDERS).size, PROVIDERS.length);
  });

  it('gives every provider an adapter, a label and an https "get a key" page', () => {
    for (const p of PROVIDERS) {
      assert.ok(hasAdapter(p), p);
      assert.ok(PROVIDER_LABELS[p].trim(), p);
      assert.match(PROVIDER_KEY_URLS[p], /^https:\/\/[^\s"'<>]+$/, p);
    }
  });

  it('lists the cards once each, OpenRouter only when a key names it', () => {
    const cards = providerCards(new Set());
    assert.equal(cards.length, PROVIDERS.length - 1);
    assert.ok(!cards.some((c) => c.id === 'openrouter'));
    assert.ok(providerCards(new Set(['openrouter'])).some((c) => c.id === 'openrouter'));
    assert.equal(new Set(cards.map((c) => c.label)).size, cards.length, 'labels tell providers apart');
  });

  it('offers exactly these providers in the settings schema', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const enumOf = pkg.contributes.configuration.properties['byokRouter.keys'].items.properties.provider.enum;
    assert.deepEqual(enumOf, [...PROVIDERS]);
  });

  it('names every provider in the README provider table, with its family, auth and key-check cost', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- provider-table -->'), readme.indexOf('<!-- /provider-table -->'));
    assert.ok(table.length > 100, 'README has a marked provider table');
    for (const p of PROVIDERS) {
      const line = table.split('\n').find((l) => l.startsWith(`| \`${p}\` |`));
      assert.ok(line, `README table row for ${p}`);
      assert.equal(line.split('|').length - 2, 6, `${p}: id, name, family, auth, key check, cost`);
    }
  });
});
