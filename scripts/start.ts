// `npm start`: builds and packages the extension, provisions the editor (first time only), starts
// the simulated providers, writes the demo profile and opens the demo workspace in code-server at
// a printed http://127.0.0.1:PORT address. Ctrl-C stops everything it started.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_SECRETS, DEMO_SIMS, demoUserSettings, scriptDemoSims, type DemoSim } from '../demo/profile';
import { closeFleet, startFleet } from './fixtures/sims';
import { writeUserSettings } from './fixtures/profile';
import { cleanup, exitOnSignals, onCleanup } from './host/cleanup';
import { codeServerCli, freePort, startCodeServer } from './host/code-server';
import { repoRoot } from './host/layout';
import { ensureHost } from './host/provision';

const EXTENSION_ID = 'byok-router.byok-router';

function log(msg: string) {
  process.stdout.write(`[start] ${msg}\n`);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const t0 = Date.now();
  const layout = await ensureHost();
  const demoDir = path.join(layout.root, 'demo');
  fs.mkdirSync(demoDir, { recursive: true });

  const vsix = path.join(demoDir, 'byok-router.vsix');
  log('building and packaging the extension');
  run(process.execPath, ['esbuild.js', '--production']);
  run(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--out', vsix]);

  const sims = await startFleet<DemoSim>(DEMO_SIMS);
  onCleanup(() => closeFleet(sims));
  scriptDemoSims(sims);
  for (const [name, sim] of Object.entries(sims)) log(`simulated ${name} at ${sim.baseUrl}`);

  // A fresh copy each start, so the demo always begins from the same state.
  const workspaceDir = path.join(demoDir, 'workspace');
  fs.rmSync(workspaceDir, { recursive: true, force: true });
  fs.cpSync(path.join(repoRoot, 'demo', 'workspace'), workspaceDir, { recursive: true });
  const workspaceFile = path.join(demoDir, 'byok-demo.code-workspace');
  fs.writeFileSync(workspaceFile, `${JSON.stringify({ folders: [{ path: 'workspace/web-app' }, { path: 'workspace/billing-api' }] }, null, 2)}\n`);

  const userDataDir = path.join(demoDir, 'user-data');
  const extensionsDir = path.join(demoDir, 'extensions');
  writeUserSettings(userDataDir, demoUserSettings(sims));
  const secretsFile = path.join(demoDir, 'demo-secrets.json');
  fs.writeFileSync(secretsFile, JSON.stringify(DEMO_SECRETS, null, 2), { mode: 0o600 });

  log('installing the extension into the demo profile');
  await codeServerCli(layout, ['--install-extension', vsix, '--force'], { userDataDir, extensionsDir });

  const port = Number(arg('port') ?? process.env.PORT ?? (await freePort()));
  const server = await startCodeServer({
    layout,
    userDataDir,
    extensionsDir,
    open: workspaceFile,
    port,
    env: { BYOK_ROUTER_DEMO_SECRETS: secretsFile },
    onOutput: (line) => {
      if (process.env.BYOK_VERBOSE) process.stdout.write(`  │ ${line}\n`);
    },
  });
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.stdout.write(
    [
      '',
      `  BYOK Router demo:  ${server.url}/?workspace=${encodeURIComponent(workspaceFile)}`,
      '',
      `  Extension ${EXTENSION_ID} from ${path.relative(process.cwd(), vsix)}; every key is a DEMO key that`,
      '  only opens the simulators above. The key "DEMO OpenAI primary" is always rate-limited,',
      '  so you can watch requests fall over to the next route. Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise(() => undefined); // until Ctrl-C
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

exitOnSignals(0, () => log('stopping the editor and the simulators'));
main().catch(async (e: unknown) => {
  console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
  await cleanup();
  process.exit(1);
});
