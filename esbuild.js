// Bundles the extension host entry, the CLI and the webview scripts. `--watch` rebuilds on change.
const esbuild = require('esbuild');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
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
];

async function main() {
  const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
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
