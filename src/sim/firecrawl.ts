/**
 * A loopback Firecrawl speaking its v2 wire format: `POST /v2/search` (and v1's flat shape on
 * `/v1/search`) answering `{success, data: {web: [...]}, creditsUsed, id}` with each page's
 * markdown when `scrapeOptions.formats` asks for it; `GET /v2/team/credit-usage`; and its errors —
 * 401 `Unauthorized: Invalid token`, 402 `Insufficient credits…` once the credits run out, 429
 * `Rate limit exceeded…` with Retry-After. Credits are charged as Firecrawl bills them: 2 per 10
 * results, plus 1 per scraped page.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface SimPage {
  url: string;
  title: string;
  description: string;
  markdown: string;
}

export interface FirecrawlRequest {
  path: string;
  authorization: string | undefined;
  json: any;
}

export const DEFAULT_PAGES: SimPage[] = [
  {
    url: 'https://nodejs.org/en/blog/release/v24.0.0',
    title: 'Node.js 24.0.0 (Current)',
    description: 'Node.js 24 ships V8 13.6, npm 11 and URLPattern as a global.',
    markdown: '# Node.js 24.0.0\n\nNode.js 24 ships V8 13.6, npm 11, and makes URLPattern a global. AsyncLocalStorage now uses AsyncContextFrame by default.',
  },
  {
    url: 'https://github.com/nodejs/node/releases/tag/v24.0.0',
    title: 'Release v24.0.0 · nodejs/node',
    description: 'Notable changes: V8 13.6, npm 11, permission model stable flag.',
    markdown: '## Notable changes\n\n- V8 13.6\n- npm 11\n- `--permission` no longer experimental',
  },
  {
    url: 'https://en.wikipedia.org/wiki/Node.js',
    title: 'Node.js - Wikipedia',
    description: 'Node.js is a cross-platform, open-source JavaScript runtime environment.',
    markdown: 'Node.js is a cross-platform, open-source JavaScript runtime environment that runs on the V8 engine.',
  },
];

export class FirecrawlSim {
  readonly validKeys: Set<string>;
  remainingCredits: number;
  planCredits: number;
  billingPeriodEnd = '2027-03-04T00:00:00Z';
  pages: SimPage[] = [...DEFAULT_PAGES];
  readonly requests: FirecrawlRequest[] = [];
  /** The next searches answer 429 with this Retry-After (seconds), one entry each. */
  readonly rateLimitNext: number[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  baseUrl = '';

  constructor(opts: { validKeys?: string[]; credits?: number } = {}) {
    this.validKeys = new Set(opts.validKeys ?? ['fc-sim-key-0001']);
    this.remainingCredits = opts.credits ?? 500;
    this.planCredits = this.remainingCredits;
  }

  async start(): Promise<this> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  searches(): FirecrawlRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/search'));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const path = new URL(req.url ?? '/', 'http://sim').pathname;
      this.requests.push({ path, authorization: req.headers.authorization, json: body });
      this.route(req, res, path, body);
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: any) {
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.validKeys.has(token)) return send(401, { success: false, error: 'Unauthorized: Invalid token' });
    if (req.method === 'GET' && (path === '/v2/team/credit-usage' || path === '/v1/team/credit-usage')) {
      const v1 = path.startsWith('/v1');
      return send(200, {
        success: true,
        data: v1
          ? {
              remaining_credits: this.remainingCredits,
              plan_credits: this.planCredits,
              billing_period_start: '2026-12-04T00:00:00Z',
              billing_period_end: this.billingPeriodEnd,
            }
          : {
              remainingCredits: this.remainingCredits,
              planCredits: this.planCredits,
              billingPeriodStart: '2026-12-04T00:00:00Z',
              billingPeriodEnd: this.billingPeriodEnd,
            },
      });
    }
    if (req.method !== 'POST' || (path !== '/v2/search' && path !== '/v1/search')) return send(404, { success: false, error: `Cannot ${req.method} ${path}` });
    if (!body || typeof body.query !== 'string' || !body.query.trim()) {
      return send(400, {
        success: false,
        error: 'Invalid request body',
        details: [{ code: 'invalid_type', expected: 'string', path: ['query'], message: 'Required' }],
      });
    }
    const wait = this.rateLimitNext.shift();
    if (wait !== undefined) {
      return send(
        429,
        {
          success: false,
          error: `Rate limit exceeded. Consumed (req/min): 11, Remaining (req/min): 0. Upgrade your plan at https://firecrawl.dev/pricing for increased rate limits or please retry after ${wait}s, resets at ${new Date(Date.now() + wait * 1000).toString()}`,
        },
        { 'retry-after': String(wait) },
      );
    }
    const limit = typeof body.limit === 'number' ? Math.max(1, Math.min(100, body.limit)) : 5;
    const scrape =
      Array.isArray(body.scrapeOptions?.formats) &&
      body.scrapeOptions.formats.some((f: unknown) => f === 'markdown' || (typeof f === 'object' && f && (f as any).type === 'markdown'));
    const words = body.query.toLowerCase().split(/\W+/).filter(Boolean);
    const hits = this.pages.filter((p) => words.some((w: string) => `${p.title} ${p.description} ${p.markdown}`.toLowerCase().includes(w))).slice(0, limit);
    const cost = Math.ceil(limit / 10) * 2 + (scrape ? hits.length : 0);
    if (cost > this.remainingCredits) {
      return send(402, {
        success: false,
        error:
          'Insufficient credits to perform this request. For more credits, you can upgrade your plan at https://firecrawl.dev/pricing or try changing the request limit to a lower value.',
      });
    }
    this.remainingCredits -= cost;
    const items = hits.map((p, i) =>
      scrape
        ? {
            url: p.url,
            title: p.title,
            description: p.description,
            position: i + 1,
            markdown: p.markdown,
            metadata: { title: p.title, description: p.description, sourceURL: p.url, url: p.url, statusCode: 200 },
          }
        : { url: p.url, title: p.title, description: p.description, position: i + 1 },
    );
    if (path === '/v1/search') return send(200, { success: true, data: items, creditsUsed: cost });
    send(200, { success: true, data: { web: items }, creditsUsed: cost, id: randomUUID() });
  }
}

export async function startFirecrawlSim(opts: ConstructorParameters<typeof FirecrawlSim>[0] = {}): Promise<FirecrawlSim> {
  return new FirecrawlSim(opts).start();
}
