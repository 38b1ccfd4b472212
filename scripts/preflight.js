#!/usr/bin/env node
// The first thing `npm start` and `npm test` run, before any dependency exists: it checks the
// system prerequisites in a second (so a missing package is one line with its install command,
// not a compiler log minutes later), then installs the npm dependencies when `node_modules` is
// missing or older than the lockfile. Plain Node, no dependencies, CommonJS.
//
//   node scripts/preflight.js start|test [--check-only]
//
// BYOK_PREFLIGHT_PLATFORM=debian|fedora|macos overrides the detected system (tests use it).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..');
const MIN_NODE = [20, 19, 0];

/** An executable of that name on PATH, or undefined. */
function onPath(name, env = process.env) {
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Chromium (or Chrome) for the browser tests: CHROMIUM_PATH, else the first on PATH. */
function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return fs.existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = onPath(name, env);
    if (found) return found;
  }
  return undefined;
}

function detectPlatform(env = process.env) {
  if (env.BYOK_PREFLIGHT_PLATFORM) return env.BYOK_PREFLIGHT_PLATFORM;
  if (process.platform === 'darwin') return 'macos';
  try {
    const release = fs.readFileSync('/etc/os-release', 'utf8');
    const ids = /^ID(?:_LIKE)?=(.*)$/gm;
    const words = [...release.matchAll(ids)].flatMap((m) => m[1].replace(/"/g, '').split(/\s+/));
    if (words.some((w) => ['fedora', 'rhel', 'centos'].includes(w))) return 'fedora';
    if (words.some((w) => ['debian', 'ubuntu'].includes(w))) return 'debian';
  } catch {
    // no os-release: say every command
  }
  return 'unknown';
}

/** What each prerequisite is called by each system's package manager. */
const PACKAGES = {
  toolchain: { debian: ['build-essential'], fedora: ['gcc', 'gcc-c++', 'make'], macos: [] },
  python3: { debian: ['python3'], fedora: ['python3'], macos: ['python'] },
  gssapi: { debian: ['libkrb5-dev'], fedora: ['krb5-devel'], macos: [] },
  chromium: { debian: ['chromium'], fedora: ['chromium'], macos: [] },
};

function installCommand(platform, missing, env = process.env) {
  const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
  const pkgs = (p) => [...new Set(missing.flatMap((m) => PACKAGES[m.id][p]))];
  if (platform === 'debian') return `${sudo}apt-get update && ${sudo}apt-get install -y ${pkgs('debian').join(' ')}`;
  if (platform === 'fedora') return `${sudo}dnf install -y ${pkgs('fedora').join(' ')}`;
  if (platform === 'macos') {
    const steps = [];
    if (missing.some((m) => m.id === 'toolchain' || m.id === 'gssapi')) steps.push('xcode-select --install');
    if (pkgs('macos').length) steps.push(`brew install ${pkgs('macos').join(' ')}`);
    if (missing.some((m) => m.id === 'chromium')) steps.push('brew install --cask chromium');
    return steps.join(' && ');
  }
  return ['debian', 'fedora', 'macos'].map((p) => `${p}: ${installCommand(p, missing, env)}`).join('; ');
}

/** Is the editor host already provisioned? Then nothing needs compiling. */
function hostProvisioned(env = process.env) {
  const root = env.BYOK_HOST_DIR || path.join(repoRoot, '.byok-host');
  try {
    return fs.readdirSync(root).some((d) => d.startsWith('code-server-') && fs.existsSync(path.join(root, d, '.provisioned')));
  } catch {
    return false;
  }
}

const GSSAPI_HEADERS = [
  '/usr/include/gssapi/gssapi.h',
  '/usr/include/gssapi.h',
  '/usr/local/include/gssapi/gssapi.h',
  '/opt/homebrew/opt/krb5/include/gssapi/gssapi.h',
];

/** The prerequisites `job` needs that this machine lacks. */
function missingPrerequisites(job, env = process.env, platform = detectPlatform(env)) {
  const missing = [];
  if (!hostProvisioned(env)) {
    // code-server's native modules (kerberos, node-pty…) build with node-gyp on first provisioning.
    const why = "to build code-server's native modules";
    if (
      !(onPath('cc', env) || onPath('gcc', env) || onPath('clang', env)) ||
      !(onPath('c++', env) || onPath('g++', env) || onPath('clang++', env)) ||
      !onPath('make', env)
    )
      missing.push({ id: 'toolchain', what: `a C/C++ toolchain (cc, c++, make) ${why}` });
    if (!onPath('python3', env)) missing.push({ id: 'python3', what: `python3 ${why}` });
    if (platform !== 'macos' && !GSSAPI_HEADERS.some((f) => fs.existsSync(f)))
      missing.push({ id: 'gssapi', what: `the GSSAPI headers (gssapi/gssapi.h) for code-server's kerberos module` });
  }
  if (job === 'test' && !findChromium(env)) missing.push({ id: 'chromium', what: 'Chromium for the browser tests (or set CHROMIUM_PATH)' });
  return missing;
}

function nodeTooOld(version = process.versions.node) {
  const v = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (v[i] !== MIN_NODE[i]) return v[i] < MIN_NODE[i];
  return false;
}

/** node_modules is missing, or npm last installed it before the lockfile changed. */
function dependenciesStale() {
  const lock = path.join(repoRoot, 'package-lock.json');
  const installed = path.join(repoRoot, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installed)) return 'node_modules is missing';
  if (fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

function say(line) {
  process.stderr.write(`[preflight] ${line}\n`);
}

function main(argv) {
  const job = argv[0] === 'start' ? 'start' : 'test';
  if (nodeTooOld()) {
    say(`Node ${process.versions.node} is too old: BYOK Router needs Node >= ${MIN_NODE.join('.')} (https://nodejs.org, or nvm install 22)`);
    return 1;
  }
  const platform = detectPlatform();
  const missing = missingPrerequisites(job);
  if (missing.length) {
    say(`missing ${missing.map((m) => m.what).join('; ')} — install with: ${installCommand(platform, missing)}`);
    return 1;
  }
  if (argv.includes('--check-only')) return 0;
  const stale = dependenciesStale();
  if (stale) {
    say(`${stale}: installing the npm dependencies (npm ci)…`);
    const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) {
      say('npm ci failed; see its output above');
      return 1;
    }
    const lock = path.join(repoRoot, 'node_modules', '.package-lock.json');
    const now = new Date();
    if (fs.existsSync(lock)) fs.utimesSync(lock, now, now);
  }
  return 0;
}

module.exports = { findChromium, missingPrerequisites, installCommand, detectPlatform };

if (require.main === module) process.exit(main(process.argv.slice(2)));
