import type { ChildProcess } from 'node:child_process';

/**
 * Stops a forked helper process and resolves once it has exited. A module of its own: the
 * processes that fork helpers are helpers' entry points too, and importing one of them would run
 * its child branch.
 */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
