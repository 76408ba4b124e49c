import { CliError } from './errors.js';
import type { EventStream, LiveEvent } from './events.js';
import { ReplyTracker } from './audio-turns.js';
import { pumpAudio } from './audio-pump.js';
import { ToolTurnTracker } from './tool-turns.js';
import type { PcmChunk } from '../audio/pcm.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { LiveSessionHandle } from '../live/types.js';

export interface HeadlessChatOptions {
  session: LiveSessionHandle;
  events: EventStream;
  /** Text turns in order: `--text` values first, then stdin lines. */
  texts: AsyncIterable<string>;
  /**
   * Audio input alongside the text turns (`--input FILE|-|mic`). `manualActivity` (push-to-talk:
   * the server detects no activity) brackets the whole input as one utterance.
   */
  audio?: { source: AudioSource; onAudio?: (chunk: PcmChunk) => void; manualActivity?: boolean };
  turnTimeoutMs: number;
  /** Aborted by a signal or a broken stdout: stop sending, return quietly. */
  signal: AbortSignal;
  /** Quiet time after the audio input ends with nothing owed before we call it done. */
  settleMs?: number;
}

/**
 * The headless conversation: each text turn is sent, then its model turn is awaited, so replies
 * never interleave and a script reading stdout sees them in order. Audio input streams alongside;
 * once it ends (`audioStreamEnd`) the replies it caused are awaited for up to the turn timeout.
 * Reconnects are the session's business: waits go on across them (a reply cut by a lost connection
 * is answered on the next one). Returns when every input is exhausted; throws a CliError when the
 * session is lost for good or a text reply does not come in time.
 */
export async function runHeadlessChat(options: HeadlessChatOptions): Promise<void> {
  const { session, events, signal } = options;
  // A session that ends while we wait must end the wait too: closing on purpose resolves, a lost
  // connection rejects with its CliError.
  const sessionEnded = session.closed.then(() => 'closed' as const);
  sessionEnded.catch(() => undefined);
  const tracker = new ReplyTracker(events, options.settleMs ?? 1500);
  const tools = new ToolTurnTracker(events);
  try {
    const work: Array<Promise<unknown>> = [runTextTurns(options, sessionEnded, tools)];
    if (options.audio) work.push(runAudio(options, options.audio, tracker, sessionEnded, tools));
    await Promise.all(work);
  } finally {
    tracker.dispose();
    tools.dispose();
  }
  if (signal.aborted) return;
}

async function runTextTurns(options: HeadlessChatOptions, sessionEnded: Promise<'closed'>, tools: ToolTurnTracker): Promise<void> {
  const { session, events, texts, turnTimeoutMs, signal } = options;
  for await (const text of texts) {
    if (signal.aborted) return;
    const trimmed = text.trim();
    if (trimmed.length === 0) continue;
    const turnDone = waitForTurn(events, turnTimeoutMs, signal, tools);
    events.emit({ type: 'user.text', text: trimmed, conn: session.conn });
    session.sendText(trimmed);
    const outcome = await Promise.race([turnDone.promise, sessionEnded]).finally(turnDone.cancel);
    if (outcome === 'closed') throw new CliError('protocol', 'the session closed before the model finished its turn');
    if (outcome === 'aborted') return;
  }
}

async function runAudio(
  options: HeadlessChatOptions,
  audio: NonNullable<HeadlessChatOptions['audio']>,
  tracker: ReplyTracker,
  sessionEnded: Promise<'closed'>,
  tools: ToolTurnTracker,
): Promise<void> {
  const { session, signal, turnTimeoutMs } = options;
  if (audio.manualActivity) session.sendActivityStart?.();
  const pumped = pumpAudio(audio.source, session, signal, audio.onAudio).then((result) => {
    if (audio.manualActivity && !signal.aborted) session.sendActivityEnd?.();
    return result;
  });
  // The source fails (bad file, recorder died) or the session ends: whichever comes first.
  await Promise.race([pumped, sessionEnded.then(() => undefined)]);
  if (signal.aborted) return;
  tracker.touch();
  const busy = (): boolean => session.busy === true || !tools.idle;
  const settled = await Promise.race([tracker.settled(turnTimeoutMs, signal, busy), sessionEnded]);
  if (settled === false && tracker.pending) {
    throw new CliError(
      'timeout',
      `the reply to the audio input did not finish within ${turnTimeoutMs / 1000} s; raise --turn-timeout if replies are slow`,
    );
  }
}

/**
 * How long a finished turn waits, quiet, for the model to answer a NON_BLOCKING result: the model
 * may decide to say nothing, and a script must not hang on it.
 */
const OWED_REPLY_GRACE_MS = 8_000;

/**
 * Resolves once the model's turn has completed and tools owe nothing more (a running call, or the
 * turn that answers a NON_BLOCKING result, for up to OWED_REPLY_GRACE_MS of quiet).
 */
function waitForTurn(
  events: EventStream,
  timeoutMs: number,
  signal: AbortSignal,
  tools: ToolTurnTracker,
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
    let turnDone = false;
    let grace: NodeJS.Timeout | undefined;
    const off = events.on((event: LiveEvent) => {
      // A turn cut short by a lost connection is not an answer: the resilient session re-sends
      // the unanswered text on the next connection and the real answer follows (or the session
      // fails, which ends the wait through `sessionEnded`).
      if (event.type === 'turn.complete' && event.reason !== 'connection-lost') turnDone = true;
      // The tracker subscribed first, so it has already seen this event.
      clearTimeout(grace);
      if (turnDone && tools.idle) resolve('done');
      else if (turnDone && !tools.running) grace = setTimeout(() => resolve('done'), OWED_REPLY_GRACE_MS);
    });
    cancel = () => {
      clearTimeout(grace);
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
    };
  });
  return { promise, cancel };
}
