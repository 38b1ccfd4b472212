/**
 * `byok-router demo`: the simulated providers on loopback, the shipped demo config, and scenarios
 * that show each routing rule with its trace. Exits 1 if any scenario misbehaves.
 */
import {
  bundledCatalog,
  type ChatRequest,
  describeAttempt,
  formatDiagnostic,
  formatPlan,
  type GenerationOutcome,
  MapSecretSource,
  parseConfig,
  Router,
  type RouterConfig,
} from '../core';
import { startOpenAISim, type OpenAISim } from '../sim/openai';
import { startAnthropicSim, type AnthropicSim } from '../sim/anthropic';
import { BEDROCK_TEST_CREDENTIALS, bedrockErrors, startBedrockSim, type BedrockSim } from '../sim/bedrock';
import { forwardTo, makeServiceAccount, startVertexSim, type VertexSim } from '../sim/vertex';
import demoTemplate from './demo-config.json';
import type { Io } from './main';

export interface DemoSims {
  openai: OpenAISim;
  mistral: OpenAISim;
  groq: OpenAISim;
  openrouter: OpenAISim;
  anthropic: AnthropicSim;
  bedrock: BedrockSim;
  vertex: VertexSim;
  /** Claude behind the Vertex simulator's rawPredict. */
  vertexClaude: AnthropicSim;
}

type Closable = { close(): Promise<void>; requests: unknown[] };

/** The made-up service account the demo's Vertex key holds; generated per run. */
const demoAccount = makeServiceAccount({ project_id: 'byok-router-demo' });

/** Where each placeholder of the demo config points. */
function urls(s: DemoSims): Record<string, string> {
  return {
    openai: s.openai.baseUrl,
    mistral: s.mistral.baseUrl,
    groq: s.groq.baseUrl,
    openrouter: s.openrouter.baseUrl,
    anthropic: s.anthropic.baseUrl,
    bedrock: s.bedrock.url,
    vertex: s.vertex.url,
    vertexToken: s.vertex.tokenUrl,
  };
}

export interface Scenario {
  title: string;
  model: string;
  caller: string;
  /** Script the simulators for this scenario. */
  arrange(s: DemoSims): void;
  /** Undefined when the outcome is what the scenario promises; else what went wrong. */
  check(o: GenerationOutcome, s: DemoSims, before: Record<keyof DemoSims, number>): string | undefined;
}

export function demoConfig(sims: DemoSims): RouterConfig {
  const where = urls(sims);
  const text = JSON.stringify(demoTemplate).replace(/\{\{(\w+)\}\}/g, (_, name: string) => where[name]!);
  const { config, diagnostics } = parseConfig(JSON.parse(text));
  if (diagnostics.length) throw new Error(`demo config: ${diagnostics.map(formatDiagnostic).join('; ')}`);
  return config;
}

/** Demo secrets are made up and labelled; they only open the simulators. */
export function demoSecrets(config: RouterConfig): MapSecretSource {
  const s = new MapSecretSource();
  for (const k of config.keys) s.keys.set(k.id, `not-a-real-key-${k.id}`);
  // Bedrock signs with AWS's documented example credentials; Vertex holds a throwaway service account.
  s.keys.set('demo-bedrock', JSON.stringify(BEDROCK_TEST_CREDENTIALS));
  s.keys.set('demo-vertex', JSON.stringify(demoAccount.json));
  for (const c of config.callers) s.callers.set(c.name, `not-a-real-openrouter-key-${c.name}`);
  return s;
}

const served = (o: GenerationOutcome) => (o.ok ? (o.record.servedBy?.route === 'pooled' ? 'pooled' : o.record.servedBy?.keyId) : undefined);
const trail = (o: GenerationOutcome) => o.record.attempts.map((a) => (a.route === 'pooled' ? 'pooled' : a.keyId)).join(' → ');

