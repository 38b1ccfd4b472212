import assert from 'node:assert/strict';
import { SseDecoder } from '../../../src/core/http/sse';

const bytes = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s) : s);

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

  it('refuses an event that grows past its limit', () => {
    const sse = new SseDecoder(1000);
    assert.throws(() => sse.push(bytes(`data: ${'x'.repeat(5000)}`)), /exceeded the 1000-byte limit/);
  });
});
