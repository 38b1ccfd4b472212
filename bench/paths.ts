/** Where the bench lives, whether it runs from source (tsx) or from its bundle in node_modules/.cache. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'byok-router') return dir;
  }
  throw new Error(`bench: no byok-router package.json above ${from}`);
}

export const ROOT = findRoot(__dirname);
export const BENCH_DIR = path.join(ROOT, 'bench');
