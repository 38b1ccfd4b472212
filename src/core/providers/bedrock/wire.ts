/**
 * Bedrock's errors: exception types to kinds, for answers and stream exceptions.
 */
import { routeError, RouteFailure, type ErrorKind, type RouteError } from '../../errors';
import { headerString, type EventStreamMessage } from '../../http/eventstream';
import { header, type HeaderBag } from '../../http/retry-after';
import { classifyHttpError, httpError, kindForStatus, readErrorBody } from '../classify';
import { PROVIDER } from './request';

// ---------------------------------------------------------------------------------------------
// Errors

const KIND_BY_TYPE: Record<string, ErrorKind> = {
  throttlingexception: 'rate_limited',
  servicequotaexceededexception: 'rate_limited',
  modelnotreadyexception: 'rate_limited',
  toomanyrequestsexception: 'rate_limited',
  internalserverexception: 'server',
  serviceunavailableexception: 'server',
  modelstreamerrorexception: 'server',
  modelerrorexception: 'server',
  modeltimeoutexception: 'timeout',
  validationexception: 'bad_request',
  conflictexception: 'bad_request',
  resourcenotfoundexception: 'bad_request',
  accessdeniedexception: 'auth',
  unrecognizedclientexception: 'auth',
  invalidsignatureexception: 'auth',
  incompletesignatureexception: 'auth',
  missingauthenticationtokenexception: 'auth',
  expiredtokenexception: 'auth',
  invalidclienttokenid: 'auth',
};

/** `ThrottlingException:http://internal.amazon.com/…` and `com.amazon.coral#ThrottlingException` → `ThrottlingException`. */
function bareType(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const s = t.split(':')[0]!.split('#').pop()!.trim();
  return s || undefined;
}

export function kindForException(type: string | undefined, status?: number): ErrorKind {
  const known = type ? KIND_BY_TYPE[type.toLowerCase()] : undefined;
  return known ?? (status ? kindForStatus(status) : 'server');
}

/** AWS's signature errors append the whole canonical request; the first paragraph is the message. */
function firstParagraph(s: string): string {
  return s.split(/\n\s*\n/)[0]!.trim();
}

function hintFor(type: string | undefined, message: string): string {
  if (/signature expired|signature not yet current/i.test(message)) return ' (check the system clock)';
  if (type === 'InvalidSignatureException') return ' (check the secret access key)';
  if (type === 'UnrecognizedClientException') return ' (the access key id or API key is not valid)';
  return '';
}

export function classifyBedrockError(status: number, headers: HeaderBag, text: string, now: number): RouteError {
  let body: Record<string, unknown> = {};
  try {
    const j: unknown = JSON.parse(text);
    if (j && typeof j === 'object' && !Array.isArray(j)) body = j as Record<string, unknown>;
  } catch {
    /* not JSON: readErrorBody below still finds words */
  }
  const type =
    bareType(header(headers, 'x-amzn-errortype')) ??
    bareType(typeof body.__type === 'string' ? body.__type : undefined) ??
    bareType(typeof body.code === 'string' ? body.code : undefined);
  const raw = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : readErrorBody(text).message;
  const message = raw ? firstParagraph(raw) : undefined;
  // Bedrock sends no Retry-After (the router backs off); the shared reading honours one a proxy adds.
  const base = classifyHttpError(PROVIDER, status, headers, text, now);
  const kind = (type ? KIND_BY_TYPE[type.toLowerCase()] : undefined) ?? base.kind;
  return httpError(PROVIDER, status, { kind, code: type, message, retryAfterMs: base.retryAfterMs, advice: hintFor(type, message ?? '') });
}

/** An exception or error frame inside a 200 stream. */
export function streamFailure(m: EventStreamMessage, messageType: string): RouteFailure {
  if (messageType === 'exception') {
    const type = headerString(m, ':exception-type') ?? 'exception';
    let message: string | undefined;
    try {
      const j = JSON.parse(Buffer.from(m.payload).toString('utf8')) as { message?: unknown; Message?: unknown };
      const v = j.message ?? j.Message;
      if (typeof v === 'string') message = firstParagraph(v);
    } catch {
      /* a payload that is not JSON: the type alone says what happened */
    }
    return new RouteFailure(
      routeError(kindForException(type), `${PROVIDER}: error during the stream (${type})${message ? `: ${message}` : ''}`, { code: type }),
    );
  }
  const code = headerString(m, ':error-code') ?? 'error';
  const message = headerString(m, ':error-message');
  return new RouteFailure(
    routeError(kindForException(code), `${PROVIDER}: error during the stream (${code})${message ? `: ${firstParagraph(message)}` : ''}`, { code }),
  );
}
