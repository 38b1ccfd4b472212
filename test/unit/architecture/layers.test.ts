import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier: static imports, re-exports, dynamic import() and require(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return out;
}

describe('layering', () => {
  it('keeps src/core free of any vscode import', () => {
    const core = files(join(root, 'src/core'));
    assert.ok(core.length > 10, 'expected the core modules to be scanned');
    const offenders = core.filter((f) => specifiers(readFileSync(f, 'utf8')).some((s) => s === 'vscode' || s.startsWith('vscode/')));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('keeps src/core from importing the editor, CLI or webview layers', () => {
    const offenders = files(join(root, 'src/core')).filter((f) =>
      specifiers(readFileSync(f, 'utf8')).some((s) => /(^|\/)(vscode|cli|webview)(\/|$)/.test(s) && s.startsWith('.')),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('keeps the local endpoint (src/serve) free of vscode and editor imports, so the CLI can serve it', () => {
    const serve = files(join(root, 'src/serve'));
    assert.ok(serve.length >= 5, 'expected the endpoint modules to be scanned');
    const offenders = serve.filter((f) => specifiers(readFileSync(f, 'utf8')).some((s) => s === 'vscode' || /(^|\/)(vscode|cli|webview)(\/|$)/.test(s)));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('detects a vscode import when one is present', () => {
    assert.deepEqual(specifiers(`import * as vscode from 'vscode';\nconst x = require("vscode");`), ['vscode', 'vscode']);
  });
});
