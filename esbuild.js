// Bundles the extension host entry, the CLI and the webview scripts. `--watch` rebuilds on change.
const esbuild = require('esbuild');
const path = require('node:path');

/**
 * zod's `z` namespace re-exports every locale (≈250 KB minified) and defeats tree-shaking; our
 * messages are English, so the namespace gets English only. Measured: 444 KB → 193 KB of zod.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /locales[\\/]index\.c?js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(args.importer), args.path.replace('index', 'en')) } : undefined,
    );
  },
};

/**
 * Inside dist/main.js, `vscode` is src/vscode/host-shim.ts: registrations of contributions the
 * activation bundle already registered fill in its stand-ins (src/vscode/lazy.ts). The shim itself
 * gets the real module.
 */
const shim = path.join(__dirname, 'src', 'vscode', 'host-shim.ts');
const vscodeThroughShim = {
  name: 'vscode-through-shim',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.importer === shim ? { path: 'vscode', external: true } : { path: shim }));
  },
};

/**
 * The activation bundle must not carry the router: fail the build when zod, undici or src/core
 * reach it, instead of finding out from the activation time.
 */
const activationOnly = {
  name: 'activation-bundle-only',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || args.path === 'vscode' || args.path.startsWith('node:')) return undefined;
      if (/^(zod|undici)(\/|$)/.test(args.path) || /[\\/]src[\\/]core([\\/]|$)/.test(path.resolve(args.resolveDir, args.path)))
        return {
          errors: [{ text: `${args.path} (imported by ${path.relative(__dirname, args.importer)}) belongs in dist/main.js, not the activation bundle` }],
        };
      return undefined;
    });
  },
};

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    // The activation bundle: stand-ins for every contribution, nothing of the router.
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // The first statement of the bundle: activation time then includes evaluating the bundle.
    banner: { js: 'var __byokLoadStart = performance.now();' },
    footer: { js: 'var __byokLoadEnd = performance.now();' },
    plugins: [activationOnly],
  },
  {
    // The router, its schemas and undici: loaded by the activation bundle on first use.
    entryPoints: ['src/main.ts'],
    outfile: 'dist/main.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [vscodeThroughShim, zodEnglishOnly],
  },
  {
    // OpenAI's tokenizer ranks (2.4 MB): loaded by the extension on the first token count, never at activation.
    entryPoints: ['src/core/tokens/openai-tokenizer.ts'],
    outfile: 'dist/tokenizer.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // Integration suites: mocha runs them inside the real extension host (scripts/test-integration.ts).
    entryPoints: ['test/integration/**/*.ts'],
    outdir: 'out/integration',
    outbase: 'test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  },
  {
    // The Providers and Activity webviews run in a browser page; the codicon font ships beside them.
    entryPoints: {
      'webview/providers': 'src/webview/providers/main.ts',
      'webview/activity': 'src/webview/activity/main.ts',
      'webview/codicon': 'node_modules/@vscode/codicons/dist/codicon.css',
    },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    loader: { '.ttf': 'file' },
    assetNames: 'webview/[name]',
  },
];

async function main() {
  const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', plugins: [zodEnglishOnly] };
  if (watch) {
    const ctxs = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b })));
    await Promise.all(ctxs.map((c) => c.watch()));
    console.log('esbuild: watching');
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
