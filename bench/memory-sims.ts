/**
 * The memory run's three simulators (two OpenAI keys' upstreams and OpenRouter), in a process of
 * their own: the run measures the router's process, and simulators that build answers and keep
 * request logs would otherwise be most of what it measures. Forked by memory-run.ts; answers
 * `{ listening: { primary, backup, pooled } }`, and stops when its parent goes.
 */
import { fork } from 'node:child_process';
import { startOpenAISim, type OpenAISim } from '../src/sim/openai';

export interface MemorySims {
  primary: string;
  backup: string;
  pooled: string;
  close(): Promise<void>;
}

/** A request whose text holds this marker is refused with a 429, so cooldowns start and end. */
export const REFUSE_MARKER = '#429#';

export async function startMemorySims(): Promise<MemorySims> {
  const child = fork(__filename, ['--child'], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await new Promise<{ primary: string; backup: string; pooled: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`memory simulators exited (${code}) before listening`)));
    child.once('message', (m: { listening: { primary: string; backup: string; pooled: string } }) => resolve(m.listening));
  });
  return {
    ...urls,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function childMain(): Promise<void> {
  const sims: OpenAISim[] = await Promise.all([
    startOpenAISim({ flavor: 'openai' }),
    startOpenAISim({ flavor: 'openai' }),
    startOpenAISim({ flavor: 'openrouter' }),
  ]);
  for (const sim of sims)
    sim.script = (req) => (req.bodyText.includes(REFUSE_MARKER) ? { status: 429, headers: { 'retry-after': '1' } } : { text: 'a short answer' });
  // The simulators record every request; nothing reads them here.
  setInterval(() => sims.forEach((s) => (s.requests.length = 0)), 500).unref();
  const stop = () => void Promise.all(sims.map((s) => s.close())).finally(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.send!({ listening: { primary: sims[0]!.baseUrl, backup: sims[1]!.baseUrl, pooled: sims[2]!.baseUrl } });
}

if (process.argv[2] === '--child' && process.send) void childMain();
