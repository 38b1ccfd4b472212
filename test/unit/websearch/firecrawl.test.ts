import assert from 'node:assert/strict';
import type { GenerationRecord } from '../../../src/core/activity/record';
import { generationSchema } from '../../../src/core/activity/record';
import type { ChatRequest } from '../../../src/core/chat';
import { timeoutsSchema } from '../../../src/core/config/schema';
const DEFAULT_TIMEOUTS = timeoutsSchema.parse({});
import { UndiciHttpClient } from '../../../src/core/http/client';
import { ManualClock } from '../../../src/core/ports';
import { Redactor } from '../../../src/core/redact';
import { firecrawlCredits, firecrawlSearch } from '../../../src/core/websearch/firecrawl';
import { applyWebOption, webOptionOf } from '../../../src/core/websearch/openrouter-web';
import { formatResults, injectWebContext, webSearch } from '../../../src/core/websearch/search';
import { defaultExpiry, dueReminder, reminderText } from '../../../src/core/websearch/expiry';
import { startFirecrawlSim, type FirecrawlSim } from '../../../src/sim/firecrawl';

const KEY = 'fc-sim-key-0001';

describe('Firecrawl web search against the simulator', () => {
  let sim: FirecrawlSim;
  let http: UndiciHttpClient;
  const call = () => ({ http, apiKey: KEY, baseUrl: sim.baseUrl, timeouts: DEFAULT_TIMEOUTS });

  beforeEach(async () => {
    sim = await startFirecrawlSim({ validKeys: [KEY], credits: 20 });
    http = new UndiciHttpClient();
  });
  afterEach(async () => {
    await http.close();
    await sim.close();
  });

  it('searches with page content and returns titles, URLs, excerpts and the credits used', async () => {
    const r = await firecrawlSearch(call(), 'node 24 release', { limit: 3 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(sim.searches()[0]!.json, { query: 'node 24 release', limit: 3, scrapeOptions: { formats: ['markdown'], onlyMainContent: true } });
    assert.equal(sim.searches()[0]!.authorization, `Bearer ${KEY}`);
    assert.equal(r.results.length, 3);
    assert.equal(r.results[0]!.title, 'Node.js 24.0.0 (Current)');
    assert.equal(r.results[0]!.url, 'https://nodejs.org/en/blog/release/v24.0.0');
    assert.match(r.results[0]!.excerpt, /V8 13\.6/);
    assert.match(r.results[0]!.content ?? '', /AsyncContextFrame/);
    assert.equal(r.creditsUsed, 2 + 3);
    assert.equal(sim.remainingCredits, 15);
  });

  it('treats a 404 from a wrong base URL as a refused request, not a crash', async () => {
    const r = await firecrawlSearch({ ...call(), baseUrl: `${sim.baseUrl}/elsewhere` }, 'node', {});
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'bad_request');
    assert.match(r.error.message, /Firecrawl refused the request \(404\): Cannot POST \/elsewhere\/v2\/search/);
  });

  it('says the key was refused on 401, with Firecrawl’s words', async () => {
    const r = await firecrawlSearch({ ...call(), apiKey: 'fc-wrong-key-9999' }, 'node');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'auth');
    assert.equal(r.error.status, 401);
    assert.match(r.error.message, /Unauthorized: Invalid token/);
  });

  it('says the credits ran out on 402', async () => {
    sim.remainingCredits = 3;
    const r = await firecrawlSearch(call(), 'node', { limit: 5 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'policy');
    assert.equal(r.error.code, 'insufficient_credits');
    assert.match(r.error.message, /out of credits \(402\): Insufficient credits/);
  });

  it('reports a 429 as rate limited with the Retry-After wait', async () => {
    sim.rateLimitNext.push(42);
    const r = await firecrawlSearch(call(), 'node');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'rate_limited');
    assert.equal(r.error.retryAfterMs, 42_000);
    assert.match(r.error.message, /Rate limit exceeded/);
    const again = await firecrawlSearch(call(), 'node');
    assert.ok(again.ok, 'the next search goes through');
  });

  it('reads the credits left and the billing period end', async () => {
    const r = await firecrawlCredits(call());
    assert.ok(r.ok);
    assert.deepEqual(r.usage, { remainingCredits: 20, planCredits: 20, billingPeriodEnd: '2027-03-04T00:00:00Z' });
  });

  it('records every search in the activity log with its credits, and redacts the key from errors', async () => {
    const records: GenerationRecord[] = [];
    const redactor = new Redactor();
    const deps = {
      http,
      timeouts: DEFAULT_TIMEOUTS,
      baseUrl: sim.baseUrl,
      apiKey: async () => KEY,
      keyId: 'firecrawl',
      sink: { append: (r: GenerationRecord) => void records.push(r) },
      redactor,
      clock: new ManualClock(),
    };
    const ok = await webSearch(deps, 'wikipedia node', { surface: 'tool:byok_webSearch', limit: 2 });
    assert.ok(ok.ok);
    sim.remainingCredits = 0;
    const broke = await webSearch(deps, 'wikipedia node', { surface: 'chat:web', limit: 2 });
    assert.ok(!broke.ok);
    assert.equal(records.length, 2);
    assert.deepEqual(
      records.map((r) => [r.surface, r.model, r.outcome, r.webSearchCredits, r.attempts[0]!.status]),
      [
        ['tool:byok_webSearch', 'firecrawl/search', 'success', ok.creditsUsed, 200],
        ['chat:web', 'firecrawl/search', 'error', undefined, 402],
      ],
    );
    for (const r of records) assert.ok(generationSchema.safeParse(r).success, 'a web-search record is a valid activity record');
    assert.ok(!JSON.stringify(records).includes(KEY));
  });

  it('refuses to search without a key, naming where to add one', async () => {
    const r = await webSearch({ http, timeouts: DEFAULT_TIMEOUTS, baseUrl: sim.baseUrl, apiKey: async () => undefined }, 'node', { surface: 'x' });
    assert.ok(!r.ok);
    assert.match(r.error.message, /no Firecrawl key is set/);
    assert.equal(sim.requests.length, 0);
  });

  describe('OpenRouter web options on a request', () => {
    const req = (over: Partial<ChatRequest> & { plugins?: unknown } = {}): ChatRequest =>
      ({
        model: 'openai/gpt-4o-mini:online',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'what is new in node 24' },
        ],
        ...over,
      }) as ChatRequest;
    const deps = () => ({ http, timeouts: DEFAULT_TIMEOUTS, baseUrl: sim.baseUrl, apiKey: async () => KEY, hasKey: async () => true });

    it('recognises :online and the web plugin', () => {
      assert.deepEqual(webOptionOf({ model: 'a/b:online' }), { model: 'a/b', maxResults: undefined });
      assert.deepEqual(webOptionOf({ model: 'a/b', plugins: [{ id: 'web', max_results: 2 }] }), { model: 'a/b', maxResults: 2 });
      assert.equal(webOptionOf({ model: 'a/b', plugins: [{ id: 'file-parser' }] }), undefined);
    });

    it('searches with the Firecrawl key and adds the results as context, removing the option', async () => {
      const r = await applyWebOption(
        req({ plugins: [{ id: 'web', max_results: 2 }] }),
        deps(),
        { byokOnly: false, passToOpenRouter: false },
        { surface: 'endpoint' },
      );
      assert.equal(r.kind, 'firecrawl');
      if (r.kind !== 'firecrawl') return;
      assert.equal(r.request.model, 'openai/gpt-4o-mini');
      assert.equal((r.request as { plugins?: unknown }).plugins, undefined);
      assert.deepEqual(
        r.request.messages.map((m) => m.role),
        ['system', 'system', 'user'],
      );
      assert.match(String(r.request.messages[1]!.content), /\[1\] Node\.js 24\.0\.0 \(Current\)\nURL: https:\/\/nodejs\.org/);
      assert.equal(sim.searches()[0]!.json.limit, 2);
      assert.equal(sim.searches()[0]!.json.query, 'what is new in node 24');
    });

    it('without a key, passes the option to OpenRouter only when opted in, and never with byokOnly', async () => {
      const none = { ...deps(), apiKey: async () => undefined, hasKey: async () => false };
      assert.equal((await applyWebOption(req(), none, { byokOnly: false, passToOpenRouter: true }, { surface: 'endpoint' })).kind, 'openrouter');
      const off = await applyWebOption(req(), none, { byokOnly: false, passToOpenRouter: false }, { surface: 'endpoint' });
      assert.equal(off.kind, 'refused');
      const strict = await applyWebOption(req(), none, { byokOnly: true, passToOpenRouter: true }, { surface: 'endpoint' });
      assert.ok(strict.kind === 'refused' && /byokOnly/.test(strict.error.message));
      assert.equal(sim.requests.length, 0);
    });

    it('leaves a request without web options alone', async () => {
      const plain = req({ model: 'openai/gpt-4o-mini' });
      const r = await applyWebOption(plain, deps(), { byokOnly: false, passToOpenRouter: false }, { surface: 'endpoint' });
      assert.equal(r.kind, 'none');
      assert.equal(r.kind === 'none' && r.request, plain);
    });
  });

  it('formats results as numbered sources and injects them after the system prompt', () => {
    const results = [{ title: 'T', url: 'https://e.example/a', excerpt: 'E' }];
    assert.equal(formatResults('q', results), 'Web search results for "q" (Firecrawl):\n\n[1] T\nURL: https://e.example/a\nE');
    const out = injectWebContext({ model: 'm', messages: [{ role: 'user', content: 'q' }] }, 'q', results);
    assert.deepEqual(
      out.messages.map((m) => m.role),
      ['system', 'user'],
    );
  });
});

