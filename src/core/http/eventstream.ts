/**
 * AWS event stream (`application/vnd.amazon.eventstream`) decoding: the binary framing Bedrock's
 * ConverseStream answers in. A frame is
 *
 *   [total u32][headers length u32][prelude CRC32 u32][headers][payload][message CRC32 u32]
 *
 * all big-endian, CRC32 being IEEE/zlib. Frames arrive split across and merged within TCP chunks,
 * so bytes are buffered until a whole frame is there. Every failure (bad CRC, impossible lengths, a
 * frame larger than the limit, a stream that ends inside a frame) is a RouteFailure of kind
 * `server`: the provider sent something we cannot trust, and another route may do better.
 */
import { crc32 } from 'node:zlib';
import { routeError, RouteFailure } from '../errors';
import { keepShape } from '../keep-shape';

/** Decoded header value: bool, byte/short/int, long (bigint), bytes, string, timestamp, uuid (string). */
export type EventHeaderValue = boolean | number | bigint | string | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, EventHeaderValue>;
  payload: Uint8Array;
}

/** Wire type tags of header values. */
export const HEADER_TYPE = {
  true: 0,
  false: 1,
  byte: 2,
  short: 3,
  integer: 4,
  long: 5,
  bytes: 6,
  string: 7,
  timestamp: 8,
  uuid: 9,
} as const;

const PRELUDE = 12;
/** Prelude plus the trailing message CRC: the smallest possible frame. */
const OVERHEAD = 16;

function fail(message: string): never {
  throw new RouteFailure(routeError('server', `event stream: ${message}`));
}

function uuidString(b: Uint8Array): string {
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function decodeHeaders(view: DataView, bytes: Uint8Array, start: number, end: number): Record<string, EventHeaderValue> {
  const headers: Record<string, EventHeaderValue> = {};
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let p = start;
  const need = (n: number, what: string) => {
    if (p + n > end) fail(`a header's ${what} runs past the headers section (corrupt frame)`);
  };
  while (p < end) {
    need(1, 'name length');
    const nameLen = view.getUint8(p++);
    if (nameLen === 0) fail('a header has an empty name (corrupt frame)');
    need(nameLen + 1, 'name');
    let name: string;
    try {
      name = utf8.decode(bytes.subarray(p, p + nameLen));
    } catch {
      fail('a header name is not UTF-8 (corrupt frame)');
    }
    p += nameLen;
    const type = view.getUint8(p++);
    const [value, next] = decodeHeaderValue({ view, bytes, end, utf8 }, p, type, name);
    p = next;
    headers[name] = value;
  }
  return headers;
}

interface HeaderBytes {
  view: DataView;
  bytes: Uint8Array;
  end: number;
  utf8: { decode(input: Uint8Array): string };
}

/** Header value types of a fixed size: how many bytes they take, and how to read them at `p`. */
const FIXED_SIZE: Readonly<Partial<Record<number, readonly [size: number, read: (view: DataView, p: number, bytes: Uint8Array) => EventHeaderValue]>>> = {
  [HEADER_TYPE.byte]: [1, (view, p) => view.getInt8(p)],
  [HEADER_TYPE.short]: [2, (view, p) => view.getInt16(p)],
  [HEADER_TYPE.integer]: [4, (view, p) => view.getInt32(p)],
  [HEADER_TYPE.long]: [8, (view, p) => view.getBigInt64(p)],
  [HEADER_TYPE.timestamp]: [8, (view, p) => new Date(Number(view.getBigInt64(p)))],
  [HEADER_TYPE.uuid]: [16, (_view, p, bytes) => uuidString(bytes.subarray(p, p + 16))],
};

/** One header's value of wire type `type` at `start`, and where the next header starts. */
function decodeHeaderValue({ view, bytes, end, utf8 }: HeaderBytes, start: number, type: number, name: string): [EventHeaderValue, number] {
  const need = (p: number, n: number, what: string) => {
    if (p + n > end) fail(`a header's ${what} runs past the headers section (corrupt frame)`);
  };
  if (type === HEADER_TYPE.true || type === HEADER_TYPE.false) return [type === HEADER_TYPE.true, start];
  if (type === HEADER_TYPE.bytes || type === HEADER_TYPE.string) {
    need(start, 2, 'value length');
    const len = view.getUint16(start);
    const p = start + 2;
    need(p, len, 'value');
    const raw = bytes.subarray(p, p + len);
    if (type === HEADER_TYPE.bytes) return [new Uint8Array(raw), p + len];
    try {
      return [utf8.decode(raw), p + len];
    } catch {
      fail(`header "${name}" is not UTF-8 (corrupt frame)`);
    }
  }
  const fixed = FIXED_SIZE[type];
  if (!fixed) fail(`header "${name}" has unknown value type ${type} (corrupt frame)`);
  const [size, read] = fixed;
  need(start, size, 'value');
  return [read(view, start, bytes), start + size];
}

/**
 * Checks a frame's prelude and returns its total length. Called as soon as 12 bytes are there, so
 * a corrupt or oversized frame is refused before we buffer it.
 */
function readPrelude(bytes: Uint8Array, offset: number, maxFrameBytes: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, PRELUDE);
  const total = view.getUint32(0);
  const headersLen = view.getUint32(4);
  const preludeCrc = view.getUint32(8);
  // The CRC goes first: with a corrupt prelude the lengths are noise and their errors would mislead.
  if (crc32(bytes.subarray(offset, offset + 8)) !== preludeCrc) fail('prelude CRC mismatch (corrupt frame)');
  if (total < OVERHEAD) fail(`frame length ${total} is shorter than the 16-byte minimum (corrupt frame)`);
  if (headersLen > total - OVERHEAD) fail(`headers length ${headersLen} does not fit in a ${total}-byte frame (corrupt frame)`);
  if (total > maxFrameBytes) fail(`a ${total}-byte frame exceeds the ${maxFrameBytes}-byte limit`);
  return total;
}

