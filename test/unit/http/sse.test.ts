import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SSE_SLICE_BYTES, SseDecoder, sseEvents } from '../../../src/core/http/sse';
import { RouteFailure } from '../../../src/core/errors';

const bytes = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s) : s);

/** A body whose reads are exactly these buffers. */
async function* reads(bufs: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const b of bufs) yield b;
}

describe('decoding server-sent events from bytes', () => {
  it('drops a byte-order mark at the start of the stream, as EventSource does, and keeps one later', () => {
    const sse = new SseDecoder(1 << 20);
    const events = [...sse.push(bytes('\uFEFFdata: one\n\n')), ...sse.push(bytes('data: \uFEFFtwo\n\n')), ...sse.end()];
    assert.deepEqual(
      events.map((e) => e.data),
      ['one', '\uFEFFtwo'],
    );
  });

  it('joins a character whose bytes arrive in two reads', () => {
    const sse = new SseDecoder(1 << 20);
    const whole = Buffer.from('data: café ✓\n\n');
    const cut = whole.indexOf(0xa9); // inside the é (0xC3 0xA9)
    const events = [...sse.push(whole.subarray(0, cut)), ...sse.push(whole.subarray(cut)), ...sse.end()];
    assert.deepEqual(
      events.map((e) => e.data),
      ['café ✓'],
    );
  });

  it('turns invalid bytes into replacement characters, and leaves out an event the end cut off', () => {
    const sse = new SseDecoder(1 << 20);
    const frame = Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff]), Buffer.from('b\n\ndata: c'), Buffer.from([0xe2, 0x9c])]);
    const events = [...sse.push(frame), ...sse.end()];
    assert.deepEqual(
      events.map((e) => e.data),
      ['a\uFFFDb'],
    );
  });

  it('gives the same events however the stream is cut into reads, whatever its line endings', () => {
    const field = fc.constantFrom('data: ', 'data:', 'event: ', ': ', 'id: ', 'retry: 5');
    const line = fc.tuple(
      field,
      fc.string({ maxLength: 12 }).map((v) => v.replace(/[\r\n]/g, '')),
    );
    const event = fc.array(line, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 10 }), (events, eol, cuts) => {
        const text = events.map((ls) => ls.map(([f, v]) => f + v + eol).join('') + eol).join('');
        const whole = Buffer.from(text);
        const show = (e: EventSourceMessage) => `${e.event ?? ''}|${e.id ?? ''}|${e.data}`;
        const sse = new SseDecoder(1 << 20);
        const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((from, i) => whole.subarray(from, at[i] ?? whole.length));
        const got = [...pieces.flatMap((p) => sse.push(p)), ...sse.end()].map(show);
        // The reference: the parser alone, given the whole text at once.
        const expected: string[] = [];
        const parser = createParser({ onEvent: (e) => void expected.push(show(e)) });
        parser.feed(text);
        parser.reset({ consume: true });
        assert.deepEqual(got, expected);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an event that grows past its limit across reads with the limit’s own error, not the parser’s', () => {
    const sse = new SseDecoder(1000);
    assert.deepEqual(sse.push(bytes(`data: ${'x'.repeat(900)}`)), []);
    assert.throws(
      () => sse.push(bytes(`${'x'.repeat(200)}\n\ndata: ok\n\n`)),
      (e: unknown) => e instanceof RouteFailure && /exceeded the 1000-byte limit/.test(e.error.message),
    );
    assert.throws(() => sse.push(bytes('data: more\n\n')), /exceeded the 1000-byte limit/);
  });

  it('refuses an event that grows past its limit', () => {
    const sse = new SseDecoder(1000);
    assert.throws(() => sse.push(bytes(`data: ${'x'.repeat(5000)}`)), /exceeded the 1000-byte limit/);
  });

  it('parses what was written a slice at a time, and the rest on the next feed or at the end', () => {
    const sse = new SseDecoder(1 << 20);
    const events = Array.from({ length: 100 }, (_, i) => `data: event ${i} ${'.'.repeat(40)}\n\n`).join('');
    sse.write(bytes(events));
    const first = sse.feed(SSE_SLICE_BYTES);
    assert.ok(first.length > 0 && first.length < 100, `${first.length} events from the first slice`);
    assert.equal(sse.buffered, events.length - SSE_SLICE_BYTES);
    const rest = [...sse.feed(), ...sse.end()];
    assert.deepEqual(
      [...first, ...rest].map((e) => e.data),
      Array.from({ length: 100 }, (_, i) => `event ${i} ${'.'.repeat(40)}`),
    );
  });

  it('keeps a character whole when a slice ends inside its bytes', () => {
    const sse = new SseDecoder(1 << 20);
    // 'data: ' is 6 bytes: the 4-byte emoji starts 2 bytes before the slice's end.
    const text = `data: ${'a'.repeat(SSE_SLICE_BYTES - 8)}🙂 and on\n\n`;
    sse.write(bytes(text));
    const events = [...sse.feed(SSE_SLICE_BYTES), ...sse.feed(SSE_SLICE_BYTES), ...sse.end()];
    assert.deepEqual(
      events.map((e) => e.data),
      [`${'a'.repeat(SSE_SLICE_BYTES - 8)}🙂 and on`],
    );
  });

  it('yields the first events of a large read before the rest of it is parsed', async () => {
    const read = `data: first\n\n${'data: filler\n\n'.repeat(400)}data: ${'x'.repeat(9000)}`;
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const e of sseEvents(reads([bytes(read)]), 4096)) seen.push(e.data);
    }, /exceeded the 4096-byte limit/);
    assert.equal(seen[0], 'first');
  });
});