export const SCENARIOS: Scenario[] = [
  {
    title: 'A prioritized key is rate-limited, so the next prioritized key answers',
    model: 'openai/gpt-4o-mini',
    caller: 'dev',
    arrange: (s) => void s.openai.enqueue(s.openai.errors.rateLimited(30)),
    check: (o) =>
      served(o) === 'demo-openai-secondary' && trail(o) === 'demo-openai-primary → demo-openai-secondary'
        ? undefined
        : `expected primary (429) → secondary, got ${trail(o)}`,
  },
  {
    title: 'Every prioritized key fails, so pooled access (OpenRouter) answers',
    model: 'openai/gpt-4o-mini',
    caller: 'dev',
    arrange: (s) => void s.openai.enqueue(s.openai.errors.rateLimited(), s.openai.errors.serverError(503)),
    check: (o) => (served(o) === 'pooled' ? undefined : `expected pooled to answer, got ${served(o) ?? 'failure'} after ${trail(o)}`),
  },
  {
    title: 'Pooled access fails too, so the fallback key answers',
    model: 'openai/gpt-4o-mini',
    caller: 'dev',
    arrange: (s) => {
      s.openai.enqueue(s.openai.errors.serverError(500), s.openai.errors.serverError(502));
      s.openrouter.enqueue(s.openrouter.errors.insufficientQuota());
    },
    check: (o) =>
      served(o) === 'demo-openai-backup' && trail(o) === 'demo-openai-primary → demo-openai-secondary → pooled → demo-openai-backup'
        ? undefined
        : `expected primary → secondary → pooled → backup, got ${trail(o)}`,
  },
  {
    title: 'Always use keeps the request on your own key: no pooled request is sent',
    model: 'mistralai/mistral-small-3.2-24b-instruct',
    caller: 'dev',
    arrange: (s) => void s.mistral.enqueue(s.mistral.errors.rateLimited(20)),
    check: (o, s, before) => {
      if (o.ok) return 'expected the request to fail with the key rate-limited';
      if (o.error.kind !== 'rate_limited') return `expected rate_limited, got ${o.error.kind}`;
      if (s.openrouter.requests.length !== before.openrouter) return 'the pooled simulator received a request';
      return undefined;
    },
  },
  {
    title: 'A key filtered to caller "prod" serves prod…',
    model: 'meta-llama/llama-3.3-70b-instruct',
    caller: 'prod',
    arrange: () => {},
    check: (o) => (served(o) === 'demo-groq-prod' ? undefined : `expected the prod-only groq key, got ${served(o) ?? 'failure'}`),
  },
  {
    title: '…and is never used for caller "dev"',
    model: 'meta-llama/llama-3.3-70b-instruct',
    caller: 'dev',
    arrange: () => {},
    check: (o, s, before) =>
      served(o) === 'pooled' && s.groq.requests.length === before.groq ? undefined : `expected pooled and no groq request, got ${trail(o)}`,
  },
  {
    title: 'Claude falls over across three families: Anthropic (529) → Bedrock (throttled) → Vertex',
    model: 'anthropic/claude-sonnet-4.5',
    caller: 'dev',
    arrange: (s) => {
      s.anthropic.enqueue(s.anthropic.errors.overloaded());
      s.bedrock.enqueue(bedrockErrors.throttling());
    },
    check: (o, s, before) => {
      if (trail(o) !== 'demo-anthropic → demo-bedrock → demo-vertex' || served(o) !== 'demo-vertex')
        return `expected anthropic → bedrock → vertex, got ${trail(o)}`;
      const signed = (s.bedrock.requests.at(-1) as { headers: Record<string, string> }).headers.authorization ?? '';
      if (!signed.startsWith('AWS4-HMAC-SHA256')) return 'the Bedrock request was not SigV4-signed';
      if (s.vertexClaude.requests.length !== before.vertexClaude + 1) return 'Vertex did not pass the request to Claude';
      return undefined;
    },
  },
];

export async function startDemoSims(): Promise<DemoSims> {
  const [openai, mistral, groq, openrouter, anthropic, bedrock, vertexClaude] = await Promise.all([
    startOpenAISim({ flavor: 'openai' }),
    startOpenAISim({ flavor: 'mistral' }),
    startOpenAISim({ flavor: 'groq' }),
    startOpenAISim({ flavor: 'openrouter' }),
    startAnthropicSim(),
    startBedrockSim(),
    startAnthropicSim(),
  ]);
  const vertex = await startVertexSim({ accounts: [demoAccount.public], claude: forwardTo(vertexClaude.url) });
  return { openai, mistral, groq, openrouter, anthropic, bedrock, vertex, vertexClaude };
}

export async function closeDemoSims(s: DemoSims) {
  await Promise.all(Object.values(s).map((x: Closable) => x.close()));
}

export async function runDemo(io: Io, scenarios = SCENARIOS): Promise<number> {
  const sims = await startDemoSims();
  let failed = 0;
  try {
    const config = demoConfig(sims);
    const secrets = demoSecrets(config);
    const ports = Object.entries(sims)
      .map(([name, sim]) => `${name} ${(sim as { port: number }).port}`)
      .join(', ');
    io.out(`BYOK Router demo — simulated providers on 127.0.0.1 (${ports})\n`);
    for (const [i, sc] of scenarios.entries()) {
      // A fresh router per scenario: cooldowns from one scenario must not decide the next.
      const router = new Router({ config, catalog: bundledCatalog(), secrets });
      try {
        const before = Object.fromEntries(Object.entries(sims).map(([k, v]) => [k, (v as Closable).requests.length])) as Record<keyof DemoSims, number>;
        sc.arrange(sims);
        io.out(`\n${i + 1}. ${sc.title}\n`);
        const plan = await router.explain(sc.model, sc.caller);
        io.out(`${formatPlan(plan).replace(/^/gm, '   ')}\n`);
        const request: ChatRequest = { model: sc.model, messages: [{ role: 'user', content: 'Say hello.' }], stream: true };
        let text = '';
        const o = await router.generate(request, { caller: sc.caller, surface: 'demo', onChunk: (c) => void (text += c.choices[0]?.delta.content ?? '') });
        for (const a of o.record.attempts) io.out(`   attempt: ${describeAttempt(a)}\n`);
        io.out(o.ok ? `   answer: ${text.trim()}\n` : `   outcome: ${o.error.kind} — ${o.error.message}\n`);
        const problem = sc.check(o, sims, before);
        if (problem) failed++;
        io.out(problem ? `   FAIL: ${problem}\n` : '   PASS\n');
      } finally {
        await router.close();
      }
    }
    io.out(`\n${scenarios.length - failed}/${scenarios.length} scenarios behaved as described\n`);
    return failed ? 1 : 0;
  } finally {
    await closeDemoSims(sims);
  }
}
