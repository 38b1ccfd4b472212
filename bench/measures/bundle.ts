/**
 * Measure 8: what ships. The project's own esbuild.js builds twice: `--production` (minified, as
 * `npm run package` ships it) and then `npm run build` (the development build, which also leaves
 * dist/ as the other scripts expect it). Activation time needs the real editor host and is filled
 * in from there.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../paths';
import type { BundleMeasure } from '../results';

/** The activation bundle (held to the limit), the router it loads on first use, and the CLI. */
const FILES = ['dist/extension.js', 'dist/main.js', 'dist/cli.js'];
const LIMIT_BYTES = 150 * 1024;

function sizes(file: string): { bytes: number; gzipBytes: number } | undefined {
  try {
    return { bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file), { level: 9 }).length };
  } catch {
    return undefined;
  }
}

function run(args: string[]): { ok: boolean; output?: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  return r.status === 0 ? { ok: true } : { ok: false, output };
}

export async function measureBundle(opts: { build: boolean }): Promise<BundleMeasure> {
  const notes: string[] = ['activation time is measured in the real extension host by the VS Code host engineer; slot left as null'];
  const minified: Record<string, { bytes: number; gzipBytes: number } | undefined> = {};
  let build: BundleMeasure['build'] = { ok: false, output: 'skipped (--no-build): sizes are of whatever dist/ already held' };
  if (opts.build) {
    const production = run(['esbuild.js', '--production']);
    for (const f of FILES) minified[f] = production.ok ? sizes(path.join(ROOT, f)) : undefined;
    if (!production.ok) notes.push(`node esbuild.js --production failed: ${production.output}`);
    build = run(['esbuild.js']); // what `npm run build` runs
  }
  const files: BundleMeasure['files'] = {};
  let met: boolean | null = opts.build ? true : null;
  for (const file of FILES) {
    const built = sizes(path.join(ROOT, file));
    const min = minified[file];
    if (!built) {
      files[file] = { missing: build.ok ? 'not produced by npm run build' : 'not built' };
      if (file === 'dist/extension.js' && met !== null) met = false;
      continue;
    }
    files[file] = { ...built, ...(min ? { minifiedBytes: min.bytes, minifiedGzipBytes: min.gzipBytes } : {}) };
    if (file === 'dist/extension.js' && met !== null && (min?.bytes ?? built.bytes) > LIMIT_BYTES) met = false;
  }
  if (opts.build && !build.ok) notes.push('npm run build failed; sizes are of whatever dist/ already held');
  notes.push('bytes = `npm run build` output (unminified, source maps beside it); minified = `node esbuild.js --production`, what `npm run package` ships');
  return { target: 'activation bundle dist/extension.js ≤ 150 KB (minified); activation ≤ 50 ms', met, notes, build, files, activationMs: null };
}
