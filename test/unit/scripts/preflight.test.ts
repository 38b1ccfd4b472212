/**
 * The preflight `npm start` and `npm test` run first: on a machine without Chromium (a PATH that
 * has none) it stops at once with one line naming what is missing and the command that installs
 * it, before any dependency install or compile starts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const script = path.resolve(__dirname, '..', '..', '..', 'scripts', 'preflight.js');

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

describe('preflight (scripts/preflight.js)', () => {
  let tmp: string;
  let bin: string;
  let hostDir: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'byok-preflight-'));
    bin = path.join(tmp, 'bin');
    hostDir = path.join(tmp, 'host');
    fs.mkdirSync(bin);
    fs.mkdirSync(hostDir);
    // A PATH with a toolchain and python3 but no browser.
    for (const tool of ['cc', 'c++', 'gcc', 'g++', 'make', 'python3', 'sh']) {
      const real = which(tool);
      if (real) fs.symlinkSync(real, path.join(bin, tool));
    }
  });

  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function preflight(job: string, env: Record<string, string>) {
    return spawnSync(process.execPath, [script, job], {
      encoding: 'utf8',
      env: { PATH: bin, BYOK_HOST_DIR: hostDir, HOME: tmp, ...env },
      timeout: 30_000,
    });
  }

  it('stops `npm test` on a machine without Chromium with one line naming it and the apt-get command', () => {
    const r = preflight('test', { BYOK_PREFLIGHT_PLATFORM: 'debian' });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0]!, /^\[preflight\] missing .*Chromium for the browser tests/);
    assert.match(lines[0]!, /install with: (sudo )?apt-get update && (sudo )?apt-get install -y [^;]*\bchromium\b/);
    // It stopped before installing anything.
    assert.doesNotMatch(r.stderr + r.stdout, /npm ci|installing/);
  });

  it('names the Fedora and macOS install commands on those systems', () => {
    assert.match(preflight('test', { BYOK_PREFLIGHT_PLATFORM: 'fedora' }).stderr, /install with: (sudo )?dnf install -y [^;]*\bchromium\b/);
    assert.match(preflight('test', { BYOK_PREFLIGHT_PLATFORM: 'macos' }).stderr, /install with: .*brew install --cask chromium/);
  });

  it('names a missing C toolchain and python3 when the editor host still has to be built', () => {
    fs.rmSync(bin, { recursive: true });
    fs.mkdirSync(bin);
    const r = preflight('start', { BYOK_PREFLIGHT_PLATFORM: 'debian' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /C\/C\+\+ toolchain/);
    assert.match(r.stderr, /python3/);
    assert.match(r.stderr, /apt-get install -y [^\n]*build-essential[^\n]*python3/);
    // `npm start` needs no browser.
    assert.doesNotMatch(r.stderr, /Chromium/);
  });

  it('passes once Chromium is on PATH and the host is provisioned, with no toolchain needed', () => {
    fs.writeFileSync(path.join(bin, 'chromium'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    fs.rmSync(path.join(bin, 'cc'), { force: true });
    fs.mkdirSync(path.join(hostDir, 'code-server-4.139.1'));
    fs.writeFileSync(path.join(hostDir, 'code-server-4.139.1', '.provisioned'), 'now\n');
    const r = spawnSync(process.execPath, [script, 'test', '--check-only'], { encoding: 'utf8', env: { PATH: bin, BYOK_HOST_DIR: hostDir, HOME: tmp } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});
