import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { contentSecurityPolicy, newNonce, renderPage, type PageSpec } from '../../../src/vscode/panels/html';

const root = join(__dirname, '../../..');
const CSP_SOURCE = 'https://*.vscode-cdn.net';

function spec(over: Partial<PageSpec> = {}): PageSpec {
  return {
    cspSource: CSP_SOURCE,
    nonce: newNonce(),
    title: 'Providers',
    script: 'https://x.vscode-cdn.net/ext/dist/webview/providers.js',
    styles: ['https://x.vscode-cdn.net/ext/media/webview/base.css'],
    codicons: 'https://x.vscode-cdn.net/ext/dist/webview/codicon.css',
    rootId: 'providers',
    ...over,
  };
}

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function policyOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the page has a CSP meta tag');
  return m[1]!
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe("the webviews' Content-Security-Policy", () => {
  it('denies everything by default and lets scripts run only with the page nonce', () => {
    const s = spec();
    const d = directives(policyOf(renderPage(s)));
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), [`'nonce-${s.nonce}'`]);
    assert.deepEqual(d.get('style-src'), [CSP_SOURCE, `'nonce-${s.nonce}'`]);
    assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
    for (const name of ['connect-src', 'frame-src', 'form-action', 'base-uri']) assert.deepEqual(d.get(name), ["'none'"], name);
  });

  it('never allows inline code, eval or a wildcard anywhere in the policy', () => {
    const policy = contentSecurityPolicy(CSP_SOURCE, newNonce());
    for (const forbidden of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", ' * ', ' data: ; script', 'http:', 'https: ']) {
      assert.ok(!policy.includes(forbidden), `policy contains ${forbidden}: ${policy}`);
    }
  });

  it('gives every script and stylesheet tag the nonce, and the page no inline script or handler', () => {
    const s = spec({ styles: ['a.css', 'b.css'] });
    const html = renderPage(s);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, new RegExp(`nonce="${s.nonce.replace(/[+/]/g, (c) => `\\${c}`)}"`));
    assert.equal(scripts[0]![2]!.trim(), '', 'no inline script body');
    const links = [...html.matchAll(/<link rel="stylesheet"([^>]*)>/g)];
    assert.equal(links.length, 3);
    for (const l of links) assert.ok(l[1]!.includes(`nonce="${s.nonce}"`));
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler attributes');
    assert.doesNotMatch(html, /<style/i, 'no inline style element');
    assert.match(html, /id="vscode-codicon-stylesheet"/);
  });

  it('draws a fresh 128-bit nonce from the CSPRNG for every page', () => {
    const nonces = new Set(Array.from({ length: 200 }, () => newNonce()));
    assert.equal(nonces.size, 200);
    for (const n of nonces) assert.equal(Buffer.from(n, 'base64').length, 16);
  });

  it('escapes what it puts into attributes, so a resource path cannot break out of the page', () => {
    const html = renderPage(spec({ title: '</title><script>alert(1)</script>', script: 'x.js"><script>alert(1)</script>' }));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes('&lt;/title&gt;'));
  });
});

describe('webview code hygiene', () => {
  const webview = files(join(root, 'src/webview'));
  const protocol = files(join(root, 'src/protocol'));

  it('builds the page without HTML strings, eval or inline styles', () => {
    assert.ok(webview.length >= 8, 'expected the webview modules to be scanned');
    const offenders: string[] = [];
    for (const f of webview) {
      const src = readFileSync(f, 'utf8');
      for (const [name, re] of [
        ['innerHTML', /\.(inner|outer)HTML\s*=/],
        ['insertAdjacentHTML', /insertAdjacentHTML/],
        ['document.write', /document\.write/],
        ['eval', /\beval\s*\(|new Function\s*\(/],
        ['style attribute', /setAttribute\(\s*['"]style['"]/],
      ] as const) {
        if (re.test(src)) offenders.push(`${relative(root, f)}: ${name}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('keeps the webview bundle to the protocol, its own modules and the UI libraries', () => {
    const offenders: string[] = [];
    let seen = 0;
    const allowed = (s: string, from: string) =>
      s === 'zod' || s.startsWith('@vscode-elements/elements/') || (s.startsWith('.') && /src[\\/](webview|protocol)[\\/]/.test(join(from, '..', s)));
    for (const f of [...webview, ...protocol]) {
      for (const m of readFileSync(f, 'utf8').matchAll(
        /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
      )) {
        const s = (m[1] ?? m[2] ?? m[3])!;
        seen++;
        if (!allowed(s, f)) offenders.push(`${relative(root, f)} imports ${s}`);
      }
    }
    assert.ok(seen > 30, `only ${seen} imports found: the scan is broken`);
    assert.ok(!allowed('../../core/redact', join(root, 'src/webview/shared/x.ts')), 'a core import would pass the check');
    assert.deepEqual(offenders, []);
  });

  it('keeps the protocol free of host and webview code', () => {
    const offenders = protocol.filter((f) => /from\s*['"]\.\.\/(core|vscode|webview|cli)/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });
});
