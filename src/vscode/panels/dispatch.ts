/**
 * The host's side of a webview protocol: every message is checked against the view's zod union;
 * anything that does not match is logged and dropped — never acted on, never answered. A valid
 * request gets exactly one reply. Edits run one at a time so two quick edits cannot interleave
 * their read-modify-write of a settings array. No `vscode` import: unit-tested in plain Node.
 */
import type { z } from 'zod';
import { describeIssues, type Problem, type Reply } from '../../protocol/envelope';

type Body = { op: string };

export type Handlers<B extends Body> = {
  [K in B['op']]: (body: Extract<B, { op: K }>) => Promise<unknown> | unknown;
};

export interface DispatcherOptions<B extends Body, R> {
  /** For log lines: `providers`, `activity`. */
  view: string;
  schema: z.ZodType<{ type: 'ready'; restored?: R } | { type: 'request'; id: number; body: B } | Problem>;
  onReady: (restored: R | undefined) => Promise<void> | void;
  handlers: Handlers<B>;
  /** Ops that may run alongside others (network checks, read-only queries). */
  concurrent?: ReadonlySet<B['op']>;
  post: (reply: Reply) => void;
  log: { warn(message: string): void; error(message: string): void };
  /** A failure's message as shown to the user; the host passes it through redaction. */
  describeError?: (e: unknown) => string;
}

export type Dispatch = (raw: unknown) => Promise<void>;

export function createDispatcher<B extends Body, R>(opts: DispatcherOptions<B, R>): Dispatch {
  let queue: Promise<unknown> = Promise.resolve();
  const describe = opts.describeError ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));

  const run = async (id: number, body: B) => {
    const handler = (opts.handlers as unknown as Record<string, (b: B) => unknown>)[body.op]!;
    try {
      const result = await handler(body);
      opts.post(result === undefined ? { type: 'reply', id, ok: true } : { type: 'reply', id, ok: true, result });
    } catch (e) {
      opts.log.error(`${opts.view} view: ${body.op} failed: ${describe(e)}`);
      opts.post({ type: 'reply', id, ok: false, error: describe(e) });
    }
  };

  return async (raw: unknown) => {
    const parsed = opts.schema.safeParse(raw);
    if (!parsed.success) {
      opts.log.warn(`${opts.view} view: ignored an invalid message (${describeIssues(parsed.error)})`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        await opts.onReady(msg.restored);
        return;
      case 'problem':
        opts.log.warn(`${opts.view} view reported a ${msg.kind} problem: ${msg.detail}`);
        return;
      case 'request': {
        if (opts.concurrent?.has(msg.body.op)) return run(msg.id, msg.body);
        const next = queue.then(() => run(msg.id, msg.body));
        queue = next.catch(() => undefined);
        return next;
      }
    }
  };
}
