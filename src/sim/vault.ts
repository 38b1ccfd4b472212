/**
 * A loopback HashiCorp Vault speaking the KV v2 read API: `GET /v1/<mount>/data/<path>` with
 * `X-Vault-Token`, answering Vault's own bodies — the data/metadata envelope on success,
 * `{"errors":["permission denied"]}` with 403 for a bad token or a path the policy denies,
 * `{"errors":[]}` with 404 for a missing secret — or never answering, to test timeouts.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export class FakeVault {
  /** `<mount>/<path>` → fields. */
  readonly secrets = new Map<string, Record<string, string>>();
  readonly tokens = new Set<string>();
  /** `<mount>/<path>` the token's policy denies. */
  readonly denied = new Set<string>();
  hang = false;
  readonly requests: { path: string; token: string | undefined }[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private version = 0;

  async start(): Promise<string> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const token = req.headers['x-vault-token'] as string | undefined;
    const url = new URL(req.url ?? '/', 'http://vault');
    this.requests.push({ path: url.pathname, token });
    if (this.hang) return;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return send(404, { errors: [] });
    if (!token || !this.tokens.has(token)) return send(403, { errors: ['permission denied'] });
    const key = `${decodeURIComponent(m[1]!)}/${m[2]!.split('/').map(decodeURIComponent).join('/')}`;
    if (this.denied.has(key)) return send(403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    const data = this.secrets.get(key);
    if (!data) return send(404, { errors: [] });
    send(200, {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: { data, metadata: { created_time: new Date().toISOString(), custom_metadata: null, deletion_time: '', destroyed: false, version: ++this.version } },
      wrap_info: null,
      warnings: null,
      auth: null,
    });
  }
}
