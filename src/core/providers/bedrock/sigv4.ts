/**
 * AWS Signature Version 4 for Bedrock, as a thin wrapper over `aws4` (0 dependencies; agrees with
 * @smithy/signature-v4 on AWS's published example, test/fixtures/bedrock/sigv4-vector.json). What
 * the wrapper adds is the rule that matters with undici: sign exactly the request that is sent —
 * the URL's own host (a test's loopback port included), its already-encoded path (aws4 encodes it
 * once more, the non-S3 rule), the exact body bytes, and no header undici could add or alter
 * afterwards.
 */
import { createHash } from 'node:crypto';
import aws4 from 'aws4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: 'GET' | 'POST';
  url: string;
  /** Headers to send and sign (lower-case names). Must not include host or authorization. */
  headers: Record<string, string>;
  body?: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  date: Date;
}

/** `20250102T030405Z` */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** Returns the headers to send: the input's plus x-amz-date, x-amz-content-sha256, the session token and authorization. */
export function signRequest(input: SignInput): Record<string, string> {
  const u = new URL(input.url);
  const body = input.body ?? '';
  const headers: Record<string, string> = {
    ...input.headers,
    'x-amz-date': amzDate(input.date),
    // Not required by Bedrock, but the SDKs send and sign it; it pins the body to the signature.
    'x-amz-content-sha256': createHash('sha256').update(body, 'utf8').digest('hex'),
  };
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const signed = aws4.sign(
    {
      host: u.host,
      path: u.pathname + u.search,
      method: input.method,
      service: input.service,
      region: input.region,
      headers,
      ...(input.method === 'POST' ? { body } : {}),
    },
    {
      accessKeyId: input.credentials.accessKeyId,
      secretAccessKey: input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken ? { sessionToken: input.credentials.sessionToken } : {}),
    },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    const lower = name.toLowerCase();
    // undici derives Host from the URL, identical to what was signed; sending it twice is a risk.
    if (lower === 'host' || value === undefined) continue;
    out[lower] = String(value);
  }
  return out;
}
