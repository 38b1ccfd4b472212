/**
 * `byok-router`: the same core as the extension, from a terminal.
 * Exit codes: 0 success, 1 the generation (or a demo scenario) failed, 2 bad usage or bad config.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  ActivityStore,
  bundledCatalog,
  type ChatRequest,
  chatRequestSchema,
  describeAttempt,
  formatBudgets,
  formatDiagnostic,
  formatPlan,
  MemoryCooldownStore,
  parseConfig,
  type Plan,
  Redactor,
  routeLabel,
  Router,
  type RouterConfig,
  stripTerminalControls,
} from '../core';
import { CliSecretSource, envName, loadSecretsFile, UsageError } from './secrets';
import { loadState, saveState, statePath } from './state';
import { cliSecrets } from './secrets';
import { runDemo } from './demo';
import { testKeysCommand } from './test-keys';
import { newTokenCommand, serveCommand } from './serve';

const USAGE = `byok-router — route LLM requests over your own provider keys

Usage:
  byok-router explain --config FILE --model SLUG [--caller NAME] [--session ID]
  byok-router chat --config FILE --model SLUG [--caller NAME] [--json] [--no-stream] [--repeat N] [--session ID] PROMPT
  byok-router test-keys --config FILE
  byok-router serve --config FILE [--secrets FILE] [--port P]
  byok-router serve --new-token
  byok-router demo

Options:
  --config FILE    routing config (JSON; the shape of the byokRouter.* settings)
  --secrets FILE   JSON {"keys": {id: value}, "callers": {name: value}}, mode 0600
  --lenient        use the valid part of a config that has errors
  --activity DIR   append to and read the activity log in DIR (budgets and latency are counted
                   from it; point it at the extension's log to share spend with the editor)
  --repeat N       send the same request N times in one process, one JSON line each with --json
  --session ID     the conversation's id, for its sticky route
Secrets also come from BYOK_ROUTER_KEY_<ID> and BYOK_ROUTER_CALLER_<NAME>; serve's caller
tokens from BYOK_ROUTER_TOKEN_<CALLER> or a "tokens" map in --secrets.
Any secret may be a secret-manager reference, resolved with your own tools:
  op://vault/item/field, vault://mount/path#field, gcp-sm://projects/P/secrets/S/versions/V,
  aws-sm://region/secret-id#jsonField, azure-kv://vault/secret, infisical://project/env/path/NAME, env:NAME
Exit codes: 0 ok, 1 the request failed, 2 bad usage or bad config.
\`byok-router COMMAND --help\` lists every flag of a command.`;

const FLAG_HELP = {
  config: '  --config FILE    routing config (JSON; the shape of the byokRouter.* settings); required',
  secrets: '  --secrets FILE   JSON {"keys": {id: value}, "callers": {name: value}}, mode 0600',
  model: '  --model SLUG     the model to route, e.g. openai/gpt-4o-mini; required',
  caller: "  --caller NAME    the calling identity (default: the config's defaultCaller)",
  json: '  --json           print one JSON object: the response or error, and the generation record',
  'no-stream': '  --no-stream      ask for the whole answer at once instead of streaming it',
  lenient: '  --lenient        use the valid part of a config that has errors',
  activity: '  --activity DIR   append to and read the activity log in DIR (budgets and latency are counted from it)',
  repeat: '  --repeat N       send the same request N times in one process, one JSON line each with --json',
  session: "  --session ID     the conversation's id, for its sticky route",
  port: "  --port P         the port to listen on, on 127.0.0.1 (default: byokRouter.endpoint.port's default)",
  'new-token': '  --new-token      print a fresh caller token to store, and exit',
  help: '  --help, -h       this help',
} as const;

const COMMAND_HELP: Record<string, { usage: string; what: string; flags: (keyof typeof FLAG_HELP)[] }> = {
  explain: {
    usage: 'explain --config FILE --model SLUG [--caller NAME] [--session ID]',
    what: 'Print the plan for a model and caller; nothing is sent.',
    flags: ['config', 'secrets', 'model', 'caller', 'activity', 'session', 'lenient', 'help'],
  },
  chat: {
    usage: 'chat --config FILE --model SLUG [--caller NAME] [--json] [--no-stream] [--repeat N] [--session ID] PROMPT',
    what: 'Send PROMPT through the router; the answer goes to stdout, each attempt to stderr.',
    flags: ['config', 'secrets', 'model', 'caller', 'json', 'no-stream', 'activity', 'repeat', 'session', 'lenient', 'help'],
  },
  'test-keys': {
    usage: 'test-keys --config FILE',
    what: "Check every key and caller key with its provider's cheapest real request.",
    flags: ['config', 'secrets', 'lenient', 'help'],
  },
  serve: {
    usage: 'serve --config FILE [--secrets FILE] [--port P] [--activity DIR] | serve --new-token',
    what: 'Serve the OpenAI- and Anthropic-compatible endpoint on 127.0.0.1 for assistants that take a base URL.',
    flags: ['config', 'secrets', 'port', 'activity', 'new-token', 'lenient', 'help'],
  },
  demo: { usage: 'demo', what: 'Run the routing scenarios against built-in simulated providers.', flags: ['help'] },
};

function commandHelp(command: string): string | undefined {
  const h = COMMAND_HELP[command];
  if (!h) return undefined;
  return [
    `Usage: byok-router ${h.usage}`,
    '',
    h.what,
    '',
    'Options:',
    ...h.flags.map((f) => FLAG_HELP[f]),
    'Secrets come from BYOK_ROUTER_KEY_<ID> and BYOK_ROUTER_CALLER_<NAME>, or --secrets.',
  ].join('\n');
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  env: process.env,
};

function loadConfig(path: string | undefined, lenient: boolean, io: Io): RouterConfig {
  if (!path) throw new UsageError('--config FILE is required');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  const { config, diagnostics } = parseConfig(raw);
  for (const d of diagnostics) io.err(`${d.severity}: ${formatDiagnostic(d)}\n`);
  if (!lenient && diagnostics.some((d) => d.severity === 'error')) throw new UsageError(`config ${path} has errors (see above; --lenient uses the valid rest)`);
  return config;
}

export async function main(argv: string[], rawIo: Io = processIo): Promise<number> {
  // Provider text reaches the terminal only without control sequences (OSC 52, cursor moves, CR).
  const io: Io = { env: rawIo.env, out: (s) => rawIo.out(stripTerminalControls(s)), err: (s) => rawIo.err(stripTerminalControls(s)) };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        secrets: { type: 'string' },
        model: { type: 'string' },
        caller: { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-stream': { type: 'boolean', default: false },
        lenient: { type: 'boolean', default: false },
        activity: { type: 'string' },
        repeat: { type: 'string' },
        session: { type: 'string' },
        port: { type: 'string' },
        'new-token': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help && command && commandHelp(command)) {
    io.out(`${commandHelp(command)}\n`);
    return 0;
  }
  if (values.help || !command) {
    (values.help ? io.out : io.err)(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'explain':
        return await explainCommand(values, io);
      case 'chat':
        return await chatCommand(values, rest.join(' '), io);
      case 'test-keys': {
        const config = loadConfig(values.config, values.lenient!, io);
        return await testKeysCommand(config, secretsFor(values, io, config), io);
      }
      case 'serve': {
        if (values['new-token']) return newTokenCommand(io.out);
        const config = loadConfig(values.config, values.lenient!, io);
        const { router, close, store } = await openRouter(config, values, io);
        return await serveCommand({
          config,
          router,
          closeRouter: close,
          ...(store ? { sink: store } : {}),
          fileTokens: values.secrets ? loadSecretsFile(values.secrets).tokens : {},
          port: values.port,
          env: io.env,
          out: io.out,
          err: io.err,
        });
      }
      case 'demo':
        return await runDemo(io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`byok-router: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

type Values = {
  config?: string;
  secrets?: string;
  model?: string;
  caller?: string;
  json?: boolean;
  'no-stream'?: boolean;
  lenient?: boolean;
  activity?: string;
  repeat?: string;
  session?: string;
  port?: string;
  'new-token'?: boolean;
};

function secretsFor(values: Values, io: Io, config: RouterConfig, redactor = new Redactor()) {
  const source = new CliSecretSource(io.env, values.secrets ? loadSecretsFile(values.secrets) : undefined);
  source.check(
    config.keys.map((k) => k.id),
    [config.defaultCaller, ...config.callers.map((c) => c.name), ...(values.caller ? [values.caller] : [])],
  );
  return cliSecrets(source, io.env, redactor);
}

async function makeRouter(values: Values, io: Io, log?: (l: string) => void) {
  const config = loadConfig(values.config, values.lenient!, io);
  if (!values.model) throw new UsageError('--model SLUG is required');
  const catalog = bundledCatalog();
  if (
    !catalog.get(values.model) &&
    !config.keys.some((k) => Object.hasOwn(k.options.modelMap ?? {}, values.model!) || Object.hasOwn(k.options.deployments ?? {}, values.model!))
  ) {
    io.err(`warning: ${values.model} is not in the bundled catalog; only keys whose modelMap names it, and pooled access, can serve it\n`);
  }
  const caller = values.caller;
  if (caller !== undefined && caller !== config.defaultCaller && !config.callers.some((c) => c.name === caller)) {
    const known = [...new Set([...config.callers.map((c) => c.name), config.defaultCaller])];
    io.err(
      `warning: caller "${caller}" is not defined; defined callers: ${known.join(', ')}. Keys filtered to callers will not match, and pooled access needs ${envName('CALLER', caller)}\n`,
    );
  }
  return openRouter(config, values, io, log);
}

/**
 * The router every command runs: cooldowns carried across runs in the state file, the --activity
 * log for records, budgets and latency, and one redactor that knows every secret read.
 */
