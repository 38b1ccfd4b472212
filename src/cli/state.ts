/**
 * The CLI's small state file: cooldowns and auth marks carried from one process to the next
 * (see core/routing/cooldown-persistence.ts; no secret is in it). `BYOK_ROUTER_STATE` names the
 * file; otherwise `$XDG_STATE_HOME/byok-router/cooldowns.json` or `~/.local/state/…`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CooldownStore, restoreCooldowns, snapshotCooldowns } from '../core';

export function statePath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.BYOK_ROUTER_STATE) return env.BYOK_ROUTER_STATE;
  const base = env.XDG_STATE_HOME || (env.HOME ? join(env.HOME, '.local', 'state') : undefined);
  return base ? join(base, 'byok-router', 'cooldowns.json') : undefined;
}

/** A missing or unreadable file is an empty state: it only ever saves requests, never blocks one. */
export function loadState(path: string | undefined, store: CooldownStore, now: number): void {
  if (!path) return;
  try {
    restoreCooldowns(store, JSON.parse(readFileSync(path, 'utf8')), now);
  } catch {
    /* no state yet, or a damaged file: start clean */
  }
}

/** Written whole to a temporary file and renamed over, so a concurrent reader sees old or new. */
export function saveState(path: string | undefined, store: CooldownStore, now: number, warn: (s: string) => void): void {
  if (!path) return;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(snapshotCooldowns(store, now))}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    warn(`warning: could not save cooldowns to ${path}: ${(e as Error).message}\n`);
  }
}
