// `npm run test:integration`: the extension's mocha suites inside the real extension host of
// code-server, once in a trusted workspace and once in Restricted Mode. Provisions the editor on
// first use (see scripts/host/provision.ts), starts the simulators, and reports mocha's output.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, testPayloadUrl } from './host/browser';
import { exitOnSignals, onCleanup } from './host/cleanup';
import { sandboxEnv, startCodeServer } from './host/code-server';
import { repoRoot } from './host/layout';
import { ensureHost } from './host/provision';
import { ITEST_KEYS, prepareItest, type ItestMode } from './fixtures/itest';
import { scanForSecrets } from './fixtures/canary-scan';

const PASS_TIMEOUT_MS = 8 * 60_000;
const artifacts = path.join(repoRoot, 'test-artifacts', 'integration');

async function main(): Promise<number> {
  const started = Date.now();
  if (!process.argv.includes('--no-build')) build();
  const layout = await ensureHost();
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const modes: ItestMode[] = process.env.BYOK_ITEST_MODE ? [process.env.BYOK_ITEST_MODE as ItestMode] : ['trusted', 'untrusted'];
  let failed = 0;
  for (const mode of modes) {
    const code = await runPass(layout, mode);
    if (code !== 0) failed++;
    const runDir = path.join(layout.root, 'runs', mode);
    if (auditSecrets(runDir, path.join(runDir, 'itest-env.json'), mode) !== 0) failed++;
  }
  log(
    `${failed ? `${failed} pass(es) FAILED` : 'all passes succeeded'} in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${path.relative(process.cwd(), artifacts)}`,
  );
  return failed ? 1 : 0;
}

function build() {
  log('building the extension and the test bundle');
  const r = spawnSync(process.execPath, ['esbuild.js'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

async function runPass(layout: Awaited<ReturnType<typeof ensureHost>>, mode: ItestMode): Promise<number> {
  const t0 = Date.now();
  const runDir = path.join(layout.root, 'runs', mode);
  fs.rmSync(runDir, { recursive: true, force: true });
  const world = await prepareItest(runDir, mode);
  const forgetWorld = onCleanup(() => world.close());
  const serverLog = fs.createWriteStream(path.join(artifacts, `${mode}-code-server.log`));
  const workbenchLog = fs.createWriteStream(path.join(artifacts, `${mode}-workbench.log`));
  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let workbench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  const problems = new ProblemLines();
  try {
    server = await startCodeServer({
      layout,
      userDataDir: world.userDataDir,
      extensionsDir: path.join(runDir, 'extensions'),
      open: world.workspaceFile,
      workspaceTrust: mode === 'untrusted',
      smokeTestDriver: true,
      env: { BYOK_ITEST_CONFIG: world.envFile },
      onOutput: (line) => serverLog.write(`${line}\n`),
    });
    log(`[${mode}] code-server at ${server.url} (pid ${server.pid}), up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const url = testPayloadUrl(server.url, {
      workspace: world.workspaceFile,
      extensionPath: repoRoot,
      testsPath: path.join(repoRoot, 'out', 'integration', 'index.js'),
    });
    workbench = await openWorkbench(url, {
      env: sandboxEnv(layout),
      profileDir: path.join(runDir, 'chromium'),
      onLog: (type, line) => {
        workbenchLog.write(`[${type}] ${line}\n`);
        problems.add(type, line);
        if (isTestOutput(line)) process.stdout.write(`  ${line.replace(/^\s*\[(?:Extension Host|exthost)\]\s*/, '')}\n`);
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const code = await Promise.race([workbench.exitCode, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(124), PASS_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (code !== 0) {
      await workbench.page.screenshot({ path: path.join(artifacts, `${mode}-failure.png`) }).catch(() => undefined);
      log(`[${mode}] ${code === 124 ? `timed out after ${PASS_TIMEOUT_MS / 1000} s` : `exit code ${code}`}; see ${path.relative(process.cwd(), artifacts)}`);
      // CI keeps only what is printed: the editor's last errors go with the failure.
      for (const line of problems.last()) log(`[${mode}] editor said: ${line}`);
    }
    log(`[${mode}] finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return code;
  } finally {
    await workbench?.close();
    await server?.stop();
    forgetWorld();
    await world.close();
    serverLog.end();
    workbenchLog.end();
  }
}

/** What code-server always says here: no gallery, no GitHub sign-in, no desktop-only modules. */
const OFFLINE_NOISE = /ENOTFOUND|ERR_NAME_NOT_RESOLVED|vsda|allow-same-origin|same-origin iframe|authentication provider 'github'/;

/** The workbench's recent errors and warnings, without stack frames, known offline noise or any test key's value. */
class ProblemLines {
  private readonly lines: string[] = [];
  private readonly secrets = Object.values(ITEST_KEYS);

  add(type: string, line: string) {
    if (!/error|warn/.test(type) || /^\s+at /.test(line) || OFFLINE_NOISE.test(line)) return;
    if (this.secrets.some((s) => line.includes(s))) return;
    // The workbench styles its console lines (`%c  ERR color: #f33 …`); the style is noise here.
    this.lines.push(`[${type}] ${line.replace(/%c\s*\w*\s*color: #[0-9a-f]+\s*/gi, '').slice(0, 300)}`);
    if (this.lines.length > 30) this.lines.shift();
  }

  last(): readonly string[] {
    return this.lines;
  }
}

/** The canary audit of a finished pass; a leak fails the run. */
function auditSecrets(runDir: string, envFile: string, mode: ItestMode): number {
  const skip = (f: string) =>
    f === envFile || f.endsWith('.vscdb') || f.endsWith('.vscdb.backup') || f === path.join(runDir, 'chromium') || f === path.join(runDir, 'extensions');
  const { files, leaks } = scanForSecrets([runDir, artifacts], { ...ITEST_KEYS }, skip);
  for (const l of leaks) log(`[${mode}] SECRET LEAK: the value of test key "${l.secret}" is in ${path.relative(process.cwd(), l.file)}`);
  log(
    `[${mode}] canary audit: ${files} files written by the editor and the runner searched for ${Object.keys(ITEST_KEYS).length} key values, ${leaks.length} found`,
  );
  return leaks.length ? 1 : 0;
}

/** mocha's reporter lines, told apart from the workbench's own chatter by the marker the suite prints. */
function isTestOutput(line: string): boolean {
  return line.includes('[itest]') || /^\s*(✔|✓|\d+\) |\d+ passing|\d+ failing|\d+ pending|- )/.test(line) || (/^\s{2,}\S/.test(line) && !line.includes('['));
}

function log(msg: string) {
  process.stdout.write(`[itest] ${msg}\n`);
}

exitOnSignals(130, () => log('interrupted; stopping the editor and the simulators'));

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[itest] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
