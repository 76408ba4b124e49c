import { pumpAudio } from '../core/audio-pump.js';
import { CliError } from '../core/errors.js';
import { EventStream, type LiveEvent } from '../core/events.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { LiveSessionHandle } from '../live/types.js';
import { CompletionTracker, DEFAULT_COMPLETION, type CompletionTiming } from '../core/completion.js';
import { TranscriptCollector, type TranscriptSegment } from './segments.js';

/** 16 kHz s16le mono: bytes per ms of audio sent. */
const BYTES_PER_MS = 32;
/** How often the completion check runs once the stream has ended. */
const POLL_MS = 50;

export interface TranscribeFileOptions {
  source: AudioSource;
  /** Opens this file's own session, its events going to `events`. */
  openSession: (events: EventStream) => Promise<LiveSessionHandle>;
  /** Where this file's events go (NDJSON, …): the session's, with `offsetMs` on input pieces and `file` when set. */
  out: EventStream;
  /** Set on every event of a multi-file run. */
  file?: string;
  /** A segment is complete (or the run failed with it open): plain output, `--out`. */
  onSegment?: (segment: TranscriptSegment) => void;
  /** Audio sent so far, in ms. */
  onProgress?: (sentMs: number) => void;
  /** Overall limit from the start; when undefined, `afterEndTimeoutMs` counts from the stream end. */
  timeoutMs?: number;
  afterEndTimeoutMs?: number;
  timing?: CompletionTiming;
  signal: AbortSignal;
}

export interface FileTranscript {
  text: string;
  /** Duration of the 16 kHz audio sent. */
  audioMs: number;
  segments: TranscriptSegment[];
}

/**
 * One file through one session: the audio is streamed (converted to 16 kHz mono by pumpAudio),
 * `audioStreamEnd` follows, and the input transcription is collected until it is complete (see
 * CompletionTracker) or the timeout. The model's reply is never used: its audio is dropped here.
 * Emits `transcript.done` on success; throws a CliError on failure, after handing every segment
 * heard so far to `onSegment`.
 */
export async function transcribeFile(options: TranscribeFileOptions): Promise<FileTranscript> {
  const { source, out, file, signal } = options;
  const tag = file === undefined ? {} : { file };
  const collector = new TranscriptCollector();
  const tracker = new CompletionTracker(options.timing ?? DEFAULT_COMPLETION);
  let sentBytes = 0;
  const sentMs = (): number => Math.round(sentBytes / BYTES_PER_MS);
  let delivered = 0;
  const deliver = (segment: TranscriptSegment | undefined): void => {
    if (!segment) return;
    delivered++;
    options.onSegment?.(segment);
  };

  const inner = new EventStream();
  inner.on((event: LiveEvent) => {
    tracker.observe(event);
    switch (event.type) {
      case 'audio':
        return; // the reply is discarded
      case 'transcript.input': {
        const offsetMs = sentMs();
        collector.addPiece(event.text, offsetMs);
        out.emit({ ...event, offsetMs, ...tag });
        return;
      }
      case 'turn.complete':
        out.emit({ ...event, ...tag });
        deliver(collector.boundary());
        return;
      case 'resumption':
        if (event.resumable) collector.checkpoint();
        out.emit({ ...event, ...tag });
        return;
      case 'resumed':
        // The server went back to the handle and transcribes the unkept audio again.
        collector.rollback();
        out.emit({ ...event, ...tag });
        return;
      default:
        out.emit({ ...event, ...tag });
    }
  });

  const controller = new AbortController();
  const abort = (): void => controller.abort();
  signal.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const armTimeout = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ms);
  };
  if (options.timeoutMs !== undefined) armTimeout(options.timeoutMs);
  const timeoutError = (): CliError => {
    const limit = options.timeoutMs ?? options.afterEndTimeoutMs ?? 0;
    return new CliError('timeout', `the transcript was not complete within ${Math.round(limit / 1000)} s; raise --timeout`);
  };

  let session: LiveSessionHandle | undefined;
  try {
    session = await options.openSession(inner);
    const open = session;
    // Closing on purpose resolves `closed`; a session lost for good rejects with its CliError.
    const ended = open.closed.then(() => 'closed' as const);
    ended.catch(() => undefined);
    const pumped = pumpAudio(source, open, controller.signal, (chunk) => {
      sentBytes += chunk.data.length;
      options.onProgress?.(sentMs());
    });
    const pumpedDone = pumped.then(() => 'pumped' as const);
    pumpedDone.catch(() => undefined);
    const first = await Promise.race([pumpedDone, ended]);
    if (first === 'closed') throw new CliError('protocol', 'the session closed before the audio was sent');
    if (timedOut) throw timeoutError();
    if (controller.signal.aborted) throw new CliError('internal', 'interrupted');
    if (options.timeoutMs === undefined && options.afterEndTimeoutMs !== undefined) armTimeout(options.afterEndTimeoutMs);
    tracker.touch();
    const done = waitForCompletion(tracker, open, controller.signal);
    const outcome = await Promise.race([done, ended]);
    if (timedOut) throw timeoutError();
    if (outcome !== 'done') throw new CliError(outcome === 'closed' ? 'protocol' : 'internal', outcome === 'closed' ? 'the session closed before the transcript was complete' : 'interrupted');
    // The transcript's last piece may end in what could begin a key: held back until now.
    inner.flush();
    const segments = collector.finish();
    for (const segment of segments.slice(delivered)) deliver(segment);
    const result: FileTranscript = { text: collector.text, audioMs: sentMs(), segments };
    out.emit({ type: 'transcript.done', ...tag, text: result.text, audioMs: result.audioMs, segments: result.segments, conn: open.conn });
    return result;
  } catch (error) {
    // A failure keeps everything heard so far: the open segment goes out too.
    inner.flush();
    for (const segment of collector.finish().slice(delivered)) deliver(segment);
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
    await source.stop().catch(() => undefined);
    await session?.close().catch(() => undefined);
  }
}

async function waitForCompletion(tracker: CompletionTracker, session: LiveSessionHandle, signal: AbortSignal): Promise<'done' | 'aborted'> {
  while (!signal.aborted) {
    // A session replacing its connection still owes what the old one was transcribing.
    if (session.busy === true) tracker.touch();
    else if (tracker.state() === 'done') return 'done';
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return 'aborted';
}
