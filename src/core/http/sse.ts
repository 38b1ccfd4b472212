/**
 * Server-sent events over a byte stream, with eventsource-parser doing the spec work (comments,
 * multi-line data, CRLF/CR, `event:` names) and a bound on how much one event may buffer.
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { routeError, RouteFailure } from '../errors';
import { keepShape } from '../keep-shape';

export type SseEvent = EventSourceMessage;

/**
 * The decoding behind `sseEvents`, without the generator: bytes in, complete events out. A stream
 * transform that loops over the body itself saves one async-generator hop per event this way.
 */
export class SseDecoder {
  // Node's StringDecoder, not TextDecoder: a streaming TextDecoder goes through ICU, 3–4× the
  // cost per read, and at concurrency 50 a stream is read a few chunks at a time.
  private readonly decoder = new StringDecoder('utf8');
  /** Nothing decoded yet: a byte-order mark at the start is dropped, as EventSource does. */
  private first = true;
  private queue: SseEvent[] = [];
  private failure: RouteFailure | undefined;
  private readonly parser: EventSourceParser;

  constructor(maxEventBytes: number) {
    this.parser = createParser({
      maxBufferSize: maxEventBytes,
      onEvent: (e) => void this.queue.push(e),
      onError: (e) => {
        if ((e as { type?: string }).type === 'max-buffer-size-exceeded') {
          this.failure = new RouteFailure(routeError('server', `a stream event exceeded the ${maxEventBytes}-byte limit`));
        }
      },
    });
  }

  /** Events completed by these bytes. Throws RouteFailure when one grows past the limit. */
  push(bytes: Uint8Array): SseEvent[] {
    let text = this.decoder.write(bytes);
    if (this.first && text) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.parser.feed(text);
    return this.take();
  }

  /** At the end of the body: whatever a last unterminated event held. */
  end(): SseEvent[] {
    this.parser.feed(this.decoder.end());
    this.parser.reset({ consume: true });
    return this.take();
  }

  private take(): SseEvent[] {
    if (this.failure) throw this.failure;
    if (!this.queue.length) return NONE;
    const ready = this.queue;
    this.queue = [];
    return ready;
  }
}

const NONE: SseEvent[] = [];
keepShape(new SseDecoder(1));

export async function* sseEvents(body: AsyncIterable<Uint8Array>, maxEventBytes: number): AsyncGenerator<SseEvent> {
  const sse = new SseDecoder(maxEventBytes);
  for await (const bytes of body) {
    for (const e of sse.push(bytes)) yield e;
  }
  for (const e of sse.end()) yield e;
}

/** JSON.parse that turns a malformed frame into a RouteError instead of a SyntaxError. */
export function parseJsonFrame(data: string, provider: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new RouteFailure(routeError('server', `${provider} sent a malformed stream frame (invalid JSON)`));
  }
}
