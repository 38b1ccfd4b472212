import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { amzDate, signRequest } from '../../../src/core/providers/bedrock/sigv4';
import { expectedSignature, verifySigV4, type VerifyInput } from '../../../src/sim/bedrock-sigv4';

const V = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/bedrock/sigv4-vector.json'), 'utf8')) as {
  method: 'POST';
  url: string;
  body: string;
  headers: Record<string, string>;
  date: string;
  region: string;
  service: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  signedHeaders: string;
  signature: string;
};

function signVector() {
  return signRequest({
    method: V.method,
    url: V.url,
    headers: V.headers,
    body: V.body,
    region: V.region,
    service: V.service,
    credentials: V.credentials,
    date: new Date(V.date),
  });
}

/** What the simulator would see if the signed request were sent. */
function asReceived(headers: Record<string, string>, body = V.body, url = V.url): VerifyInput {
  const u = new URL(url);
  return { method: V.method, path: u.pathname, query: Object.fromEntries(u.searchParams), headers: { ...headers, host: u.host }, bodyText: body };
}

describe('SigV4 signing for Bedrock', () => {
  it('produces the published signature for the published AWS example vector', () => {
    const h = signVector();
    assert.equal(
      h.authorization,
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/bedrock/aws4_request, SignedHeaders=${V.signedHeaders}, Signature=${V.signature}`,
    );
    assert.equal(h['x-amz-date'], '20250102T030405Z');
    assert.equal(h['x-amz-security-token'], 'TOKEN123');
  });

  it('leaves Host to the HTTP client, which derives the same value from the URL', () => {
    assert.equal(
      Object.keys(signVector()).some((k) => k.toLowerCase() === 'host'),
      false,
    );
  });

  it('has a simulator verifier that independently computes the same signature', () => {
    const { signature } = expectedSignature(
      asReceived(signVector()),
      V.credentials.secretAccessKey,
      '20250102T030405Z',
      V.region,
      V.service,
      V.signedHeaders.split(';'),
    );
    assert.equal(signature, V.signature);
  });

  it('double-encodes the model id in the canonical path, as non-S3 services require', () => {
    const { canonicalRequest } = expectedSignature(asReceived(signVector()), V.credentials.secretAccessKey, '20250102T030405Z', V.region, V.service, ['host']);
    assert.match(canonicalRequest, /^POST\n\/model\/anthropic\.claude-3-haiku-20240307-v1%253A0\/converse-stream\n/);
  });

  it('is accepted by the verifier at the signing time and refused when the body was altered', () => {
    const now = Date.parse(V.date);
    const creds = [V.credentials];
    const ok = verifySigV4(asReceived(signVector()), { credentials: creds, region: 'us-east-1', service: 'bedrock', now });
    assert.deepEqual(ok, { ok: true, accessKeyId: 'AKIDEXAMPLE' });
    const tampered = verifySigV4(asReceived(signVector(), V.body.replace('hi', 'ho')), { credentials: creds, region: 'us-east-1', service: 'bedrock', now });
    assert.equal(tampered.ok, false);
    assert.equal(!tampered.ok && tampered.type, 'InvalidSignatureException');
  });

  it('signs a query string and a loopback host with its port', () => {
    const url = 'http://127.0.0.1:4567/foundation-models?byOutputModality=TEXT';
    const date = new Date('2026-11-23T12:00:00Z');
    const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-key-value' };
    const h = signRequest({ method: 'GET', url, headers: { accept: 'application/json' }, region: 'eu-west-3', service: 'bedrock', credentials: creds, date });
    assert.equal(h['x-amz-date'], amzDate(date));
    assert.equal(h['x-amz-security-token'], undefined);
    const u = new URL(url);
    const verdict = verifySigV4(
      { method: 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), headers: { ...h, host: u.host }, bodyText: '' },
      { credentials: [creds], region: 'eu-west-3', service: 'bedrock', now: date.getTime() },
    );
    assert.deepEqual(verdict, { ok: true, accessKeyId: 'AKIDEXAMPLE' });
  });

  it('has a verifier that refuses a signature older than five minutes the way AWS words it', () => {
    const verdict = verifySigV4(asReceived(signVector()), {
      credentials: [V.credentials],
      region: 'us-east-1',
      service: 'bedrock',
      now: Date.parse(V.date) + 6 * 60_000,
    });
    assert.equal(verdict.ok, false);
    assert.match(!verdict.ok ? verdict.message : '', /^Signature expired: 20250102T030405Z is now earlier than 20250102T030505Z/);
  });
});
