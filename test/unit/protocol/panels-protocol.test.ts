import assert from 'node:assert/strict';
import fc from 'fast-check';
import { activityToHostSchema, activityToWebviewSchema, type ActivityRequestBody } from '../../../src/protocol/activity';
import type { Reply } from '../../../src/protocol/envelope';
import {
  providersRequestBodySchema,
  providersResultSchemas,
  providersStateSchema,
  providersToHostSchema,
  providersToWebviewSchema,
  type ProvidersRequestBody,
  type ProvidersResultSchemas,
} from '../../../src/protocol/providers';
import { createDispatcher, type Handlers } from '../../../src/vscode/panels/dispatch';
import { HostClient } from '../../../src/webview/shared/client';

const SCOPE = 'file:///work/app-dev';

/** One valid request of every Providers op. */
const VALID: ProvidersRequestBody[] = [
  { op: 'selectScope', scope: 'user' },
  { op: 'addKey', scope: 'user', provider: 'openai', tier: 'prioritized' },
  { op: 'updateKey', scope: SCOPE, keyId: 'openai-main', patch: { name: 'Main', models: ['anthropic/*'], callers: null, alwaysUse: true } },
  { op: 'updateKey', scope: 'user', keyId: 'openai-main', patch: { endpoint: 'http://127.0.0.1:9/v1', expiresAt: '2027-01-31' } },
  { op: 'moveKey', scope: 'user', keyId: 'openai-main', tier: 'fallback', index: 0 },
  { op: 'testKey', scope: 'user', keyId: 'openai-main' },
  { op: 'rotateKey', scope: 'user', keyId: 'openai-main' },
  { op: 'deleteKey', scope: 'user', keyId: 'openai-main' },
  { op: 'customize', scope: SCOPE },
  { op: 'resetFolder', scope: SCOPE },
  { op: 'explain', scope: 'user', model: 'openai/gpt-5-mini', caller: 'dev' },
  { op: 'addCaller', scope: 'user' },
  { op: 'removeCaller', scope: 'user', caller: 'dev' },
  { op: 'setCallerKey', caller: 'dev' },
  { op: 'deleteCallerKey', caller: 'dev' },
  { op: 'testCaller', scope: 'user', caller: 'dev' },
  { op: 'setFolderCaller', folder: SCOPE, caller: 'prod' },
  { op: 'setPooled', scope: 'user', enabled: false },
  { op: 'openSettings', scope: SCOPE },
  { op: 'setWebSearchKey', scope: SCOPE },
  { op: 'deleteWebSearchKey', scope: 'user' },
  { op: 'setWebSearchExpiry', scope: 'user', expiresAt: '2027-03-04' },
  { op: 'testWebSearch', scope: SCOPE },
  { op: 'setProviderSort', scope: 'user', sort: 'price' },
  { op: 'setBalance', scope: SCOPE, provider: 'openai', strategy: 'round-robin' },
  { op: 'setStickiness', scope: 'user', ttlMs: 0 },
  { op: 'setModelFallbacks', scope: 'user', model: 'anthropic/claude-sonnet-4.5', fallbacks: ['openai/gpt-5-mini'] },
  { op: 'setCallerPolicy', scope: 'user', caller: 'dev', byokOnly: true, unset: ['zdr', 'max_price.prompt'] },
  { op: 'setCallerPolicy', scope: SCOPE, preferences: { data_collection: 'deny', zdr: true, only: ['openai'], sort: 'price', max_price: { prompt: 1 } } },
  { op: 'updateKey', scope: 'user', keyId: 'openai-main', patch: { weight: 3 } },
];

const OPS = [...new Set(VALID.map((b) => b.op))];

interface Harness {
  dispatch: (raw: unknown) => Promise<void>;
  calls: ProvidersRequestBody[];
  replies: Reply[];
  warnings: string[];
  readies: unknown[];
}

function providersHost(): Harness {
  const h: Harness = { dispatch: async () => undefined, calls: [], replies: [], warnings: [], readies: [] };
  const handlers = Object.fromEntries(OPS.map((op) => [op, (b: ProvidersRequestBody) => void h.calls.push(b)])) as unknown as Handlers<ProvidersRequestBody>;
  h.dispatch = createDispatcher<ProvidersRequestBody, { scope?: string }>({
    view: 'providers',
    schema: providersToHostSchema,
    onReady: (r) => void h.readies.push(r),
    handlers,
    post: (r) => h.replies.push(r),
    log: { warn: (m) => h.warnings.push(m), error: (m) => h.warnings.push(m) },
  });
  return h;
}

