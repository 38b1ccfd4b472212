// Entry point the extension host loads as `extensionTestsPath`: runs the suites of this pass with
// mocha and rejects when any test fails, which the workbench reports as the exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { env } from './env';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', forbidOnly: true });
  // Restricted Mode needs a window of its own; each pass runs the suites meant for it.
  const untrustedOnly = (f: string) => f.startsWith('untrusted');
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => (env.mode === 'untrusted' ? untrustedOnly(f) : !untrustedOnly(f)))
    // BYOK_ITEST_FILES=activation,lm-latency runs only those suites (a focused run on a busy machine).
    .filter((f) => !process.env.BYOK_ITEST_FILES || process.env.BYOK_ITEST_FILES.split(',').some((n) => f === `${n.trim()}.test.js`))
    .sort();
  console.log(`[itest] ${env.mode} pass: ${files.join(', ')}`);
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures) throw new Error(`${failures} integration test(s) failed`);
}
