// What a launcher must undo when it ends, however it ends (done, failed, Ctrl-C). code-server
// runs detached in its own process group, so process exit alone would leave it behind.
type Task = () => Promise<void> | void;

const tasks: Task[] = [];
let running: Promise<void> | undefined;

/** Registers a task; the returned function unregisters it (after it ran on its own). */
export function onCleanup(task: Task): () => void {
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

/** Runs every registered task, newest first, each at most once. */
export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (tasks.length) {
      const task = tasks.pop()!;
      try {
        await task();
      } catch (e) {
        console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })();
  return running;
}

/** Ctrl-C and SIGTERM run the cleanup, then exit with `code`. */
export function exitOnSignals(code = 130, say?: (signal: string) => void) {
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    if (seen) return; // a second Ctrl-C while stopping changes nothing
    seen = true;
    say?.(signal);
    const hard = setTimeout(() => process.exit(code), 15_000);
    void cleanup().finally(() => {
      clearTimeout(hard);
      process.exit(code);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
