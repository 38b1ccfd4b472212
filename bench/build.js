// Bundles the bench the way esbuild.js bundles the extension (no keepNames, no per-file
// transform), so the timed code is the code that ships; dependencies stay in node_modules.
const path = require('node:path');
const esbuild = require('esbuild');

// sim-process.js (the loopback simulator) and gateway-process.js (the local endpoint and the bare
// hop, as deployed) are forked, so they never share the timed process.
const outdir = path.join(__dirname, '..', 'node_modules', '.cache', 'byok-bench');

esbuild
  .build({
    entryPoints: [path.join(__dirname, 'run.ts'), path.join(__dirname, 'sim-process.ts'), path.join(__dirname, 'gateway-process.ts')],
    outdir,
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
