// `npm run test:electron`: the same integration suites in VS Code desktop, downloaded into
// `.vscode-test/` by @vscode/test-electron. Needs internet access (and a display, or xvfb-run);
// offline machines use `npm run test:integration`, which runs them in code-server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { cleanup, exitOnSignals, onCleanup } from './host/cleanup';
import { repoRoot } from './host/layout';
import { prepareItest, type ItestMode } from './fixtures/itest';

async function main(): Promise<number> {
  const version = process.env.VSCODE_VERSION ?? 'stable';
  let failed = 0;
  for (const mode of ['trusted', 'untrusted'] as ItestMode[]) {
    const runDir = path.join(repoRoot, '.vscode-test', 'runs', mode);
    fs.rmSync(runDir, { recursive: true, force: true });
    const world = await prepareItest(runDir, mode);
    const forget = onCleanup(() => world.close());
    try {
      log(`${mode} pass in VS Code ${version}`);
      await runTests({
        version,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: path.join(repoRoot, 'out', 'integration', 'index.js'),
        extensionTestsEnv: { BYOK_ITEST_CONFIG: world.envFile },
        launchArgs: [
          world.workspaceFile,
          '--user-data-dir',
          world.userDataDir,
          '--extensions-dir',
          path.join(runDir, 'extensions'),
          '--disable-extensions',
          ...(mode === 'trusted' ? ['--disable-workspace-trust'] : []),
        ],
      });
    } catch (e) {
      failed++;
      const message = e instanceof Error ? e.message : String(e);
      log(`${mode} pass failed: ${message}`);
      if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED.*update\.code/.test(message)) {
        log('VS Code could not be downloaded; without internet access run `npm run test:integration` (code-server) instead');
        break;
      }
    } finally {
      forget();
      await world.close();
    }
  }
  return failed ? 1 : 0;
}

function log(msg: string) {
  process.stdout.write(`[electron] ${msg}\n`);
}

exitOnSignals(130, () => log('interrupted'));
main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    console.error(`[electron] ${e instanceof Error ? e.message : String(e)}`);
    await cleanup();
    process.exit(1);
  },
);
