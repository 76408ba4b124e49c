import { CliError } from './errors.js';
import type { EventStream, LiveEvent } from './events.js';
import type { LiveSessionHandle } from '../live/types.js';

export interface HeadlessChatOptions {
  session: LiveSessionHandle;
  events: EventStream;
  /** Text turns in order: `--text` values first, then stdin lines. */
  texts: AsyncIterable<string>;
  turnTimeoutMs: number;
  /** Aborted by a signal or a broken stdout: stop sending, return quietly. */
  signal: AbortSignal;
}

/**
 * The headless conversation: each text turn is sent, then its model turn is awaited, so replies
 * never interleave and a script reading stdout sees them in order. Returns when the input is
 * exhausted; throws a CliError when the session is lost or a reply does not come in time.
 */
export async function runHeadlessChat(options: HeadlessChatOptions): Promise<void> {
  const { session, events, texts, turnTimeoutMs, signal } = options;
  // A session that ends while we wait for input or a reply must end the wait too.
  const sessionEnded = session.closed.then(
    () => 'closed' as const,
    (error: unknown) => Promise.reject(error instanceof Error ? error : new Error(String(error))),
  );
  sessionEnded.catch(() => undefined);

  for await (const text of texts) {
    if (signal.aborted) return;
    const trimmed = text.trim();
    if (trimmed.length === 0) continue;
    const turnDone = waitForTurn(events, turnTimeoutMs, signal);
    events.emit({ type: 'user.text', text: trimmed, conn: session.conn });
    session.sendText(trimmed);
    const outcome = await Promise.race([turnDone.promise, sessionEnded]).finally(turnDone.cancel);
    if (outcome === 'closed') {
      throw new CliError('protocol', 'the session closed before the model finished its turn');
    }
    if (outcome === 'aborted') return;
  }
}

function waitForTurn(
  events: EventStream,
  timeoutMs: number,
  signal: AbortSignal,
): { promise: Promise<'done' | 'aborted'>; cancel: () => void } {
  let cancel = (): void => undefined;
  const promise = new Promise<'done' | 'aborted'>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new CliError(
          'timeout',
          `no reply from the model within ${timeoutMs / 1000} s; raise --turn-timeout if replies are slow`,
        ),
      );
    }, timeoutMs);
    const onAbort = (): void => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    const off = events.on((event: LiveEvent) => {
      // A turn cut short by a lost connection is not an answer: the session's own failure follows.
      if (event.type === 'turn.complete' && event.reason !== 'connection-lost') resolve('done');
    });
    cancel = () => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
    };
  });
  return { promise, cancel };
}
