import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { isRouteFailure } from '../../../src/core/errors';
import { decodeFrame, EventStreamDecoder, eventStreamMessages, type EventStreamMessage } from '../../../src/core/http/eventstream';
import { corruptFrame, encodeFrame, eventFrame, type EncodableHeader } from '../../../src/sim/eventstream-encode';

const FIXTURE = readFileSync(path.join(__dirname, '../../fixtures/bedrock/smithy-content-block-delta.bin'));
const LIMIT = 1024 * 1024;

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= from || cut >= bytes.length) continue;
    yield bytes.subarray(from, cut);
    from = cut;
  }
  yield bytes.subarray(from);
}

async function collect(body: AsyncIterable<Uint8Array>, limit = LIMIT): Promise<EventStreamMessage[]> {
  const out: EventStreamMessage[] = [];
  for await (const m of eventStreamMessages(body, limit)) out.push(m);
  return out;
}

async function failureOf(p: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRouteFailure(e), `expected a RouteFailure, got ${String(e)}`);
    return e.error;
  }
  assert.fail('expected the decode to fail');
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('event stream decoder', () => {
  it('decodes the frame the smithy codec encoded (a vector from @smithy/eventstream-codec)', () => {
    const { message, length } = decodeFrame(FIXTURE);
    assert.equal(length, 148);
    assert.deepEqual(message.headers, { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' });
    assert.deepEqual(JSON.parse(text(message.payload)), { contentBlockIndex: 0, delta: { text: 'Hi' } });
  });

  it('has a test encoder that writes the same bytes as the smithy codec', () => {
    assert.deepEqual(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }), FIXTURE);
  });

  it('uses the IEEE CRC32 the framing specifies', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
  });

  it('decodes every header value type', () => {
    const headers: Record<string, EncodableHeader> = {
      yes: { type: 'bool', value: true },
      no: { type: 'bool', value: false },
      byte: { type: 'byte', value: -7 },
      short: { type: 'short', value: -300 },
      int: { type: 'integer', value: 123456789 },
      long: { type: 'long', value: -(2n ** 40n) },
      bytes: { type: 'bytes', value: new Uint8Array([0, 1, 254, 255]) },
      str: 'héllo ✓',
      when: { type: 'timestamp', value: new Date('2025-01-02T03:04:05.678Z') },
      id: { type: 'uuid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    };
    const { message } = decodeFrame(encodeFrame(headers, 'x'));
    assert.deepEqual(message.headers, {
      yes: true,
      no: false,
      byte: -7,
      short: -300,
      int: 123456789,
      long: -(2n ** 40n),
      bytes: new Uint8Array([0, 1, 254, 255]),
      str: 'héllo ✓',
      when: new Date('2025-01-02T03:04:05.678Z'),
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    assert.equal(text(message.payload), 'x');
  });

  it('decodes a frame with no headers and no payload', () => {
    const { message, length } = decodeFrame(encodeFrame({}));
    assert.equal(length, 16);
    assert.deepEqual(message.headers, {});
    assert.equal(message.payload.length, 0);
  });

  it('yields the same frames however the bytes are split into chunks', async () => {
    const payload = fc.oneof(fc.string(), fc.json());
    const frame = fc.record({ type: fc.constantFrom('messageStart', 'contentBlockDelta', 'metadata'), payload });
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), async (frames, rawCuts) => {
        const bytes = Buffer.concat(frames.map((f) => eventFrame(f.type, f.payload)));
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const got = await collect(chunked(bytes, cuts));
        assert.deepEqual(
          got.map((m) => [m.headers[':event-type'], text(m.payload)]),
          frames.map((f) => [f.type, f.payload]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('decodes the fixture fed one byte at a time', async () => {
    const cuts = Array.from({ length: FIXTURE.length }, (_, i) => i);
    const got = await collect(chunked(Buffer.concat([FIXTURE, FIXTURE]), [...cuts, ...cuts.map((c) => c + FIXTURE.length)]));
    assert.equal(got.length, 2);
  });

  it('detects a flipped byte anywhere in a frame', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(FIXTURE.length - 1), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const bad = Buffer.from(FIXTURE);
        bad[at] = bad[at]! ^ xor;
        const e = await failureOf(collect(chunked(bad, [])));
        assert.equal(e.kind, 'server');
        assert.match(e.message, /CRC mismatch|corrupt frame|exceeds|truncated/);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a frame whose prelude CRC does not match', async () => {
    const e = await failureOf(collect(chunked(corruptFrame(FIXTURE, 'prelude-crc'), [])));
    assert.equal(e.kind, 'server');
    assert.match(e.message, /prelude CRC mismatch/);
  });

  it('refuses a frame whose message CRC does not match', async () => {
    const e = await failureOf(collect(chunked(Buffer.concat([FIXTURE, corruptFrame(FIXTURE, 'message-crc')]), [200])));
    assert.equal(e.kind, 'server');
    assert.match(e.message, /message CRC mismatch/);
  });

  it('refuses a stream that ends inside a frame, saying how much of it arrived', async () => {
    const e = await failureOf(collect(chunked(Buffer.concat([FIXTURE, FIXTURE.subarray(0, 100)]), [30])));
    assert.equal(e.kind, 'server');
    assert.match(e.message, /truncated frame: the stream ended with 100 of 148 bytes/);
    const short = await failureOf(collect(chunked(FIXTURE.subarray(0, 5), [])));
    assert.match(short.message, /truncated frame: the stream ended with 5 bytes/);
  });

  it('refuses an oversized frame from its prelude, before buffering the rest', () => {
    const big = eventFrame('contentBlockDelta', 'x'.repeat(5000));
    const decoder = new EventStreamDecoder(4096);
    assert.throws(
      () => decoder.push(big.subarray(0, 12)),
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'server' && /5\d{3}-byte frame exceeds the 4096-byte limit/.test(e.error.message),
    );
  });

  it('refuses a prelude whose lengths cannot be right even though its CRC is', async () => {
    const prelude = (total: number, headers: number) => {
      const b = Buffer.alloc(16);
      b.writeUInt32BE(total, 0);
      b.writeUInt32BE(headers, 4);
      b.writeUInt32BE(crc32(b.subarray(0, 8)), 8);
      return b;
    };
    const tooShort = await failureOf(collect(chunked(prelude(10, 0), [])));
    assert.match(tooShort.message, /shorter than the 16-byte minimum/);
    const headersTooLong = await failureOf(collect(chunked(prelude(16, 1), [])));
    assert.match(headersTooLong.message, /headers length 1 does not fit/);
  });

  it('refuses a header with an unknown value type', async () => {
    const headers = Buffer.from([3, 0x61, 0x62, 0x63, 42]);
    const total = 16 + headers.length;
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(total, 0);
    prelude.writeUInt32BE(headers.length, 4);
    prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
    const body = Buffer.concat([prelude, headers]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body), 0);
    const e = await failureOf(collect(chunked(Buffer.concat([body, crc]), [])));
    assert.match(e.message, /header "abc" has unknown value type 42/);
  });

  it('refuses a header value that runs past the headers section', async () => {
    // A string header claiming 200 bytes in a 10-byte headers section.
    const headers = Buffer.from([1, 0x61, 7, 0, 200, 0x62, 0x63, 0x64, 0x65, 0x66]);
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(16 + headers.length, 0);
    prelude.writeUInt32BE(headers.length, 4);
    prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
    const body = Buffer.concat([prelude, headers]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body), 0);
    const e = await failureOf(collect(chunked(Buffer.concat([body, crc]), [])));
    assert.match(e.message, /runs past the headers section/);
  });

  it('ends quietly on an empty body', async () => {
    assert.deepEqual(await collect(chunked(new Uint8Array(), [])), []);
  });
});
