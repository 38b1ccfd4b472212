/**
 * The end of a stream is the family's end event ([DONE], messageStop + metadata), not the socket's
 * close: a server may keep the socket open, or keep sending comments, after the answer is over.
 */

/** How long a stream that said it is over may take to close before its connection is released. */
export const DRAIN_AFTER_END_MS = 50;

/** Reads what is left of a finished body for at most `ms`: enough to see the close that usually follows. */
export async function drainBriefly<T>(it: AsyncIterator<T>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, ms, 'late')));
  try {
    for (;;) {
      const next = it.next();
      next.catch(() => undefined); // abandoned when late: its rejection on release is expected
      const r = await Promise.race([next, late]);
      if (r === 'late' || r.done) return;
    }
  } catch {
    /* the rest of a finished answer does not matter */
  } finally {
    clearTimeout(timer);
  }
}
