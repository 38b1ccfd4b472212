/**
 * `npm run bench`: runs every measure, prints the table, writes bench/results.json and
 * bench/RESULTS.md (the table for the README).
 *
 *   npm run bench -- --only=nonStreaming,longStream --no-portkey --quick --out=/tmp/bench
 *
 * `--only` takes measure names or their README table row numbers (`--only=1,3`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_MEASURES, runBench, type MeasureId } from './harness';
import { BENCH_DIR, ROOT } from './paths';
import { benchChart } from './chart';
import { markdownReport } from './report';

function parseArgs(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = value('only')
    ?.split(',')
    .map((s) => s.trim())
    .map((s) => (/^\d+$/.test(s) ? ALL_MEASURES[Number(s) - 1] : s))
    .filter((s): s is MeasureId => (ALL_MEASURES as readonly (string | undefined)[]).includes(s));
  return {
    quick: flag('quick'),
    only: only?.length ? only : undefined,
    peers: !flag('no-peers'),
    portkey: !flag('no-portkey'),
    build: flag('no-build') ? false : undefined,
    out: value('out') ?? BENCH_DIR,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!(globalThis as { gc?: unknown }).gc) console.error('(run with node --expose-gc for steadier memory figures)');
  const results = await runBench({ ...args, log: (l) => console.error(l) });
  const report = markdownReport(results);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(path.join(args.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(args.out, 'RESULTS.md'), `${report}\n`);
  const charted = Boolean(results.measures.nonStreaming || results.measures.longStream);
  if (charted) writeFileSync(path.join(args.out, 'bench-chart.svg'), benchChart(results));
  console.log(report);
  console.error(`\nwrote results.json, RESULTS.md${charted ? ' and bench-chart.svg' : ''} in ${args.out}`);
  // The PNG the README shows, from this run's chart only: a run without measures 1 and 3 leaves
  // the chart it found alone.
  if (charted) {
    const png = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'chart-png.js'), path.resolve(args.out)], { stdio: 'inherit' });
    if (png.status !== 0) process.exitCode = png.status ?? 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
