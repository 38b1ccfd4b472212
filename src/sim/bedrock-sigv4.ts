/**
 * SigV4 verification for the Bedrock simulator, written from the AWS spec with node:crypto alone,
 * so it shares no code with the adapter's signer (aws4): if both agree with each other and with the
 * published vector, the signature is right. Refusals carry the status, error type and wording AWS
 * uses, including the canonical request AWS appends to a signature mismatch.
 */
import { createHash, createHmac } from 'node:crypto';
import type { RecordedRequest } from './server';

export interface SimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The request as the simulator received it: the raw, still percent-encoded path, decoded query parameters, lower-case header names. */
export type VerifyInput = Pick<RecordedRequest, 'method' | 'path' | 'query' | 'headers' | 'bodyText'>;

export type Verdict = { ok: true; accessKeyId: string } | { ok: false; status: number; type: string; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 5 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986 unreserved characters stay; everything else is %XX (upper-case). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Non-S3 services encode each (already encoded) path segment once more. */
export function canonicalUri(path: string): string {
  return path.split('/').map(uriEncode).join('/') || '/';
}

export function canonicalQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalRequest(input: VerifyInput, signedHeaders: string[]): string {
  const headerLines = signedHeaders.map((h) => `${h}:${(input.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return [input.method, canonicalUri(input.path), canonicalQuery(input.query), headerLines, signedHeaders.join(';'), sha256(input.bodyText)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** The signature a client should have sent for this request under these credentials. */
export function expectedSignature(input: VerifyInput, secret: string, amzDate: string, region: string, service: string, signedHeaders: string[]) {
  const creq = canonicalRequest(input, signedHeaders);
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256(creq)].join('\n');
  const signature = createHmac('sha256', signingKey(secret, amzDate.slice(0, 8), region, service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return { signature, canonicalRequest: creq, stringToSign };
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function amzDate(t: number): string {
  return new Date(t).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export function verifySigV4(input: VerifyInput, opts: { credentials: readonly SimCredentials[]; region: string; service: string; now: number }): Verdict {
  const refuse = (type: string, message: string, status = 403): Verdict => ({ ok: false, status, type, message });
  const auth = input.headers.authorization;
  if (!auth) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) {
    return refuse(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${auth.split(' ')[0]}`,
    );
  }
  const [, akid, date, region, service, signedList, signature] = m as unknown as string[];
  const creds = opts.credentials.find((c) => c.accessKeyId === akid);
  if (!creds) return refuse('UnrecognizedClientException', INVALID_TOKEN);
  if (creds.sessionToken !== undefined && input.headers['x-amz-security-token'] !== creds.sessionToken) {
    return refuse('UnrecognizedClientException', INVALID_TOKEN);
  }
  const signed = signedList!.split(';');
  if (!signed.includes('host')) return refuse('InvalidSignatureException', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  const dateHeader = input.headers['x-amz-date'];
  const t = dateHeader ? parseAmzDate(dateHeader) : undefined;
  if (!dateHeader || t === undefined || !signed.includes('x-amz-date')) {
    return refuse('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (t < opts.now - MAX_SKEW_MS) {
    return refuse(
      'InvalidSignatureException',
      `Signature expired: ${dateHeader} is now earlier than ${amzDate(opts.now - MAX_SKEW_MS)} (${amzDate(opts.now)} - 5 min.)`,
    );
  }
  if (t > opts.now + MAX_SKEW_MS) {
    return refuse(
      'InvalidSignatureException',
      `Signature not yet current: ${dateHeader} is still later than ${amzDate(opts.now + MAX_SKEW_MS)} (${amzDate(opts.now)} + 5 min.)`,
    );
  }
  if (date !== dateHeader.slice(0, 8))
    return refuse(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${dateHeader.slice(0, 8)}', from '${dateHeader}'.`,
    );
  if (region !== opts.region) return refuse('InvalidSignatureException', `Credential should be scoped to a valid region. `);
  if (service !== opts.service) return refuse('InvalidSignatureException', `Credential should be scoped to correct service: '${opts.service}'. `);
  const expected = expectedSignature(input, creds.secretAccessKey, dateHeader, region!, service!, signed);
  if (expected.signature !== signature) {
    return refuse(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${expected.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${expected.stringToSign}'\n`,
    );
  }
  return { ok: true, accessKeyId: akid! };
}