describe('the Providers view protocol', () => {
  it('accepts one well-formed request of every operation and hands exactly it to its handler', async () => {
    const h = providersHost();
    for (const [i, body] of VALID.entries()) await h.dispatch({ type: 'request', id: i, body });
    assert.deepEqual(h.calls, VALID);
    assert.deepEqual(
      h.replies.map((r) => [r.id, r.ok]),
      VALID.map((_, i) => [i, true]),
    );
    assert.deepEqual(h.warnings, []);
    assert.deepEqual([...OPS].sort(), [...providersRequestBodySchema.options.map((o) => o.shape.op.value)].sort());
  });

  it('ignores and logs arbitrary values sent as messages, never acting on or answering them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }),
        async (raw) => {
          const h = providersHost();
          const parsed = providersToHostSchema.safeParse(raw);
          await h.dispatch(raw);
          if (parsed.success) return; // astronomically unlikely, and then it is a real message
          assert.deepEqual(h.calls, []);
          assert.deepEqual(h.replies, []);
          assert.deepEqual(h.readies, []);
          assert.equal(h.warnings.length, 1);
          assert.match(h.warnings[0]!, /^providers view: ignored an invalid message \(/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ignores a valid request once any one field is broken, extra or missing', async () => {
    const junk = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer()), fc.object(), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VALID),
        fc.integer({ min: 0, max: 10 }),
        junk,
        fc.constantFrom('replace', 'delete', 'extra'),
        async (body, pick, value, how) => {
          const msg: Record<string, unknown> = { type: 'request', id: 7, body: { ...body } };
          const target = msg.body as Record<string, unknown>;
          const fields = Object.keys(target);
          const field = fields[pick % fields.length]!;
          if (how === 'delete') delete target[field];
          else if (how === 'extra') target.sneaky = value ?? 1;
          else target[field] = value;
          const stillValid = providersToHostSchema.safeParse(msg).success;
          const h = providersHost();
          await h.dispatch(msg);
          if (stillValid) {
            // e.g. a nullable filter set to null, or `callers: undefined` deleted: a different valid request.
            assert.equal(h.calls.length, 1);
            return;
          }
          assert.deepEqual(h.calls, []);
          assert.deepEqual(h.replies, []);
          assert.equal(h.warnings.length, 1);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses key ids, scopes and endpoints that could smuggle something past the host', async () => {
    const h = providersHost();
    const bad: unknown[] = [
      { type: 'request', id: 1, body: { op: 'rotateKey', scope: 'user', keyId: '../../etc/passwd' } },
      { type: 'request', id: 2, body: { op: 'updateKey', scope: 'user', keyId: 'k', patch: { endpoint: 'file:///etc/passwd' } } },
      { type: 'request', id: 3, body: { op: 'updateKey', scope: 'user', keyId: 'k', patch: { endpoint: 'javascript:alert(1)' } } },
      { type: 'request', id: 4, body: { op: 'updateKey', scope: 'user', keyId: 'k', patch: {} } },
      { type: 'request', id: 5, body: { op: 'selectScope', scope: '' } },
      { type: 'request', id: -1, body: { op: 'selectScope', scope: 'user' } },
      { type: 'request', id: 6, body: { op: 'moveKey', scope: 'user', keyId: 'k', tier: 'fallback', index: 1.5 } },
      { type: 'request', id: 7, body: { op: 'runCommand', command: 'workbench.action.terminal.new' } },
      { type: 'ready', restored: { scope: 'user', secret: 'sk-…' } },
    ];
    for (const m of bad) await h.dispatch(m);
    assert.deepEqual(h.calls, []);
    assert.deepEqual(h.readies, []);
    assert.equal(h.warnings.length, bad.length);
  });

  it('answers a failing handler with its message, once, and keeps serving', async () => {
    const replies: Reply[] = [];
    const errors: string[] = [];
    const dispatch = createDispatcher<ProvidersRequestBody, { scope?: string }>({
      view: 'providers',
      schema: providersToHostSchema,
      onReady: () => undefined,
      handlers: Object.fromEntries(OPS.map((op) => [op, () => Promise.reject(new Error(`${op} refused`))])) as unknown as Handlers<ProvidersRequestBody>,
      post: (r) => replies.push(r),
      log: { warn: () => undefined, error: (m) => errors.push(m) },
    });
    await dispatch({ type: 'request', id: 1, body: VALID[0] });
    await dispatch({ type: 'request', id: 2, body: VALID[5] });
    assert.deepEqual(replies, [
      { type: 'reply', id: 1, ok: false, error: 'selectScope refused' },
      { type: 'reply', id: 2, ok: false, error: 'testKey refused' },
    ]);
    assert.equal(errors.length, 2);
  });

  it('runs edits one at a time, in the order they came, while tests may overlap', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handlers = Object.fromEntries(OPS.map((op) => [op, () => undefined])) as unknown as Record<string, (b: ProvidersRequestBody) => unknown>;
    handlers.moveKey = async (b) => {
      order.push(`start ${(b as { index: number }).index}`);
      if ((b as { index: number }).index === 0) await gate;
      order.push(`end ${(b as { index: number }).index}`);
    };
    handlers.testKey = () => void order.push('test');
    const dispatch = createDispatcher<ProvidersRequestBody, { scope?: string }>({
      view: 'providers',
      schema: providersToHostSchema,
      onReady: () => undefined,
      handlers: handlers as unknown as Handlers<ProvidersRequestBody>,
      concurrent: new Set(['testKey']),
      post: () => undefined,
      log: { warn: () => undefined, error: () => undefined },
    });
    const first = dispatch({ type: 'request', id: 1, body: { op: 'moveKey', scope: 'user', keyId: 'a', tier: 'prioritized', index: 0 } });
    const second = dispatch({ type: 'request', id: 2, body: { op: 'moveKey', scope: 'user', keyId: 'b', tier: 'prioritized', index: 1 } });
    await dispatch({ type: 'request', id: 3, body: { op: 'testKey', scope: 'user', keyId: 'a' } });
    release();
    await Promise.all([first, second]);
    assert.deepEqual(
      order.filter((o) => o !== 'test'),
      ['start 0', 'end 0', 'start 1', 'end 1'],
    );
    assert.ok(order.indexOf('test') < order.indexOf('end 0'), `the test waited for an edit: ${order.join(', ')}`);
  });

  it('will not carry anything but a masked tail of a key value in the view state', () => {
    const state = {
      scopes: [{ id: 'user', kind: 'user', label: 'User', overrides: [] }],
      scope: 'user',
      ownKeys: true,
      ownCallers: true,
      trusted: true,
      providers: [{ id: 'openai', label: 'OpenAI' }],
      keys: [
        {
          id: 'k',
          provider: 'openai',
          name: 'Main',
          tier: 'prioritized',
          alwaysUse: false,
          disabled: false,
          models: null,
          callers: null,
          expiry: 'none',
          masked: '…a1b2',
          status: { kind: 'healthy' },
          warnings: [],
        },
      ],
      invalid: [],
      callers: [],
      caller: 'default',
      folders: [],
      pooled: { enabled: true, baseUrl: 'https://openrouter.ai/api/v1' },
      problems: [],
      models: [],
      now: 0,
    };
    assert.ok(providersStateSchema.safeParse(state).success);
    for (const leak of ['sk-proj-abcdefghijklmnop', '…a1b2c', 'a1b2', '… a1', '']) {
      const keys = [{ ...state.keys[0], masked: leak }];
      assert.equal(providersStateSchema.safeParse({ ...state, keys }).success, false, `accepted masked=${JSON.stringify(leak)}`);
    }
    // A card's "get a key" link is an https page and nothing a link could run or break out of.
    const withLink = (keyUrl: string) => ({ ...state, providers: [{ id: 'cohere', label: 'Cohere', keyUrl }] });
    assert.ok(providersStateSchema.safeParse(withLink('https://dashboard.cohere.com/api-keys')).success);
    for (const bad of ['javascript:alert(1)', 'http://dashboard.cohere.com/', 'https://x.example/"><script>', 'command:byokRouter.addKey']) {
      assert.equal(providersStateSchema.safeParse(withLink(bad)).success, false, `accepted keyUrl=${bad}`);
    }
  });
});

