/**
 * Server-sent events over a byte stream, with eventsource-parser doing the spec work (comments,
 * multi-line data, CRLF/CR, `event:` names) and a bound on how much one event may buffer.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { routeError, RouteFailure } from '../errors';

export type SseEvent = EventSourceMessage;

export async function* sseEvents(body: AsyncIterable<Uint8Array>, maxEventBytes: number): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  let queue: SseEvent[] = [];
  let failure: RouteFailure | undefined;
  const parser = createParser({
    maxBufferSize: maxEventBytes,
    onEvent: (e) => void queue.push(e),
    onError: (e) => {
      if ((e as { type?: string }).type === 'max-buffer-size-exceeded') {
        failure = new RouteFailure(routeError('server', `a stream event exceeded the ${maxEventBytes}-byte limit`));
      }
    },
  });
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (failure) throw failure;
    if (queue.length) {
      const ready = queue;
      queue = [];
      for (const e of ready) yield e;
    }
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  if (failure) throw failure;
  for (const e of queue) yield e;
}

/** JSON.parse that turns a malformed frame into a RouteError instead of a SyntaxError. */
export function parseJsonFrame(data: string, provider: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new RouteFailure(routeError('server', `${provider} sent a malformed stream frame (invalid JSON)`));
  }
}
