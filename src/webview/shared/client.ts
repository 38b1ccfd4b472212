/**
 * The webview's side of the protocol: sends `ready`, checks every request against the same zod
 * union the host uses before it leaves, checks every host message before it is believed, and
 * pairs each reply with its request. A message that does not match is dropped and reported.
 */
import type { z } from 'zod';
import { describeIssues } from '../../protocol/envelope';
import type { VsCodeApi } from './vscode-api';

type Body = { op: string };

/** Schemas of the results that carry a value, by op (the protocol's `…ResultSchemas`). */
export type ResultSchemas<B extends Body> = Partial<Record<B['op'], z.ZodType>>;

/** What a request for `op` resolves with: its result schema's output, or nothing worth reading. */
export type ReplyTo<R, K extends PropertyKey> = K extends keyof R ? (R[K] extends z.ZodType ? z.output<R[K]> : unknown) : unknown;

interface Pending {
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface ClientOptions<B extends Body, S, R extends ResultSchemas<B>> {
  api: VsCodeApi<unknown>;
  /** The view's webview → host union (ready | request | problem). */
  toHost: z.ZodType;
  /** The view's host → webview union (state | reply). */
  toWebview: z.ZodType<{ type: 'state'; state: S } | { type: 'reply'; id: number; ok: boolean; result?: unknown; error?: string }>;
  /** Schemas of the results that carry a value, by op; they also type what `request` resolves with. */
  results: R;
  onState: (state: S) => void;
  /** Where the page listens; the window in a webview, a stand-in in tests. */
  target?: Pick<Window, 'addEventListener'>;
  /** The page's console by default. */
  warn?: (message: string) => void;
}

export class HostClient<B extends Body, S, R extends ResultSchemas<B> = ResultSchemas<B>> {
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly opts: ClientOptions<B, S, R>) {
    (opts.target ?? window).addEventListener('message', (e: Event) => this.receive((e as MessageEvent).data));
  }

  ready(restored?: unknown): void {
    this.send({ type: 'ready', ...(restored === undefined ? {} : { restored }) });
  }

  /** Resolves with the host's result, checked against (and typed by) the op's schema; rejects with the host's error message. */
  request<K extends B['op']>(body: Extract<B, { op: K }>): Promise<ReplyTo<R, K>> {
    const id = this.next++;
    const message = { type: 'request', id, body };
    const checked = this.opts.toHost.safeParse(message);
    if (!checked.success) return Promise.reject(new Error(`not sent: ${describeIssues(checked.error)}`));
    return new Promise<ReplyTo<R, K>>((resolve, reject) => {
      // Resolved only with a value the op's schema accepted (receive), so the type holds.
      this.pending.set(id, { op: body.op, resolve: resolve as (v: unknown) => void, reject });
      this.opts.api.postMessage(checked.data);
    });
  }

  problem(kind: 'csp' | 'error' | 'protocol', detail: string): void {
    this.send({ type: 'problem', kind, detail: detail.slice(0, 2000) });
  }

  private send(message: unknown) {
    const checked = this.opts.toHost.safeParse(message);
    if (checked.success) this.opts.api.postMessage(checked.data);
    else (this.opts.warn ?? console.warn)(`webview: message not sent (${describeIssues(checked.error)})`);
  }

  private receive(raw: unknown) {
    const parsed = this.opts.toWebview.safeParse(raw);
    if (!parsed.success) {
      const why = describeIssues(parsed.error);
      (this.opts.warn ?? console.warn)(`webview: ignored a host message (${why})`);
      this.problem('protocol', `ignored a host message: ${why}`);
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'state') return this.opts.onState(msg.state);
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (!msg.ok) return p.reject(new Error(msg.error ?? 'the request failed'));
    const schema: z.ZodType | undefined = this.opts.results[p.op as B['op']];
    if (!schema) return p.resolve(msg.result);
    const result = schema.safeParse(msg.result);
    if (result.success) p.resolve(result.data);
    else p.reject(new Error(`unexpected reply: ${describeIssues(result.error)}`));
  }
}

/** Reports CSP violations and uncaught errors to the host log, where a user can see them. */
export function reportPageProblems(client: { problem(kind: 'csp' | 'error', detail: string): void }): void {
  document.addEventListener('securitypolicyviolation', (e) => {
    client.problem('csp', `${e.violatedDirective} blocked ${e.blockedURI || 'an inline resource'} (${e.sourceFile || 'page'}:${e.lineNumber})`);
  });
  window.addEventListener('error', (e) => client.problem('error', `${e.message} (${e.filename}:${e.lineno})`));
  window.addEventListener('unhandledrejection', (e) => client.problem('error', `unhandled rejection: ${String((e.reason as Error)?.message ?? e.reason)}`));
}