describe('the webview end of the protocol', () => {
  function page<B extends { op: string }, S>(
    toHost: typeof providersToHostSchema | typeof activityToHostSchema,
    toWebview: never,
    results: Record<string, unknown> = {},
  ) {
    const listeners: ((e: { data: unknown }) => void)[] = [];
    const sent: unknown[] = [];
    const states: S[] = [];
    const warnings: string[] = [];
    const client = new HostClient<B, S>({
      api: { postMessage: (m) => sent.push(m), getState: () => undefined, setState: () => undefined },
      toHost,
      toWebview,
      results: results as never,
      onState: (s) => states.push(s),
      warn: (m) => warnings.push(m),
      target: { addEventListener: ((_: string, l: (e: { data: unknown }) => void) => listeners.push(l)) as never },
    });
    const receive = (data: unknown) => listeners.forEach((l) => l({ data }));
    return { client, sent, states, receive, warnings };
  }

  it('drops a host message that does not match the protocol and reports it, keeping the last good state', () => {
    const p = page<ActivityRequestBody, unknown>(activityToHostSchema, activityToWebviewSchema as never);
    p.receive({ type: 'state', state: { generations: 'all of them' } });
    p.receive({ type: 'reply', id: 'x', ok: true });
    p.receive('<img src=x onerror=alert(1)>');
    assert.deepEqual(p.states, []);
    assert.equal(p.warnings.length, 3);
    assert.equal(p.sent.length, 3);
    for (const m of p.sent) assert.equal((m as { kind: string }).kind, 'protocol');
  });

  it("pairs each reply with its request and checks the result against the operation's schema", async () => {
    const p = page<ProvidersRequestBody, unknown>(providersToHostSchema, providersToWebviewSchema as never, providersResultSchemas);
    const good = p.client.request({ op: 'testKey', scope: 'user', keyId: 'k' });
    const bad = p.client.request({ op: 'testKey', scope: 'user', keyId: 'k' });
    const [first, second] = p.sent as { id: number }[];
    p.receive({ type: 'reply', id: second!.id, ok: true, result: { verdict: 'maybe' } });
    p.receive({ type: 'reply', id: first!.id, ok: true, result: { verdict: 'ok', message: 'fine', latencyMs: 3 } });
    assert.deepEqual(await good, { verdict: 'ok', message: 'fine', latencyMs: 3 });
    await assert.rejects(bad, /unexpected reply/);
  });

  it("types each reply by its request, from the op's result schema, so a view reads it without a cast", async () => {
    const listeners: ((e: { data: unknown }) => void)[] = [];
    const sent: { id: number }[] = [];
    const client = new HostClient<ProvidersRequestBody, unknown, ProvidersResultSchemas>({
      api: { postMessage: (m) => sent.push(m as { id: number }), getState: () => undefined, setState: () => undefined },
      toHost: providersToHostSchema,
      toWebview: providersToWebviewSchema,
      results: providersResultSchemas,
      onState: () => undefined,
      target: { addEventListener: ((_: string, l: (e: { data: unknown }) => void) => listeners.push(l)) as never },
    });
    const added = client.request({ op: 'addKey', scope: 'user', provider: 'openai', tier: 'prioritized' });
    const tested = client.request({ op: 'testWebSearch', scope: 'user' });
    const reply = (id: number, result: unknown) => listeners.forEach((l) => l({ data: { type: 'reply', id, ok: true, result } }));
    reply(sent[0]!.id, { keyId: 'openai-2' });
    reply(sent[1]!.id, { ok: false, message: 'HTTP 401' });
    // The property reads below compile only because request() is typed by op (tsconfig.json typechecks tests).
    const keyId: string | undefined = (await added).keyId;
    const { ok, message }: { ok: boolean; message: string } = await tested;
    assert.deepEqual([keyId, ok, message], ['openai-2', false, 'HTTP 401']);
  });

  it('refuses to send a request the host would ignore', async () => {
    const p = page<ProvidersRequestBody, unknown>(providersToHostSchema, providersToWebviewSchema as never);
    await assert.rejects(p.client.request({ op: 'moveKey', scope: 'user', keyId: 'k', tier: 'sideways', index: 0 } as never), /not sent/);
    assert.deepEqual(p.sent, []);
  });
});
