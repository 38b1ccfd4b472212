/**
 * Who holds a port the endpoint could not bind: another window's BYOK Router endpoint (which can be
 * used as it is) or some other program (then the only way on is a free port). Plain Node, no editor.
 */
import http from 'node:http';

export type PortHolder = 'byok-router' | 'other';
export type PortTakenAction = 'borrow' | 'free';

/** The body of a 401 is read only this far: a foreign server may send anything. */
const MAX_PROBE_BODY = 16 * 1024;

interface ProbeAnswer {
  status: number;
  body: string;
}

function probe(port: number, path: string, token: string | undefined, timeoutMs: number): Promise<ProbeAnswer | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: ProbeAnswer | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(a);
    };
    // A wall-clock bound: `timeout` alone is per-idle-period, and a holder may trickle bytes forever.
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'user-agent': 'byok-router-port-probe' };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > MAX_PROBE_BODY) done({ status: res.statusCode ?? 0, body: body.slice(0, MAX_PROBE_BODY) });
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', () => done(undefined));
    });
    req.on('error', () => done(undefined));
  });
}

/**
 * Asks the port's holder for its models without a token. Our endpoint (any window's, or
 * `byok-router serve`) answers 401 in OpenAI's error shape naming the BYOK Router token; nothing
 * else is taken for ours. No token is sent, so a foreign holder learns nothing.
 */
export async function whoHoldsPort(port: number, timeoutMs = 1500): Promise<PortHolder> {
  const a = await probe(port, '/v1/models', undefined, timeoutMs);
  if (!a || a.status !== 401) return 'other';
  try {
    const body = JSON.parse(a.body) as { error?: { message?: unknown; code?: unknown } };
    const message = body.error?.message;
    return typeof message === 'string' && message.includes('BYOK Router token') && body.error?.code === 'invalid_api_key' ? 'byok-router' : 'other';
  } catch {
    return 'other';
  }
}

/**
 * Which of these callers' tokens the holding endpoint does not accept (it was started for other
 * folders, so it never loaded them). A known token gets past authentication to a 404 on a path no
 * client uses, so nothing is routed or spent. Ask only a holder `whoHoldsPort` took for ours.
 */
export async function callersItRefuses(port: number, tokens: Record<string, string>, timeoutMs = 1500): Promise<string[]> {
  const out: string[] = [];
  for (const [caller, token] of Object.entries(tokens)) {
    const a = await probe(port, '/v1/byok-router/whoami', token, timeoutMs);
    if (!a || a.status === 401) out.push(caller);
  }
  return out;
}

export interface PortTakenNotice {
  message: string;
  /** In the order the buttons are offered. */
  actions: { action: PortTakenAction; label: string }[];
}

export const PORT_TAKEN_LABELS: Record<PortTakenAction, string> = {
  borrow: 'Use That Window’s Endpoint',
  free: 'Use a Free Port',
};

/** What to tell the user when `port` is taken, and what to offer. */
export function portTakenNotice(port: number, holder: PortHolder, refused: string[] = []): PortTakenNotice {
  const free = { action: 'free' as const, label: PORT_TAKEN_LABELS.free };
  if (holder === 'other') {
    return {
      message: `BYOK Router: port ${port} is taken by another program, so the local endpoint did not start. Start it on a free port for this session?`,
      actions: [free],
    };
  }
  const refusedNote = refused.length
    ? ` It does not accept the token of caller${refused.length === 1 ? '' : 's'} ${refused.map((c) => `"${c}"`).join(', ')} (not in its folders), so use a free port for ${refused.length === 1 ? 'it' : 'them'}.`
    : ' It accepts this window’s tokens.';
  return {
    message: `BYOK Router: port ${port} is used by BYOK Router in another window.${refusedNote}`,
    actions: [{ action: 'borrow', label: PORT_TAKEN_LABELS.borrow }, free],
  };
}
