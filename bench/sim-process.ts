/**
 * The loopback simulator in its own process, driven over IPC. Measures 1–3 used to run the
 * simulator in the bench's own process: its work (a JSON encode and an awaited write per chunk)
 * then landed in every contender's wall time and CPU figure alike, which diluted the 1,000-chunk
 * ratio (the denominator was 6× the client's own work) and hid what the router adds per chunk.
 * An upstream in another process, as in production and in ../shared/tools/peer-bench, leaves in
 * the timed process only the client under test.
 *
 * Run as a child: `fork(this file)`; it answers `{ listening: baseUrl }`, then `{ ok: id }` for
 * every `{ id, setDefault: Script }`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Script } from '../src/sim/openai';
import { defaultAnswerText, startOpenAISim } from '../src/sim/openai';
import { ROOT } from './paths';
import { stopChild } from './stop-child';

/** What the request measures need from the simulator. */
export interface BenchSim {
  readonly baseUrl: string;
  /** Resolves once the simulator answers with this script by default. */
  setDefault(script: Script): Promise<void>;
  defaultText(key: string): string;
  close(): Promise<void>;
}

type ToChild = { id: number; setDefault: Script };
type FromChild = { listening: string } | { ok: number };

/** Starts the OpenAI simulator in a child process (the bundle's sibling, or this file under tsx). */
export async function startSimProcess(): Promise<BenchSim> {
  const bundled = __filename.endsWith('.js');
  const entry = bundled ? path.join(__dirname, 'sim-process.js') : __filename;
  const child: ChildProcess = fork(entry, ['--child'], {
    cwd: ROOT,
    execArgv: bundled ? [] : ['--require', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, () => void>();
  let next = 0;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench simulator process exited (${code}) before listening`)));
    child.on('message', (m: FromChild) => {
      if ('listening' in m) resolve(m.listening);
      else waiting.get(m.ok)?.();
    });
  });
  return {
    baseUrl,
    setDefault: (script) =>
      new Promise<void>((resolve) => {
        const id = ++next;
        waiting.set(id, () => {
          waiting.delete(id);
          resolve();
        });
        child.send({ id, setDefault: script } satisfies ToChild);
      }),
    defaultText: (key) => defaultAnswerText('openai', key),
    close: () => stopChild(child),
  };
}

async function childMain(): Promise<void> {
  const sim = await startOpenAISim({ flavor: 'openai', keepAliveTimeoutMs: 60_000 });
  process.on('message', (m: ToChild) => {
    sim.setDefault(m.setDefault);
    process.send!({ ok: m.id } satisfies FromChild);
  });
  // The simulator records every request; the bench never reads them, so memory stays flat.
  setInterval(() => void (sim.requests.length = 0), 500).unref();
  const stop = () => void sim.close().finally(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.send!({ listening: sim.baseUrl } satisfies FromChild);
}

if (process.argv[2] === '--child' && process.send) void childMain();
