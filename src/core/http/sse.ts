/**
 * Server-sent events over a byte stream, with eventsource-parser doing the spec work (comments,
 * multi-line data, CRLF/CR, `event:` names) and a bound on how much one event may buffer.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { routeError, RouteFailure } from '../errors';
import { keepShape } from '../keep-shape';

export type SseEvent = EventSourceMessage;

/**
 * The decoding behind `sseEvents`, without the generator: bytes in, complete events out. A stream
 * transform that loops over the body itself saves one async-generator hop per event this way.
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
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
    this.parser.feed(this.decoder.decode(bytes, { stream: true }));
    return this.take();
  }

  /** At the end of the body: whatever a last unterminated event held. */
  end(): SseEvent[] {
    this.parser.feed(this.decoder.decode());
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
