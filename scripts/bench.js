#!/usr/bin/env node
/**
 * `npm run bench [-- options]`: bundles the bench, then runs it with the options given (see
 * bench/run.ts; it renders its own chart). One script, because npm appends the options to the end
 * of a script line, so a `build && run` line would hand them to the build.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const step = (argv) => {
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step([path.join(root, 'bench', 'build.js')]);
step(['--expose-gc', path.join(root, 'node_modules', '.cache', 'byok-bench', 'run.js'), ...args]);
