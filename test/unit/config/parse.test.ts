import assert from 'node:assert/strict';
import { parseConfig, formatDiagnostic } from '../../../src/core/config/parse';

const key = (over: Record<string, unknown> = {}) => ({ id: 'k1', provider: 'openai', name: 'main', tier: 'prioritized', ...over });

describe('config parsing', () => {
  it('accepts a minimal key and fills in defaults', () => {
    const { config, diagnostics } = parseConfig({ keys: [key()] });
    assert.deepEqual(diagnostics, []);
    assert.equal(config.keys[0]!.alwaysUse, false);
    assert.deepEqual(config.keys[0]!.filters, {});
    assert.equal(config.fees.rate, 0.05);
    assert.deepEqual(config.fees.freeAllowance, { unit: 'requests', amount: 1_000_000 });
    assert.equal(config.pooled.baseUrl, 'https://openrouter.ai/api/v1');
  });

  it('names the path and the problem of a bad tier and keeps the valid rest', () => {
    const { config, diagnostics } = parseConfig({ keys: [key(), key({ id: 'k2' }), key({ id: 'k3', tier: 'first' })] });
    assert.equal(config.keys.length, 2);
    assert.deepEqual(diagnostics.map(formatDiagnostic), ['keys[2].tier: expected "prioritized" or "fallback"']);
  });

  it('rejects an unknown provider with the list of known ones', () => {
    const { config, diagnostics } = parseConfig({ keys: [key({ provider: 'acme' })] });
    assert.equal(config.keys.length, 0);
    assert.match(formatDiagnostic(diagnostics[0]!), /^keys\[0\]\.provider: unknown provider "acme"; known: openai, anthropic/);
  });

  it('drops a duplicate key id and says which entry', () => {
    const { config, diagnostics } = parseConfig({ keys: [key(), key({ name: 'other' })] });
    assert.equal(config.keys.length, 1);
    assert.equal(config.keys[0]!.name, 'main');
    assert.match(formatDiagnostic(diagnostics[0]!), /keys\[1\]\.id: duplicate key id "k1"/);
  });

  it('refuses Always use on a fallback key', () => {
    const { diagnostics } = parseConfig({ keys: [key({ tier: 'fallback', alwaysUse: true })] });
    assert.equal(formatDiagnostic(diagnostics[0]!), 'keys[0].alwaysUse: "Always use" applies to prioritized keys only');
  });

  it('warns when a caller filter names an undefined caller', () => {
    const { config, diagnostics } = parseConfig({ callers: [{ name: 'dev' }], keys: [key({ filters: { callers: ['prod'] } })] });
    assert.equal(config.keys.length, 1);
    assert.equal(diagnostics[0]!.severity, 'warning');
    assert.match(formatDiagnostic(diagnostics[0]!), /keys\[0\]\.filters\.callers\[0\]: caller "prod" is not defined/);
  });

  it('rejects a malformed model glob', () => {
    const { config, diagnostics } = parseConfig({ keys: [key({ filters: { models: ['anthropic/claude-[*'] } })] });
    assert.equal(config.keys.length, 0);
    assert.match(formatDiagnostic(diagnostics[0]!), /keys\[0\]\.filters\.models\[0\]: invalid model pattern/);
  });

  it('falls back to default timeouts when one is negative and says so', () => {
    const { config, diagnostics } = parseConfig({ timeouts: { connectMs: -5 } });
    assert.equal(config.timeouts.connectMs, 10_000);
    assert.match(formatDiagnostic(diagnostics[0]!), /^timeouts\.connectMs: must be at least 100 ms/);
  });

  it('rejects an absurd total timeout', () => {
    const { diagnostics } = parseConfig({ timeouts: { totalMs: 1e12 } });
    assert.match(formatDiagnostic(diagnostics[0]!), /^timeouts\.totalMs: must be at most/);
  });

  it('refuses unknown key options instead of silently ignoring a typo', () => {
    const { config, diagnostics } = parseConfig({ keys: [key({ options: { baseURL: 'http://x' } })] });
    assert.equal(config.keys.length, 0);
    assert.match(formatDiagnostic(diagnostics[0]!), /keys\[0\]\.options/);
  });

  it('refuses a base URL that is not http(s)', () => {
    const { diagnostics } = parseConfig({ keys: [key({ options: { baseUrl: 'file:///etc/passwd' } })] });
    assert.match(formatDiagnostic(diagnostics[0]!), /keys\[0\]\.options\.baseUrl: expected an http\(s\) URL/);
  });

  it('reports a non-object root and still yields a usable config', () => {
    const { config, diagnostics } = parseConfig([1, 2]);
    assert.equal(config.keys.length, 0);
    assert.equal(formatDiagnostic(diagnostics[0]!), '(root): expected a JSON object');
  });

  it('warns about unknown top-level settings', () => {
    const { diagnostics } = parseConfig({ keyz: [] });
    assert.deepEqual(diagnostics.map(formatDiagnostic), ['keyz: unknown setting, ignored']);
  });

  it('accepts a free allowance in list-price dollars', () => {
    const { config, diagnostics } = parseConfig({ fees: { rate: 0.05, freeAllowance: { unit: 'usd', amount: 100 } } });
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config.fees.freeAllowance, { unit: 'usd', amount: 100 });
  });
});
