/**
 * Loopback simulator for Google Vertex AI: the OAuth token endpoint and the Gemini predict paths.
 *
 *   const account = makeServiceAccount({ project_id: 'proj-1' });     // a fresh RSA key pair
 *   const sim = await startVertexSim({ accounts: [account.public] });
 *   // key secret: JSON.stringify(account.json); options: { baseUrl: sim.url, tokenUrl: sim.tokenUrl }
 *
 * POST /token takes the JWT-bearer grant and VERIFIES the assertion's RS256 signature with the
 * account's public key, as Google does, before issuing `ya29.`-style tokens with `expires_in`.
 * `tokenExchanges` counts successful and failed exchanges, so tests can prove caching and
 * coalescing. Gemini paths: POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:
 * generateContent | streamGenerateContent | countTokens, checked against the Bearer token; Vertex
 * refuses `id` on function calls and responses. Claude's rawPredict paths go to `claude`, a
 * handler a test may plug in (src/sim/anthropic.ts serves the Messages wire format).
 */
import { generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { geminiErrors, geminiFixture, googleErrorBody, serveGenerate, type GeminiErrorScripts } from './gemini';
import { idSequence, sleep, startSimServer, type Script, type SimExchange, type SimHandler, type SimServer, type SimServerOptions } from './server';

const JSON_UTF8 = { 'content-type': 'application/json; charset=UTF-8' };
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface ServiceAccountJson {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

export interface PublicAccount {
  client_email: string;
  private_key_id: string;
  publicKey: KeyObject;
}

let accounts = 0;

/** A service-account key file with a fresh 2048-bit RSA key, and the public half for the simulator. */
export function makeServiceAccount(overrides: Partial<ServiceAccountJson> = {}): { json: ServiceAccountJson; public: PublicAccount } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const n = ++accounts;
  const json: ServiceAccountJson = {
    type: 'service_account',
    project_id: 'sim-project',
    private_key_id: randomUUID().replace(/-/g, ''),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `router-${n}@sim-project.iam.gserviceaccount.com`,
    client_id: String(100000000000000000000n + BigInt(n)),
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  };
  return { json, public: { client_email: json.client_email, private_key_id: json.private_key_id, publicKey } };
}

export interface VertexSimOptions extends SimServerOptions {
  accounts: PublicAccount[];
  /** Projects that exist and the accounts may use. Empty (the default) allows any. */
  projects?: Iterable<string>;
  /** `expires_in` of issued tokens. */
  tokenLifetimeS?: number;
  /** Vertex API keys for express mode (`/v1/publishers/google/models/…` with x-goog-api-key). */
  expressKeys?: Iterable<string>;
  models?: string[];
  /** Serves `publishers/anthropic/…:rawPredict|:streamRawPredict` once the Bearer token checked out. */
  claude?: SimHandler;
}

export interface TokenFault {
  status?: number;
  body?: unknown;
  delayMs?: number;
  reset?: boolean;
}

export interface VertexSimExtras {
  /** `url + '/token'`: the value for a key's options.tokenUrl. */
  readonly tokenUrl: string;
  readonly accounts: Map<string, PublicAccount>;
  readonly projects: Set<string>;
  models: string[];
  tokenLifetimeS: number;
  /** Token exchanges attempted (each POST /token with a grant). */
  tokenExchanges: number;
  /** Valid access tokens → the account they were issued to. */
  readonly issuedTokens: Map<string, string>;
  readonly issuedSignatures: Map<string, string>;
  /** Faults for the next token exchanges, taken in order (the predict script queue is separate). */
  readonly tokenFaults: TokenFault[];
  /** Delay every token exchange by this much, so concurrent callers overlap. */
  tokenDelayMs: number;
  readonly errors: GeminiErrorScripts & { unauthenticated(): Script; resourceExhausted(): Script };
  claude: SimHandler | undefined;
  /** Invalidate every issued token: the next predict answers 401. */
  revokeTokens(): void;
}

export type VertexSim = SimServer & VertexSimExtras;

const json = (status: number, body: string): Script => ({ status, headers: JSON_UTF8, errorBody: body });

export async function startVertexSim(opts: VertexSimOptions): Promise<VertexSim> {
  const nextId = idSequence();
  const server = await startSimServer((ex) => handle(ex, sim, nextId, new Set(opts.expressKeys ?? [])), opts);
  const extras: VertexSimExtras = {
    tokenUrl: `${server.url}/token`,
    accounts: new Map(opts.accounts.map((a) => [a.client_email, a])),
    projects: new Set(opts.projects ?? []),
    models: opts.models ?? ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro-preview'],
    tokenLifetimeS: opts.tokenLifetimeS ?? 3599,
    tokenExchanges: 0,
    issuedTokens: new Map(),
    issuedSignatures: new Map(),
    tokenFaults: [],
    tokenDelayMs: 0,
    errors: {
      ...geminiErrors,
      unauthenticated: () => json(401, geminiFixture('error-vertex-unauthenticated.json')),
      resourceExhausted: () => json(429, geminiFixture('error-vertex-resource-exhausted.json')),
    },
    claude: opts.claude,
    revokeTokens() {
      this.issuedTokens.clear();
    },
  };
  const sim: VertexSim = Object.assign(server, extras);
  return sim;
}

function oauthError(ex: SimExchange, status: number, error: string, description: string): void {
  ex.send(status, `{\n  "error": "${error}",\n  "error_description": "${description}"\n}`, JSON_UTF8);
}

function decodeSegment(s: string | undefined): Record<string, any> | undefined {
  if (!s) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The JWT-bearer grant, checked the way Google checks it. */
async function token(ex: SimExchange, sim: VertexSim): Promise<void> {
  sim.tokenExchanges++;
  const fault = sim.tokenFaults.shift();
  const delay = (fault?.delayMs ?? 0) + sim.tokenDelayMs;
  if (delay) await sleep(delay, ex.signal);
  if (!ex.open) return;
  if (fault?.reset) return ex.reset();
  if (fault?.status) return ex.send(fault.status, typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? {}), JSON_UTF8);

  if (!/^application\/x-www-form-urlencoded/.test(ex.req.headers['content-type'] ?? '')) return oauthError(ex, 400, 'invalid_request', 'Invalid Content-Type');
  const form = new URLSearchParams(ex.req.bodyText);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    return oauthError(ex, 400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
  const assertion = form.get('assertion') ?? '';
  const [h, c, s] = assertion.split('.');
  const header = decodeSegment(h);
  const claims = decodeSegment(c);
  if (!header || !claims || !s)
    return oauthError(
      ex,
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  const account = sim.accounts.get(String(claims.iss));
  if (!account) return oauthError(ex, 400, 'invalid_grant', 'Invalid grant: account not found');
  if (header.alg !== 'RS256') return oauthError(ex, 400, 'invalid_grant', 'Invalid JWT Signature.');
  const signed = verify('RSA-SHA256', Buffer.from(`${h}.${c}`), account.publicKey, Buffer.from(s, 'base64url'));
  if (!signed) return oauthError(ex, 400, 'invalid_grant', 'Invalid JWT Signature.');
  if (header.kid !== undefined && header.kid !== account.private_key_id) return oauthError(ex, 400, 'invalid_grant', 'Invalid JWT Signature.');
  if (claims.aud !== sim.tokenUrl) return oauthError(ex, 400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp <= claims.iat || claims.exp - claims.iat > 3600) {
    return oauthError(
      ex,
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  }
  if (
    !String(claims.scope ?? '')
      .split(' ')
      .includes(SCOPE)
  )
    return oauthError(ex, 400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  const accessToken = `ya29.c.sim-${randomUUID().replace(/-/g, '')}`;
  sim.issuedTokens.set(accessToken, account.client_email);
  ex.send(200, { access_token: accessToken, expires_in: sim.tokenLifetimeS, token_type: 'Bearer' });
}

async function handle(ex: SimExchange, sim: VertexSim, nextId: (prefix: string) => string, expressKeys: Set<string>): Promise<void> {
  const { method, path } = ex.req;
  if (method === 'POST' && path === '/token') return token(ex, sim);
  const notFound = () => ex.send(404, googleErrorBody(404, 'NOT_FOUND', 'Requested entity was not found.'), JSON_UTF8);
  if (method !== 'POST') return notFound();

  const express = /^\/v1\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(path);
  const route = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
  if (!express && !route) return notFound();

  if (express) {
    const key = ex.req.headers['x-goog-api-key'];
    if (!key || !expressKeys.has(key))
      return ex.send(400, geminiFixture('error-api-key-invalid.json').replace('generativelanguage.googleapis.com', 'aiplatform.googleapis.com'), JSON_UTF8);
    return gemini(ex, sim, decodeURIComponent(express[1]!), express[2]!, nextId);
  }

  const [, project, location, publisher, model, verb] = route!;
  const bearer = /^Bearer\s+(.+)$/i.exec(ex.req.headers.authorization ?? '')?.[1];
  if (!bearer || !sim.issuedTokens.has(bearer)) return ex.send(401, geminiFixture('error-vertex-unauthenticated.json'), JSON_UTF8);
  if (sim.projects.size > 0 && !sim.projects.has(project!)) {
    const resource = `//aiplatform.googleapis.com/projects/${project}/locations/${location}/publishers/${publisher}/models/${model}`;
    return ex.send(
      403,
      googleErrorBody(403, 'PERMISSION_DENIED', `Permission 'aiplatform.endpoints.predict' denied on resource '${resource}' (or it may not exist).`),
      JSON_UTF8,
    );
  }
  if (publisher === 'anthropic') {
    if (verb !== 'rawPredict' && verb !== 'streamRawPredict') return notFound();
    if (!sim.claude) return notFound();
    return sim.claude(ex);
  }
  if (!['generateContent', 'streamGenerateContent', 'countTokens'].includes(verb!)) return notFound();
  return gemini(ex, sim, decodeURIComponent(model!), verb!, nextId);
}

/**
 * A `claude` handler that replays the request to another simulator (src/sim/anthropic.ts serves
 * Vertex's rawPredict paths) and pipes its answer back, stream faults and all.
 */
export function forwardTo(baseUrl: string): SimHandler {
  return (ex) =>
    new Promise<void>((resolve) => {
      const { method, path, headers, bodyText, query } = ex.req;
      const search = new URLSearchParams(query).toString();
      const upstream = http.request(
        `${baseUrl}${path}${search ? `?${search}` : ''}`,
        { method, headers: { ...headers, host: new URL(baseUrl).host } },
        (res) => {
          ex.res.writeHead(res.statusCode ?? 502, res.headers);
          ex.res.flushHeaders();
          res.on('data', (chunk: Buffer) => ex.res.write(chunk));
          res.on('error', () => undefined); // 'close' below decides
          res.on('close', () => {
            // An upstream reset or stall-then-close must look the same to the client.
            if (res.complete) ex.res.end();
            else ex.reset();
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        if (!ex.res.headersSent) ex.send(502, 'upstream simulator failed');
        else ex.reset();
        resolve();
      });
      ex.signal.addEventListener('abort', () => upstream.destroy(), { once: true });
      upstream.end(bodyText);
    });
}

function gemini(ex: SimExchange, sim: VertexSim, model: string, verb: string, nextId: (prefix: string) => string): Promise<void> {
  if (!sim.models.includes(model)) {
    const body = googleErrorBody(
      404,
      'NOT_FOUND',
      `Publisher Model \`publishers/google/models/${model}\` was not found or your project does not have access to it. Please ensure you are using a valid model version.`,
    );
    ex.send(404, body, JSON_UTF8);
    return Promise.resolve();
  }
  return serveGenerate(ex, verb, {
    model,
    rejectCallIds: true,
    issuedSignatures: sim.issuedSignatures,
    eol: '\r\n',
    callIds: false,
    defaultText: `Hello from vertex ${model}`,
    nextId,
  });
}