async function openRouter(config: RouterConfig, values: Values, io: Io, log?: (l: string) => void) {
  const cooldownStore = new MemoryCooldownStore();
  const state = statePath(io.env);
  loadState(state, cooldownStore, Date.now());
  const store = values.activity ? new ActivityStore({ dir: values.activity, onWarning: (m) => io.err(`warning: ${m}\n`) }) : undefined;
  const redactor = new Redactor();
  const router = new Router({
    config,
    catalog: bundledCatalog(),
    secrets: secretsFor(values, io, config, redactor),
    redactor,
    log,
    cooldownStore,
    ...(store ? { sink: store, history: store } : {}),
    onBudgetWarning: (s) => io.err(`warning: budget ${Math.floor(s.ratio * 100)} % used: ${s.scope} "${s.name ?? s.id}"\n`),
  });
  if (store) router.policy.stats.seed(await store.read({ limit: 1_000 }));
  const close = async () => {
    saveState(state, cooldownStore, router.clock.now(), io.err);
    await router.close();
    await store?.close();
  };
  return { router, close, store };
}

async function explainCommand(values: Values, io: Io): Promise<number> {
  const { router, close } = await makeRouter(values, io);
  try {
    const plan = await router.explain(values.model!, values.caller, { advance: false, ...(values.session ? { sessionId: values.session } : {}) });
    io.out(`${formatPlan(plan, router.clock.now())}\n`);
    const budgets = formatBudgets(plan.budgets);
    if (budgets) io.out(`${budgets}\n`);
    warnMissingSecrets(plan, io);
    return 0;
  } finally {
    await close();
  }
}