/** Decodes one complete frame (exactly `total` bytes starting at `offset`). */
export function decodeFrame(bytes: Uint8Array, offset = 0, maxFrameBytes = Number.MAX_SAFE_INTEGER): { message: EventStreamMessage; length: number } {
  if (bytes.length - offset < PRELUDE) fail(`truncated frame: ${bytes.length - offset} bytes, the prelude alone needs 12`);
  const total = readPrelude(bytes, offset, maxFrameBytes);
  if (bytes.length - offset < total) fail(`truncated frame: ${bytes.length - offset} of ${total} bytes`);
  const frame = bytes.subarray(offset, offset + total);
  const view = new DataView(frame.buffer, frame.byteOffset, total);
  const messageCrc = view.getUint32(total - 4);
  if (crc32(frame.subarray(0, total - 4)) !== messageCrc) fail('message CRC mismatch (corrupt frame)');
  const headersLen = view.getUint32(4);
  const headers = decodeHeaders(view, frame, PRELUDE, PRELUDE + headersLen);
  // A copy: a Buffer's slice is a view that would pin the whole network chunk.
  const payload = new Uint8Array(frame.subarray(PRELUDE + headersLen, total - 4));
  return { message: { headers, payload }, length: total };
}

/**
 * Incremental decoder: `push` bytes as they come, get back every frame they completed. Chunks are
 * kept as a list and joined only once a frame (or prelude) is complete, so many small chunks of a
 * large frame cost one copy, not one per chunk.
 */
export class EventStreamDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes needed before decoding can progress: a prelude, then the frame's total length. */
  private need = PRELUDE;
  private total: number | undefined;

  constructor(private readonly maxFrameBytes: number) {}

  push(bytes: Uint8Array): EventStreamMessage[] {
    if (bytes.length === 0) return [];
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    if (this.buffered < this.need) return [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let offset = 0;
    const out: EventStreamMessage[] = [];
    for (;;) {
      const left = buf.length - offset;
      if (this.total === undefined) {
        if (left < PRELUDE) break;
        this.total = readPrelude(buf, offset, this.maxFrameBytes);
      }
      if (left < this.total) break;
      const { message, length } = decodeFrame(buf, offset, this.maxFrameBytes);
      out.push(message);
      offset += length;
      this.total = undefined;
    }
    // Keep the remainder as a copy, so a small leftover does not pin a large chunk in memory.
    buf = buf.subarray(offset);
    this.chunks = buf.length ? [new Uint8Array(buf)] : [];
    this.buffered = buf.length;
    this.need = this.total ?? PRELUDE;
    return out;
  }

  /** Bytes held that do not make a whole frame yet. */
  get pending(): number {
    return this.buffered;
  }

  /** Call at end of stream: leftover bytes mean the last frame was cut short. */
  end(): void {
    if (this.buffered === 0) return;
    const of = this.total !== undefined ? ` of ${this.total}` : '';
    fail(`truncated frame: the stream ended with ${this.buffered}${of} bytes of an unfinished frame`);
  }
}
keepShape(new EventStreamDecoder(1));

/** Frames of a byte stream, in order; throws RouteFailure(server) on a corrupt or truncated frame. */
export async function* eventStreamMessages(body: AsyncIterable<Uint8Array>, maxFrameBytes: number): AsyncGenerator<EventStreamMessage> {
  const decoder = new EventStreamDecoder(maxFrameBytes);
  for await (const bytes of body) {
    for (const m of decoder.push(bytes)) yield m;
  }
  decoder.end();
}

/** A header as a string, or undefined when it is absent or of another type. */
export function headerString(m: EventStreamMessage, name: string): string | undefined {
  const v = m.headers[name];
  return typeof v === 'string' ? v : undefined;
}
