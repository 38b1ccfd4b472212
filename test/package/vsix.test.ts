/**
 * What a user installs: the `.vsix` built the way `npm run package` builds it, opened as a zip
 * and held against what the extension loads at run time — the manifest's contributions, the
 * webview pages, the files their stylesheets point at — and against an allow-list, so nothing
 * the code needs is missing and nothing it does not need ships.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import { ACTIVITY_PAGE, CODICONS_CSS, PROVIDERS_PAGE } from '../../src/vscode/panels/html';

const root = path.resolve(__dirname, '..', '..');

function packageVsix(out: string): void {
  for (const [cmd, args] of [
    [process.execPath, ['esbuild.js', '--production']],
    [process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out]],
  ] as const) {
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `${path.basename(cmd)} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  }
}

function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => parts.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Every string in the manifest that names a file of the extension (icons, walkthrough pages, main). */
function manifestFiles(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const rel = value.replace(/^\.\//, '');
    if (/^(dist|media)\/[^\s*]+\.[a-z0-9]+$/i.test(rel)) out.add(rel);
  } else if (Array.isArray(value)) value.forEach((v) => manifestFiles(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => manifestFiles(v, out));
  return out;
}

/** `url(...)` targets of a stylesheet, relative to it, without their cache-busting query. */
function cssReferences(cssPath: string, css: string): string[] {
  return [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)]
    .map((m) => m[1]!.split(/[?#]/)[0]!)
    .filter((u) => !/^(data:|https?:|#)/.test(u))
    .map((u) => path.posix.normalize(path.posix.join(path.posix.dirname(cssPath), u)));
}

/** Images and links a walkthrough page points at inside the extension. */
function markdownReferences(mdPath: string, md: string): string[] {
  return [...md.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((u) => !/^(https?:|command:|#|mailto:)/.test(u))
    .map((u) => path.posix.normalize(path.posix.join(path.posix.dirname(mdPath), u)));
}

describe('the packaged extension (.vsix)', function () {
  this.timeout(120_000);
  let dir: string;
  let files: Map<string, Buffer>;
  const inPackage = (rel: string) => files.has(`extension/${rel}`);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'byok-vsix-'));
    const vsix = path.join(dir, 'byok-router.vsix');
    packageVsix(vsix);
    files = await readZip(vsix);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('carries the Providers and Activity pages: their scripts, styles and the codicon font', () => {
    for (const page of [PROVIDERS_PAGE, ACTIVITY_PAGE]) {
      for (const rel of [page.script, ...page.styles]) assert.ok(inPackage(rel), `${rel} (the ${page.title} view) is not in the package`);
    }
    assert.ok(inPackage(CODICONS_CSS), `${CODICONS_CSS} is not in the package`);
    const css = files.get(`extension/${CODICONS_CSS}`)!.toString('utf8');
    const refs = cssReferences(CODICONS_CSS, css);
    assert.ok(
      refs.some((r) => r.endsWith('.ttf')),
      'the codicon stylesheet names no font',
    );
    for (const rel of refs) assert.ok(inPackage(rel), `${rel}, which ${CODICONS_CSS} loads, is not in the package`);
  });

  it('carries every file the manifest, its stylesheets and its walkthrough pages refer to', () => {
    const manifest = JSON.parse(files.get('extension/package.json')!.toString('utf8')) as Record<string, unknown>;
    // `bin` is the npm package's CLI, not something the editor loads.
    const wanted = manifestFiles({ ...manifest, bin: undefined });
    assert.ok(wanted.has('dist/extension.js') && wanted.has('media/icon.png'), `the manifest scan found too little: ${[...wanted].join(', ')}`);
    for (const rel of wanted) assert.ok(inPackage(rel), `${rel}, named in package.json, is not in the package`);
    for (const [name, body] of files) {
      const rel = name.replace(/^extension\//, '');
      if (rel.endsWith('.css'))
        for (const r of cssReferences(rel, body.toString('utf8'))) assert.ok(inPackage(r), `${r}, which ${rel} loads, is not in the package`);
      if (rel.startsWith('media/') && rel.endsWith('.md'))
        for (const r of markdownReferences(rel, body.toString('utf8'))) assert.ok(inPackage(r), `${r}, which ${rel} shows, is not in the package`);
    }
  });

  it('carries every bundle the extension requires beside itself at run time, and the bundles those require', () => {
    // Lazily loaded bundles are named relative to the requiring bundle's own directory (dist/).
    const seen = new Set(['dist/extension.js']);
    const queue = ['dist/extension.js'];
    for (let rel = queue.shift(); rel; rel = queue.shift()) {
      const body = files.get(`extension/${rel}`);
      assert.ok(body, `${rel} is not in the package`);
      for (const m of body.toString('utf8').matchAll(/__dirname,\s*["']([\w./-]+\.js)["']/g)) {
        const next = path.posix.join('dist', m[1]!);
        assert.ok(inPackage(next), `${next}, which ${rel} requires, is not in the package`);
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    assert.ok(seen.has('dist/main.js') && seen.has('dist/tokenizer.js'), `the scan found too few lazily loaded bundles: ${[...seen].join(', ')}`);
  });

  it('carries the README, the CHANGELOG and the LICENSE', () => {
    const names = [...files.keys()].map((n) => n.toLowerCase());
    for (const doc of ['readme.md', 'changelog.md', 'license'])
      assert.ok(
        names.some((n) => n.startsWith(`extension/${doc}`)),
        `${doc} is not in the package: ${names.join(', ')}`,
      );
  });

  it('carries nothing else: no sources, tests, source maps, CLI or development files', () => {
    const allowed = (name: string) =>
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/package.json',
        'extension/dist/extension.js',
        'extension/dist/main.js',
        'extension/dist/tokenizer.js',
      ].includes(name) ||
      /^extension\/(readme\.md|changelog\.md|license(\.txt)?)$/i.test(name) ||
      /^extension\/dist\/webview\/[\w-]+\.(js|css|ttf)$/.test(name) ||
      /^extension\/media\//.test(name);
    const extra = [...files.keys()].filter((n) => !allowed(n));
    assert.deepEqual(extra, [], 'files in the package that the extension never loads');
    // Every static media file is used by something: the manifest, a page, or a walkthrough.
    const manifest = JSON.parse(files.get('extension/package.json')!.toString('utf8')) as Record<string, unknown>;
    const used = new Set([...manifestFiles({ ...manifest, bin: undefined }), ...PROVIDERS_PAGE.styles, ...ACTIVITY_PAGE.styles, 'media/icon.png']);
    for (const [name, body] of files)
      if (name.endsWith('.md') && name.includes('/media/'))
        markdownReferences(name.replace(/^extension\//, ''), body.toString('utf8')).forEach((r) => used.add(r));
    const unused = [...files.keys()]
      .filter((n) => n.startsWith('extension/media/'))
      .map((n) => n.replace(/^extension\//, ''))
      .filter((rel) => !used.has(rel));
    assert.deepEqual(unused, [], 'media files nothing refers to');
  });
});
