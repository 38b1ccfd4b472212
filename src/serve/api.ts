/** What each client API module provides to the server: request in, response and stream out. */
import type { ChatChunk, ChatCompletion, ChatRequest } from '../core';
import type { ZodType } from 'zod';
import type { ApiFamily, HttpError } from './errors';

export interface ParsedRequest {
  request: ChatRequest;
  /** The model name the client sent, echoed back in responses. */
  clientModel: string;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
}

/** Encodes one streamed answer. Every method returns the bytes to write (SSE text). */
export interface StreamEncoder {
  chunk(c: ChatChunk): string;
  end(response: ChatCompletion): string;
  /** The stream had started when the generation failed: an in-band error event. */
  error(e: HttpError): string;
}

export interface ClientApi {
  family: ApiFamily;
  /** Throws HttpError-shaped values via `badRequest` for bodies the API would refuse. */
  parse(body: unknown, resolveModel: (name: string) => string): ParsedRequest;
  complete(response: ChatCompletion, parsed: ParsedRequest): unknown;
  stream(parsed: ParsedRequest): StreamEncoder;
}

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

export function sseEvent(name: string, payload: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** The body checked against the API's schema, or a 400 naming the first problem. */
export function parseBody<T>(schema: ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new BadRequest(firstIssue(r.error));
  return r.data;
}

/** A client API whose request maps to a chat request through one function, the model resolved first. */
export function mappedParse<T extends { model: string }>(schema: ZodType<T>, toChat: (body: T, model: string) => ChatRequest): ClientApi['parse'] {
  return (body, resolveModel) => {
    const data = parseBody(schema, body);
    return { request: toChat(data, resolveModel(data.model)), clientModel: data.model };
  };
}

/** zod's first issue as `messages.0.content: expected …`, which is what a client developer needs. */
export function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  return i ? `${i.path.map(String).join('.') || '(body)'}: ${i.message}` : 'invalid request body';
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