function warnMissingSecrets(plan: Plan, io: Io) {
  for (const e of plan.excluded) {
    if (e.reason !== 'no_secret') continue;
    if (e.route === 'byok') io.err(`note: key "${e.keyName}" (${e.keyId}) has no secret: set ${envName('KEY', e.keyId!)} or add it to --secrets\n`);
    else io.err(`note: caller "${plan.caller}" has no OpenRouter key: set ${envName('CALLER', plan.caller)} or add it to --secrets\n`);
  }
}

async function chatCommand(values: Values, prompt: string, io: Io): Promise<number> {
  if (!prompt.trim()) throw new UsageError('a PROMPT is required');
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 10_000) throw new UsageError('--repeat N takes a whole number from 1 to 10000');
  const { router, close } = await makeRouter(values, io);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const request = chatRequestSchema.parse({ model: values.model, messages: [{ role: 'user', content: prompt }], stream: !values['no-stream'] });
    const plan = await router.explain(request.model, values.caller);
    warnMissingSecrets(plan, io);
    let failed = 0;
    for (let i = 0; i < repeat && !ac.signal.aborted; i++) {
      const ok = await chatOnce(router, request, values, io, ac.signal, repeat > 1);
      if (!ok) failed++;
    }
    return failed ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await close();
  }
}

