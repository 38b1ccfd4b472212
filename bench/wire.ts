/**
 * Pre-encoded streamed answers in each family's real wire format, for timing the stream transforms
 * with no network in the way. The OpenAI-compatible and Bedrock bytes come from the simulators'
 * own encoders; Anthropic and Gemini follow the documented event sequences.
 */
import { buildAnswer, streamPlan } from '../src/sim/openai-wire';
import { eventFrame } from '../src/sim/eventstream-encode';

export type Family = 'openai-compatible' | 'anthropic' | 'gemini' | 'bedrock';

/** The provider whose adapter handles each family, and the native model it is called with. */
export const FAMILY_ROUTE: Record<Family, { provider: 'openai' | 'anthropic' | 'google-ai-studio' | 'amazon-bedrock'; nativeModel: string }> = {
  'openai-compatible': { provider: 'openai', nativeModel: 'gpt-4o-mini' },
  anthropic: { provider: 'anthropic', nativeModel: 'claude-sonnet-4-5' },
  gemini: { provider: 'google-ai-studio', nativeModel: 'gemini-2.5-flash' },
  bedrock: { provider: 'amazon-bedrock', nativeModel: 'anthropic.claude-sonnet-4-5-20250929-v1:0' },
};

/** Word-sized deltas, like a model streaming prose. */
export function words(n: number): string[] {
  const vocab = ['The ', 'router ', 'streams ', 'each ', 'token ', 'as ', 'it ', 'arrives, ', 'and ', 'nothing ', 'waits.\n'];
  return Array.from({ length: n }, (_, i) => vocab[i % vocab.length]!);
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

export function openaiStream(n: number): Buffer {
  let id = 0;
  const answer = buildAnswer({
    flavor: 'openai',
    script: { text: words(n) },
    request: { messages: [{ role: 'user', content: 'Say hello' }], stream: true, stream_options: { include_usage: true } },
    model: 'gpt-4o-mini',
    defaultText: '',
    nextId: (p) => `${p}bench${++id}`,
  });
  const plan = streamPlan('openai', answer, { stream: true, stream_options: { include_usage: true } }, {});
  return Buffer.concat([...plan.chunks, ...(plan.trailer ?? [])].map((f) => (typeof f === 'string' ? utf8(f) : Buffer.from(f))));
}

export function anthropicStream(n: number): Buffer {
  const ev = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const parts = [
    ev('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_bench01',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', { type: 'ping' }),
  ];
  for (const w of words(n)) parts.push(ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } }));
  parts.push(
    ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
    ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: n } }),
    ev('message_stop', { type: 'message_stop' }),
  );
  return utf8(parts.join(''));
}

/** Gemini's `alt=sse` stream: CRLF-delimited events, running usage totals on every event. */
export function geminiStream(n: number): Buffer {
  const ws = words(n);
  const parts = ws.map((w, i) => {
    const last = i === ws.length - 1;
    const o = {
      candidates: [{ content: { parts: [{ text: w }], role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
      usageMetadata: { promptTokenCount: 12, candidatesTokenCount: i + 1, totalTokenCount: 13 + i },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'bench-response-01',
    };
    return `data: ${JSON.stringify(o)}\r\n\r\n`;
  });
  return utf8(parts.join(''));
}

export function bedrockStream(n: number): Buffer {
  const frames = [eventFrame('messageStart', { p: 'abcdefgh', role: 'assistant' })];
  for (const w of words(n)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: w }, p: 'abcdefghijkl' }));
  frames.push(
    eventFrame('contentBlockStop', { contentBlockIndex: 0, p: 'abcd' }),
    eventFrame('messageStop', { stopReason: 'end_turn', p: 'abcdefgh' }),
    eventFrame('metadata', { usage: { inputTokens: 12, outputTokens: n, totalTokens: 12 + n }, metrics: { latencyMs: 42 }, p: 'ab' }),
  );
  return Buffer.concat(frames);
}

export const ENCODERS: Record<Family, (n: number) => Buffer> = {
  'openai-compatible': openaiStream,
  anthropic: anthropicStream,
  gemini: geminiStream,
  bedrock: bedrockStream,
};

/** Cuts a body into reads of `size` bytes, as a socket would hand them over (events split across reads). */
export function slices(body: Buffer, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < body.length; i += size) out.push(body.subarray(i, Math.min(body.length, i + size)));
  return out;
}

/** An async body over prepared reads, the shape undici hands the adapters. */
export function bodyOf(reads: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const r of reads) yield r;
    },
  };
}
