// Bundles the bench the way esbuild.js bundles the extension (no keepNames, no per-file
// transform), so the timed code is the code that ships; dependencies stay in node_modules.
const path = require('node:path');
const esbuild = require('esbuild');

const outfile = path.join(__dirname, '..', 'node_modules', '.cache', 'byok-bench', 'run.js');

esbuild
  .build({
    entryPoints: [path.join(__dirname, 'run.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
