/**
 * Reading the JSON-lines activity files from the end, so a "latest N" query touches only the tail
 * of a 5 MiB file, and decoding each line leniently: one bad line costs that line, never its
 * neighbours or the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { generationSchema, type GenerationRecord } from './record';

const NL = 0x0a;

export interface RawLine {
  text: string;
  /** No newline followed it: the writer was killed mid-line, or (in the live file) is still writing. */
  unterminated: boolean;
}

/**
 * Lines of the first `size` bytes of a file, last line first. Splits on bytes, not characters, so a
 * chunk boundary inside a multi-byte character cannot garble it.
 */
export async function* linesFromEnd(file: FileHandle, size: number, chunkBytes = 64 * 1024): AsyncGenerator<RawLine> {
  let end = size;
  let carry: Buffer[] = [];
  let sawNewline = false;
  while (end > 0) {
    const start = Math.max(0, end - chunkBytes);
    const buf = Buffer.allocUnsafe(end - start);
    let got = 0;
    // A short read means the file shrank under us (rotated files are never truncated, so only a
    // foreign writer does that); whatever was read is still worth decoding.
    while (got < buf.length) {
      const { bytesRead } = await file.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const chunk = got === buf.length ? buf : buf.subarray(0, got);
    let stop = chunk.length;
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== NL) continue;
      const tail = chunk.subarray(i + 1, stop);
      const parts = carry.length ? [tail, ...carry] : [tail];
      carry = [];
      const text = Buffer.concat(parts).toString('utf8');
      // Only the segment after the file's last newline lacks one of its own.
      if (text.length) yield { text, unterminated: !sawNewline };
      sawNewline = true;
      stop = i;
    }
    if (stop > 0) carry.unshift(chunk.subarray(0, stop));
    end = start;
  }
  if (carry.length) yield { text: Buffer.concat(carry).toString('utf8'), unterminated: !sawNewline };
}

/** Every record is written with `v` as its first key, so this marks where a record line starts. */
export const RECORD_START = '{"v":';

export type Decoded = { record: GenerationRecord; corrupt: number } | { record: undefined; corrupt: number };

/**
 * One line to a record. When a writer died mid-line and the next append landed on the same line,
 * the glued remainder still holds a whole record after the last record start: keep it, count the
 * wreck before it.
 */
export function decodeLine(text: string): Decoded {
  const trimmed = text.trim();
  if (!trimmed) return { record: undefined, corrupt: 0 };
  const whole = parseRecord(trimmed);
  if (whole) return { record: whole, corrupt: 0 };
  const at = trimmed.lastIndexOf(RECORD_START);
  if (at > 0) {
    const tail = parseRecord(trimmed.slice(at));
    if (tail) return { record: tail, corrupt: 1 };
  }
  return { record: undefined, corrupt: 1 };
}

function parseRecord(text: string): GenerationRecord | undefined {
  const checked = checkRecordJson(text);
  return 'record' in checked ? checked.record : undefined;
}

/** A record's JSON checked against the schema: the record as stored, or what is wrong with it. */
export function checkRecordJson(text: string): { record: GenerationRecord } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const parsed = generationSchema.safeParse(json);
  if (parsed.success) return { record: parsed.data };
  return { problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ') };
}

/** The line a record is stored as: `v` first (see RECORD_START), newline-terminated. */
export function encodeRecord(record: GenerationRecord): Buffer {
  const { v, ...rest } = record;
  return Buffer.from(`${JSON.stringify({ v, ...rest })}\n`, 'utf8');
}
