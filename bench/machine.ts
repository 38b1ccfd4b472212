/** What the figures were measured on: they mean nothing without it. */
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  memoryGiB: number;
  date: string;
  /** 1-minute load average when the run started: other work on the machine shows up here. */
  loadAverage: number;
}

export function machine(now = new Date()): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: now.toISOString(),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