/**
 * Exits once stdout and stderr have handed everything to the OS: `process.exit()` right away
 * drops what a slow pipe (`| less`, `| wc -c`) has not read yet.
 */
export function exitAfterFlush(code: number, streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  process.exitCode = code;
  let pending = streams.length;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  for (const s of streams) s.write('', done);
}

async function chatOnce(router: Router, request: ChatRequest, values: Values, io: Io, signal: AbortSignal, lines: boolean): Promise<boolean> {
  const outcome = await router.generate(request, {
    ...(values.session ? { sessionId: values.session } : {}),
    caller: values.caller,
    signal,
    surface: 'cli',
    onChunk: values.json
      ? undefined
      : (c) => {
          const t = c.choices[0]?.delta.content;
          if (t) io.out(t);
        },
    onAttempt: values.json ? undefined : (a) => io.err(`[attempt] ${describeAttempt(a)}\n`),
  });
  if (values.json) {
    const body = outcome.ok ? { response: outcome.response, record: outcome.record } : { error: outcome.error, record: outcome.record };
    io.out(`${router.redactor.redact(lines ? JSON.stringify(body) : JSON.stringify(body, null, 2))}\n`);
  } else if (outcome.ok) {
    if (!request.stream) io.out(outcome.response.choices[0]?.message.content ?? '');
    const calls = outcome.response.choices[0]?.message.tool_calls ?? [];
    for (const t of calls) io.out(`\n[tool call] ${t.function.name}(${t.function.arguments})`);
    io.out('\n');
    const r = outcome.record;
    const served = r.servedBy!;
    const who = routeLabel(served, { caller: false });
    const cost = typeof r.cost === 'number' ? `$${r.cost.toFixed(6)}` : 'unknown (no price for this model)';
    const model =
      served.model && served.model !== r.model ? ` as ${served.model} (${r.modelFallbacks?.map((m) => `${m.model}: ${m.errorKind}`).join('; ')})` : '';
    const cached = r.cacheReadTokens ? `, ${r.cacheReadTokens} read from cache` : '';
    io.err(
      `[served] ${who}${model}${served.sticky ? ' [sticky]' : ''}; ${r.promptTokens ?? '?'} in${cached} / ${r.completionTokens ?? '?'} out tokens; cost ${cost}${r.byokFee !== undefined ? `; BYOK fee $${r.byokFee.toFixed(6)}${r.feeWaived ? ' (waived)' : ''}` : ''}\n`,
    );
  } else {
    io.err(`[failed] ${outcome.error.kind}: ${outcome.error.message}\n`);
  }
  return outcome.ok;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => exitAfterFlush(code),
    (e) => {
      process.stderr.write(`byok-router: internal error: ${(e as Error)?.stack ?? e}\n`);
      exitAfterFlush(1);
    },
  );
}
