/**
 * `byok-router`: the same core as the extension, from a terminal.
 * Exit codes: 0 success, 1 the generation (or a demo scenario) failed, 2 bad usage or bad config.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bundledCatalog } from '../core/catalog/catalog';
import { chatRequestSchema } from '../core/chat';
import { formatDiagnostic, parseConfig } from '../core/config/parse';
import type { RouterConfig } from '../core/config/schema';
import { formatPlan } from '../core/routing/plan';
import { describeAttempt, Router } from '../core/routing/router';
import { Redactor } from '../core/redact';
import { cliSecrets, CliSecretSource, envName, loadSecretsFile, UsageError } from './secrets';
import { runDemo } from './demo';
import { testKeysCommand } from './test-keys';
import { newTokenCommand, serveCommand } from './serve';

const USAGE = `byok-router — route LLM requests over your own provider keys

Usage:
  byok-router explain --config FILE --model SLUG [--caller NAME]
  byok-router chat --config FILE --model SLUG [--caller NAME] [--json] [--no-stream] PROMPT
  byok-router test-keys --config FILE
  byok-router serve --config FILE [--secrets FILE] [--port P]
  byok-router serve --new-token
  byok-router demo

Options:
  --config FILE    routing config (JSON; the shape of the byokRouter.* settings)
  --secrets FILE   JSON {"keys": {id: value}, "callers": {name: value}}, mode 0600
  --lenient        use the valid part of a config that has errors
Secrets also come from BYOK_ROUTER_KEY_<ID> and BYOK_ROUTER_CALLER_<NAME>; serve's caller
tokens from BYOK_ROUTER_TOKEN_<CALLER> or a "tokens" map in --secrets.
Any secret may be a secret-manager reference, resolved with your own tools:
  op://vault/item/field, vault://mount/path#field, gcp-sm://projects/P/secrets/S/versions/V,
  aws-sm://region/secret-id#jsonField, azure-kv://vault/secret, infisical://project/env/path/NAME, env:NAME
Exit codes: 0 ok, 1 the request failed, 2 bad usage or bad config.`;

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

export async function main(argv: string[], io: Io = processIo): Promise<number> {
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
      case 'test-keys':
        return await testKeysCommand(loadConfig(values.config, values.lenient!, io), secretsFor(values, io), io);
      case 'serve':
        if (values['new-token']) return newTokenCommand(io.out);
        return await serveCommand({
          config: loadConfig(values.config, values.lenient!, io),
          secrets: secretsFor(values, io),
          fileTokens: values.secrets ? loadSecretsFile(values.secrets).tokens : {},
          port: values.port,
          env: io.env,
          out: io.out,
          err: io.err,
        });
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

type Values = { config?: string; secrets?: string; model?: string; caller?: string; json?: boolean; 'no-stream'?: boolean; lenient?: boolean };

function secretsFor(values: Values, io: Io, redactor = new Redactor()) {
  return cliSecrets(new CliSecretSource(io.env, values.secrets ? loadSecretsFile(values.secrets) : undefined), io.env, redactor);
}

function makeRouter(values: Values, io: Io, log?: (l: string) => void) {
  const config = loadConfig(values.config, values.lenient!, io);
  if (!values.model) throw new UsageError('--model SLUG is required');
  const catalog = bundledCatalog();
  if (!catalog.get(values.model) && !config.keys.some((k) => k.options.modelMap?.[values.model!] || k.options.deployments?.[values.model!])) {
    io.err(`warning: ${values.model} is not in the bundled catalog; only keys whose modelMap names it, and pooled access, can serve it\n`);
  }
  const redactor = new Redactor();
  return new Router({ config, catalog, secrets: secretsFor(values, io, redactor), redactor, log });
}

async function explainCommand(values: Values, io: Io): Promise<number> {
  const router = makeRouter(values, io);
  try {
    const plan = await router.explain(values.model!, values.caller);
    io.out(`${formatPlan(plan, router.clock.now())}\n`);
    warnMissingSecrets(plan.excluded, io);
    return 0;
  } finally {
    await router.close();
  }
}

function warnMissingSecrets(excluded: { reason: string; keyId?: string; keyName?: string; route: string }[], io: Io) {
  for (const e of excluded) {
    if (e.reason !== 'no_secret') continue;
    if (e.route === 'byok') io.err(`note: key "${e.keyName}" (${e.keyId}) has no secret: set ${envName('KEY', e.keyId!)} or add it to --secrets\n`);
  }
}

async function chatCommand(values: Values, prompt: string, io: Io): Promise<number> {
  if (!prompt.trim()) throw new UsageError('a PROMPT is required');
  const router = makeRouter(values, io);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const request = chatRequestSchema.parse({ model: values.model, messages: [{ role: 'user', content: prompt }], stream: !values['no-stream'] });
    const plan = await router.explain(request.model, values.caller);
    warnMissingSecrets(plan.excluded, io);
    const outcome = await router.generate(request, {
      caller: values.caller,
      signal: ac.signal,
      surface: 'cli',
      onChunk: values.json ? undefined : (c) => {
        const t = c.choices[0]?.delta.content;
        if (t) io.out(t);
      },
      onAttempt: values.json ? undefined : (a) => io.err(`[attempt] ${describeAttempt(a)}\n`),
    });
    if (values.json) {
      io.out(`${JSON.stringify(outcome.ok ? { response: outcome.response, record: outcome.record } : { error: outcome.error, record: outcome.record }, null, 2)}\n`);
    } else if (outcome.ok) {
      if (!request.stream) io.out(outcome.response.choices[0]?.message.content ?? '');
      const calls = outcome.response.choices[0]?.message.tool_calls ?? [];
      for (const t of calls) io.out(`\n[tool call] ${t.function.name}(${t.function.arguments})`);
      io.out('\n');
      const r = outcome.record;
      const served = r.servedBy!;
      const who = served.route === 'pooled' ? 'pooled (OpenRouter)' : `${served.provider}/key "${served.keyName}" (${served.tier})`;
      io.err(`[served] ${who}; ${r.promptTokens ?? '?'} in / ${r.completionTokens ?? '?'} out tokens; cost $${(r.cost ?? 0).toFixed(6)}${r.byokFee !== undefined ? `; BYOK fee $${r.byokFee.toFixed(6)}${r.feeWaived ? ' (waived)' : ''}` : ''}\n`);
    } else {
      io.err(`[failed] ${outcome.error.kind}: ${outcome.error.message}\n`);
    }
    return outcome.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await router.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`byok-router: internal error: ${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
