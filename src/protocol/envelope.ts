/**
 * The envelope every webview message travels in, shared by host and webview and validated on
 * both sides. The webview opens with `ready`; the host answers with the view's state and pushes a
 * new state whenever something changes. Everything else the webview asks goes as a `request`
 * with an id and gets exactly one `reply` with that id.
 */
import { z } from 'zod';

/** Short free text (names, paths, messages); bounded so a broken peer cannot flood the other side. */
export const text = (max = 500) => z.string().max(max);

export const requestIdSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const replySchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: requestIdSchema, ok: z.literal(true), result: z.unknown().optional() }).strict(),
  z.object({ type: z.literal('reply'), id: requestIdSchema, ok: z.literal(false), error: text(4000) }).strict(),
]);
export type Reply = z.infer<typeof replySchema>;

/** How a view tells the host it can receive messages; `restored` is the UI state it came back with. */
export function readySchema<R extends z.ZodType>(restored: R) {
  return z.object({ type: z.literal('ready'), restored: restored.optional() }).strict();
}

/** A webview request: `body` is one member of the view's discriminated union of operations. */
export function requestSchema<B extends z.ZodType>(body: B) {
  return z.object({ type: z.literal('request'), id: requestIdSchema, body }).strict();
}

/** Host → webview: the whole state of the view, replacing the last one. */
export function stateSchema<S extends z.ZodType>(state: S) {
  return z.object({ type: z.literal('state'), state }).strict();
}

/** Webview → host: something the page saw that the host should log (a CSP violation, a script error). */
export const problemSchema = z
  .object({
    type: z.literal('problem'),
    kind: z.enum(['csp', 'error', 'protocol']),
    detail: text(2000),
  })
  .strict();
export type Problem = z.infer<typeof problemSchema>;

/**
 * One view's protocol: what the page may restore, the requests it sends, the state it is sent, and
 * the replies that carry a value; with the two unions built from them that host and page validate.
 */
export function viewProtocol<R extends z.ZodType, B extends z.ZodType, S extends z.ZodType, Results>(view: {
  restored: R;
  request: B;
  state: S;
  results: Results;
}) {
  return {
    state: view.state,
    results: view.results,
    toHost: z.discriminatedUnion('type', [readySchema(view.restored), requestSchema(view.request), problemSchema]),
    toWebview: z.discriminatedUnion('type', [stateSchema(view.state), replySchema]),
  };
}

/** One line naming what is wrong with a message, for the log; never echoes the message itself. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`)
    .join('; ');
}
