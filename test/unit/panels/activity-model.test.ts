import assert from 'node:assert/strict';
import { generationSchema, type GenerationRecord } from '../../../src/core/activity/record';
import { feeSchema } from '../../../src/core/config/schema';
import { activityStateSchema, generationRowSchema } from '../../../src/protocol/activity';
import { dailyBuckets, monthView, rangeBounds, toCsv, toJson, toQuery, toRow } from '../../../src/vscode/panels/activity-model';

const NOW = Date.UTC(2026, 10, 23, 15, 30);
const DAY = 86_400_000;

function record(over: Partial<GenerationRecord> = {}): GenerationRecord {
  return generationSchema.parse({
    v: 1,
    id: 'gen-1',
    startedAt: NOW - 60_000,
    surface: 'command:explain',
    caller: 'dev',
    folder: 'app-dev',
    model: 'openai/gpt-5-mini',
    stream: true,
    outcome: 'success',
    plan: [{ route: 'byok', provider: 'openai', tier: 'prioritized', keyId: 'k1', keyName: 'Primary' }],
    attempts: [
      {
        route: 'byok',
        tier: 'prioritized',
        provider: 'openai',
        keyId: 'k2',
        keyName: 'Secondary',
        nativeModel: 'gpt-5-mini',
        status: 429,
        ok: false,
        errorKind: 'rate_limited',
        message: 'openai 429: slow down',
        startedAt: NOW - 60_000,
        latencyMs: 12,
        retryAfterMs: 8000,
      },
      {
        route: 'byok',
        tier: 'prioritized',
        provider: 'openai',
        keyId: 'k1',
        keyName: 'Primary',
        nativeModel: 'gpt-5-mini',
        status: 200,
        ok: true,
        startedAt: NOW - 59_900,
        latencyMs: 40,
        ttfbMs: 9,
        promptTokens: 10,
        completionTokens: 5,
        cost: 0.00003,
      },
    ],
    servedBy: { route: 'byok', provider: 'openai', tier: 'prioritized', keyId: 'k1', keyName: 'Primary' },
    latencyMs: 55,
    promptTokens: 10,
    completionTokens: 5,
    cost: 0.00003,
    byokFee: 0,
    feeWaived: true,
    ...over,
  });
}

describe('the Activity view state', () => {
  it("turns a record into a row with every attempt's provider response", () => {
    const row = toRow(record());
    assert.ok(generationRowSchema.safeParse(row).success);
    assert.equal(row.servedBy, 'openai/key "Primary" (prioritized)');
    assert.deepEqual(
      row.attempts.map((a) => [a.keyName, a.status, a.errorKind ?? null, a.retryAfterMs ?? null]),
      [
        ['Secondary', 429, 'rate_limited', 8000],
        ['Primary', 200, null, null],
      ],
    );
  });

  it('names the model a fallback served and each model given up before it, and nothing when the asked model served', () => {
    const row = toRow(
      record({
        model: 'acme/no-route-1',
        servedBy: { route: 'byok', provider: 'openai', tier: 'prioritized', keyId: 'k1', keyName: 'Primary', model: 'openai/gpt-5-mini' },
        modelFallbacks: [{ model: 'acme/no-route-1', errorKind: 'policy', reason: 'no route serves acme/no-route-1' }],
      }),
    );
    assert.ok(generationRowSchema.safeParse(row).success);
    assert.equal(row.model, 'acme/no-route-1');
    assert.equal(row.servedModel, 'openai/gpt-5-mini');
    assert.deepEqual(row.modelsGivenUp, [{ model: 'acme/no-route-1', errorKind: 'policy', reason: 'no route serves acme/no-route-1' }]);
    const plain = toRow(
      record({ servedBy: { route: 'byok', provider: 'openai', tier: 'prioritized', keyId: 'k1', keyName: 'Primary', model: 'openai/gpt-5-mini' } }),
    );
    assert.equal(plain.servedModel, undefined);
    assert.equal(plain.modelsGivenUp, undefined);
  });

  it('carries the prompt-cache reads and writes of the generation and of each attempt to the view', () => {
    const base = record();
    const attempts = base.attempts.map((a, i) => (i === 1 ? { ...a, cacheReadTokens: 800, cacheWriteTokens: 120 } : a));
    const row = toRow(record({ attempts, cacheReadTokens: 800, cacheWriteTokens: 120 }));
    assert.ok(generationRowSchema.safeParse(row).success);
    assert.deepEqual([row.cacheReadTokens, row.cacheWriteTokens], [800, 120]);
    assert.deepEqual(
      row.attempts.map((a) => a.cacheReadTokens ?? null),
      [null, 800],
    );
    assert.equal(toRow(record()).cacheReadTokens, undefined, 'no cache fields for a generation that cached nothing');
  });

  it('counts requests and spend per UTC day by the provider that served them, empty days included', () => {
    const records = [
      record({ id: 'a', startedAt: NOW - 2 * DAY }),
      record({ id: 'b', startedAt: NOW, servedBy: { route: 'pooled', provider: 'openrouter' }, cost: 0.5 }),
      record({ id: 'c', startedAt: NOW, outcome: 'error', servedBy: undefined, cost: undefined }),
    ];
    const days = dailyBuckets(records, rangeBounds('7d', NOW).since, NOW);
    assert.equal(days.length, 7);
    assert.equal(days[0]!.day, '2026-11-17');
    assert.deepEqual(days[4], { day: '2026-11-21', byProvider: { openai: { requests: 1, cost: 0.00003 } } });
    assert.deepEqual(days[6], { day: '2026-11-23', byProvider: { pooled: { requests: 1, cost: 0.5 }, failed: { requests: 1, cost: 0 } } });
    assert.deepEqual(days[5]!.byProvider, {});
  });

  it('turns the filter into a store query over the chosen window', () => {
    assert.deepEqual(toQuery({ range: 'today', caller: 'dev', outcome: 'error' }, NOW), { since: Date.UTC(2026, 10, 23), caller: 'dev', outcome: 'error' });
    assert.deepEqual(toQuery({ range: 'month', provider: 'openai', keyId: 'k1' }, NOW), { since: Date.UTC(2026, 10, 1), provider: 'openai', keyId: 'k1' });
    assert.deepEqual(toQuery({ range: 'all' }, NOW), {});
  });

  it('sums the month against the free allowance in the fee model', () => {
    const m = monthView(
      { requests: 3, byokRequests: 2, byokListUsd: 0.01, cost: 0.02, fee: 0, saving: 0.004, unpriced: 0, providerCost: 0.02, pooledCost: 0 },
      feeSchema.parse({}),
      NOW,
    );
    assert.deepEqual(m, {
      label: 'November 2026',
      requests: 3,
      byokRequests: 2,
      allowance: { unit: 'requests', amount: 1_000_000 },
      byokListUsd: 0.01,
      cost: 0.02,
      fee: 0,
      saving: 0.004,
      providerCost: 0.02,
      pooledCost: 0,
      unpriced: 0,
    });
    const state = {
      filter: { range: '7d' },
      choices: { callers: [], providers: [], keys: [] },
      generations: [toRow(record())],
      truncated: false,
      month: m,
      days: [],
      daysBy: { key: [], model: [], caller: [] },
      skipped: 0,
      now: NOW,
    };
    assert.ok(activityStateSchema.safeParse(state).success);
  });
});

