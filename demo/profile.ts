// The demo profile `npm start` writes: user settings pointing at the simulators, the made-up DEMO
// secret values, and how each simulator answers (the primary OpenAI key is always rate-limited,
// so every request visibly falls over to the next route).
import type { OpenAISim } from '../src/sim/openai';
import type { RecordedRequest, Script } from '../src/sim/server';

export const DEMO_SIMS = {
  openai: { flavor: 'openai' },
  groq: { flavor: 'groq' },
  mistral: { flavor: 'mistral' },
  openrouter: { flavor: 'openrouter' },
} as const;

export type DemoSim = keyof typeof DEMO_SIMS;

/** Made up; they open the loopback simulators and nothing else. */
export const DEMO_SECRETS = {
  keys: [
    { id: 'demo-openai-primary', provider: 'openai', secret: 'sk-DEMO-not-a-real-key-primary-0001' },
    { id: 'demo-openai-secondary', provider: 'openai', secret: 'sk-DEMO-not-a-real-key-secondary-0002' },
    { id: 'demo-groq-prod', provider: 'groq', secret: 'gsk_DEMOnotarealkeyprodonly0003' },
    { id: 'demo-mistral-backup', provider: 'mistral', secret: 'DEMO-not-a-real-mistral-key-0004' },
  ],
  callers: [
    { name: 'dev', secret: 'sk-or-DEMO-not-a-real-key-dev-0005' },
    { name: 'prod', secret: 'sk-or-DEMO-not-a-real-key-prod-0006' },
  ],
};

export function demoUserSettings(sims: Record<DemoSim, OpenAISim>): Record<string, unknown> {
  const key = (id: string, provider: string, name: string, tier: string, sim: DemoSim, extra: Record<string, unknown> = {}) => ({
    id,
    provider,
    name,
    tier,
    ...extra,
    options: { baseUrl: sims[sim].baseUrl },
  });
  return {
    'byokRouter.keys': [
      key('demo-openai-primary', 'openai', 'DEMO OpenAI primary (always rate-limited)', 'prioritized', 'openai'),
      key('demo-openai-secondary', 'openai', 'DEMO OpenAI secondary', 'prioritized', 'openai'),
      key('demo-groq-prod', 'groq', 'DEMO Groq (prod only)', 'prioritized', 'groq', { filters: { callers: ['prod'] } }),
      key('demo-mistral-backup', 'mistral', 'DEMO Mistral backup', 'fallback', 'mistral'),
    ],
    'byokRouter.callers': [
      { name: 'dev', description: 'DEMO caller for a development checkout' },
      { name: 'prod', description: 'DEMO caller for a production checkout' },
    ],
    'byokRouter.caller': 'dev',
    'byokRouter.defaultModel': 'openai/gpt-5-mini',
    'byokRouter.pooled': { baseUrl: sims.openrouter.baseUrl },
    // Short, so the demo shows a key coming back from cooldown within a minute.
    'byokRouter.cooldown': { maxMs: 20_000 },
    'workbench.startupEditor': 'readme',
    'chat.commandCenter.enabled': true,
  };
}

/** Scripts every simulator: an echoing answer, streamed word by word; the primary key always 429s. */
export function scriptDemoSims(sims: Record<DemoSim, OpenAISim>) {
  for (const [name, sim] of Object.entries(sims) as [DemoSim, OpenAISim][]) {
    sim.script = (req: RecordedRequest): Script => {
      const key = sim.keyOf(req) ?? '';
      if (key === DEMO_SECRETS.keys[0]!.secret) return sim.errors.rateLimited(15);
      return { text: demoAnswer(name, key, req), chunkDelayMs: 25 };
    };
  }
}

function demoAnswer(sim: string, key: string, req: RecordedRequest): string {
  const body = req.json as { messages?: { role: string; content: unknown }[] } | undefined;
  const last = [...(body?.messages ?? [])].reverse().find((m) => m.role === 'user');
  const asked = typeof last?.content === 'string' ? last.content : '';
  const preview = asked.length > 160 ? `${asked.slice(0, 160)}…` : asked;
  return [
    `This is a **simulated** answer from the ${sim} simulator (key …${key.slice(-4)}); a real provider would answer here.`,
    '',
    preview ? `You asked: “${preview.replace(/\s+/g, ' ')}”` : '',
  ].join('\n');
}
