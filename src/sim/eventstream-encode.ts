/**
 * Encoder for AWS event stream frames (`application/vnd.amazon.eventstream`), for the Bedrock
 * simulator and the decoder tests. Independent of the decoder on purpose: it writes the layout of
 * the @smithy/eventstream-codec vector byte by byte, so a bug shared by both could not hide.
 */
import { crc32 } from 'node:zlib';

export type EncodableHeader =
  | string
  | { type: 'bool'; value: boolean }
  | { type: 'byte' | 'short' | 'integer'; value: number }
  | { type: 'long'; value: bigint }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'timestamp'; value: Date }
  | { type: 'uuid'; value: string };

/** A header value's type id followed by `size` bytes, which `write` fills from offset 1. */
function typed(typeId: number, size: number, write: (buf: Buffer) => void): Buffer {
  const buf = Buffer.alloc(1 + size);
  buf.writeUInt8(typeId, 0);
  write(buf);
  return buf;
}

function valueBytes(spec: Exclude<EncodableHeader, string>): Buffer {
  switch (spec.type) {
    case 'bool':
      return Buffer.from([spec.value ? 0 : 1]);
    case 'byte':
      return typed(2, 1, (b) => b.writeInt8(spec.value, 1));
    case 'short':
      return typed(3, 2, (b) => b.writeInt16BE(spec.value, 1));
    case 'integer':
      return typed(4, 4, (b) => b.writeInt32BE(spec.value, 1));
    case 'long':
      return typed(5, 8, (b) => b.writeBigInt64BE(spec.value, 1));
    case 'timestamp':
      return typed(8, 8, (b) => b.writeBigInt64BE(BigInt(spec.value.getTime()), 1));
    case 'uuid': {
      const hex = spec.value.replace(/-/g, '');
      if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a uuid: ${spec.value}`);
      return Buffer.concat([Buffer.from([9]), Buffer.from(hex, 'hex')]);
    }
    case 'bytes':
    case 'string': {
      const data = spec.type === 'bytes' ? Buffer.from(spec.value) : Buffer.from(spec.value, 'utf8');
      return Buffer.concat([typed(spec.type === 'bytes' ? 6 : 7, 2, (b) => b.writeUInt16BE(data.length, 1)), data]);
    }
  }
}

function headerBytes(name: string, h: EncodableHeader): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 255) throw new Error(`header name length ${nameBytes.length} out of range`);
  const head = Buffer.concat([Buffer.from([nameBytes.length]), nameBytes]);
  return Buffer.concat([head, valueBytes(typeof h === 'string' ? { type: 'string', value: h } : h)]);
}

/** One frame with the given headers (in insertion order) and payload. */
export function encodeFrame(headers: Record<string, EncodableHeader>, payload: Uint8Array | string = new Uint8Array()): Buffer {
  const h = Buffer.concat(Object.entries(headers).map(([name, value]) => headerBytes(name, value)));
  const p = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const total = 16 + h.length + p.length;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(h.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const body = Buffer.concat([prelude, h, p]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}

/** A ConverseStream event frame, header order as the smithy codec writes it. */
export function eventFrame(eventType: string, payload: unknown): Buffer {
  return encodeFrame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    typeof payload === 'string' ? payload : JSON.stringify(payload),
  );
}

/** A modelled exception inside a 200 stream (`throttlingException`, `validationException`, …). */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return encodeFrame({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

/** An unmodelled error: code and message travel as headers, the payload is empty. */
export function errorFrame(code: string, message: string): Buffer {
  return encodeFrame({ ':error-code': code, ':error-message': message, ':message-type': 'error' });
}

/** Copies a frame with one byte flipped: in the prelude CRC, or in the payload (message CRC then fails). */
export function corruptFrame(frame: Uint8Array, where: 'prelude-crc' | 'message-crc'): Buffer {
  const copy = Buffer.from(frame);
  const at = where === 'prelude-crc' ? 9 : copy.length - 5;
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