describe('Firecrawl credit expiry reminders', () => {
  const at = (iso: string) => Date.parse(iso);

  it('defaults the expiry to three months after the key is added', () => {
    assert.equal(defaultExpiry(at('2026-12-04T01:00:00Z')), '2027-03-04');
  });

  it('fires at 14, 3 and 1 days before, each once', () => {
    const exp = '2027-03-04';
    assert.equal(dueReminder(exp, at('2027-02-10T12:00:00Z'), []), undefined);
    assert.equal(dueReminder(exp, at('2027-02-18T12:00:00Z'), []), 14);
    assert.equal(dueReminder(exp, at('2027-02-19T12:00:00Z'), [14]), undefined);
    assert.equal(dueReminder(exp, at('2027-03-01T12:00:00Z'), [14]), 3);
    assert.equal(dueReminder(exp, at('2027-03-03T12:00:00Z'), [14, 3]), 1);
    assert.equal(dueReminder(exp, at('2027-03-03T13:00:00Z'), [14, 3, 1]), undefined);
    assert.equal(dueReminder(exp, at('2027-03-05T12:00:00Z'), []), undefined, 'nothing once it has passed');
  });

  it('collapses thresholds passed while the editor was closed into the one due now', () => {
    assert.equal(dueReminder('2027-03-04', at('2027-03-02T12:00:00Z'), []), 3);
  });

  it('says when', () => {
    assert.equal(reminderText('2027-03-04', at('2027-03-03T12:00:00Z')), 'Your Firecrawl credits expire tomorrow (2027-03-04).');
  });
});