describe('the Activity exports', () => {
  it('writes one CSV line per generation, quoting what would break a row and defusing formulas', () => {
    const csv = toCsv([record({ id: 'gen-"q"', caller: '=HYPERLINK("http://evil")', folder: 'a,b\nc' })]);
    const [header, line, end] = csv.split('\r\n');
    assert.match(header!, /^id,startedAt,surface,caller,folder,model,outcome,errorKind,servedBy,attempts,/);
    assert.equal(end, '');
    assert.ok(line!.startsWith('"gen-""q""",2026-11-23T15:29:00.000Z,command:explain,"\'=HYPERLINK(""http://evil"")","a,b'));
    assert.match(csv, /openai\/Secondary:rate_limited\(429\) > openai\/Primary:ok\(200\)/);
  });

  it('keeps numbers, negative ones included, as numbers in the CSV', () => {
    const line = toCsv([record({ saving: -0.25 })]).split('\r\n')[1]!;
    assert.ok(line.endsWith(',-0.25,openai/Secondary:rate_limited(429) > openai/Primary:ok(200)'), line);
  });

  it('writes the JSON export as the records themselves, attempts and all', () => {
    const r = record();
    assert.deepEqual(JSON.parse(toJson([r])), [r]);
  });

  it('breaks the days down by key, model or caller as well as by provider', () => {
    const records = [
      record({ id: 'a' }),
      record({
        id: 'b',
        caller: 'prod',
        servedBy: { route: 'byok', provider: 'openai', tier: 'prioritized', keyId: 'k2', keyName: 'Secondary', model: 'openai/gpt-5' },
        cost: 0.5,
      }),
      record({ id: 'c', servedBy: { route: 'pooled', provider: 'openrouter' }, cost: 0.25 }),
      record({ id: 'd', servedBy: undefined, outcome: 'error', cost: undefined }),
    ];
    const today = (by: 'provider' | 'key' | 'model' | 'caller') => dailyBuckets(records, NOW - DAY, NOW, by).at(-1)!.byProvider;
    assert.deepEqual(Object.keys(today('provider')).sort(), ['failed', 'openai', 'pooled']);
    assert.deepEqual(today('key'), {
      Primary: { requests: 1, cost: 0.00003 },
      Secondary: { requests: 1, cost: 0.5 },
      pooled: { requests: 1, cost: 0.25 },
      failed: { requests: 1, cost: 0 },
    });
    assert.deepEqual(Object.keys(today('model')).sort(), ['failed', 'openai/gpt-5', 'openai/gpt-5-mini']);
    assert.deepEqual(today('caller'), { dev: { requests: 3, cost: 0.25003 }, prod: { requests: 1, cost: 0.5 } });
  });
});
