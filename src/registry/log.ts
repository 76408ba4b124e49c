/**
 * The session log (`sessions/<id>.jsonl`) and the record updates that ride on the event stream.
 *
 * Every event is appended as one NDJSON line (the `--json` form: `serializeEvent`, so never `pcm`,
 * and redacted) with a synchronous `write(2)` the moment it arrives: a crash loses at most the
 * line in flight. The one exception is `audio`: a reply arrives as a chunk every 20–80 ms, so
 * consecutive `audio` events of one connection and rate are merged into a single `audio` line
 * (bytes and ms summed, `chunks` counted, `t` of the first chunk), written when any other event
 * arrives or the log closes. The hot path for audio is then a few additions.
 *
 * The record follows the conversation: each `resumption` while resumable sets `lastHandle`,
 * `handleIssuedAt` and `resumable`; the user's first words (a `user.text`, or the first
 * `transcript.input` pieces once the user's turn is over or ~60 characters long) set `firstWords`;
 * `session.end` (or closing without one) sets `endedAt`.
 *
 * With `log: false` (`--no-log`) no log file is written, and only what resuming needs is recorded:
 * the handle and the times, not the first words.
 *
 * A failing disk never breaks the session: every write is caught, the log stops after its first
 * failure, and `onError` hears about the first failure only.
 */
import { closeSync, fstatSync, fsync, readSync, writeSync } from 'node:fs';
import type { EventStream, LiveEvent } from '../core/events.js';
import { redact } from '../core/redact.js';
import { serializeEvent } from '../output/ndjson.js';
import { openPrivateAppend } from './paths.js';
import { firstWordsOf, FIRST_WORDS_LENGTH, type SessionPatch } from './record.js';
import type { SessionRegistry } from './store.js';

export interface SessionLogOptions {
  /** False for `--no-log`: no log file, no first words; the handle is still recorded. */
  log: boolean;
  /** Told about the first failed write (e.g. to print one warning on stderr). */
  onError?: (error: Error) => void;
  /** The wall clock for `handleIssuedAt` / `endedAt` (tests). */
  now?: () => number;
}

export interface SessionLog {
  /** Writes what is pending, stops listening, sets `endedAt` if no `session.end` did, and closes the file. */
  close(): Promise<void>;
}

/** The merged form of consecutive `audio` events, as written to the log. */
interface AudioRun {
  type: 'audio';
  t: number;
  conn: number;
  bytes: number;
  sampleRate: number;
  ms: number;
  chunks: number;
}

/** Events after which the user's transcribed words so far are a whole first thought. */
const USER_TURN_OVER: ReadonlySet<LiveEvent['type']> = new Set<LiveEvent['type']>([
  'transcript.output',
  'text',
  'thought',
  'generation.complete',
  'turn.complete',
  'session.close',
  'session.end',
]);

export function attachSessionLog(events: EventStream, registry: SessionRegistry, id: string, options: SessionLogOptions): SessionLog {
  const now = options.now ?? Date.now;
  let failed = false;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };

  let fd: number | undefined;
  if (options.log) {
    try {
      registry.ensureDirs();
      fd = openPrivateAppend(registry.logPath(id));
      endWithNewline(fd);
    } catch (error) {
      fd = undefined;
      fail(error);
    }
  }

  const writeLine = (line: string): void => {
    if (fd === undefined) return;
    try {
      writeSync(fd, redact(line) + '\n');
    } catch (error) {
      closeQuietly(fd);
      fd = undefined;
      fail(error);
    }
  };

  const updateRecord = (patch: SessionPatch): void => {
    try {
      registry.update(id, patch);
    } catch (error) {
      fail(error);
    }
  };

  let audio: AudioRun | undefined;
  const flushAudio = (): void => {
    if (!audio) return;
    writeLine(JSON.stringify({ ...audio, ms: Math.round(audio.ms * 10) / 10 }));
    audio = undefined;
  };

  // First words: wait for a whole thought rather than the first transcription fragment.
  let wantWords = options.log && registry.get(id)?.firstWords === undefined;
  let heard = '';
  const settleWords = (text: string): void => {
    const words = firstWordsOf(text);
    if (words.length === 0) return;
    wantWords = false;
    heard = '';
    updateRecord({ firstWords: words });
  };

  let ended = false;
  const onEvent = (event: LiveEvent): void => {
    if (event.type === 'audio') {
      if (fd === undefined) return;
      if (audio && (audio.conn !== event.conn || audio.sampleRate !== event.sampleRate)) flushAudio();
      audio ??= { type: 'audio', t: event.t, conn: event.conn, bytes: 0, sampleRate: event.sampleRate, ms: 0, chunks: 0 };
      audio.bytes += event.bytes;
      audio.ms += event.ms;
      audio.chunks += 1;
      return;
    }
    flushAudio();
    writeLine(serializeEvent(event));

    if (wantWords) {
      if (event.type === 'transcript.input') {
        heard += event.text;
        if (heard.trim().length >= FIRST_WORDS_LENGTH) settleWords(heard);
      } else if (event.type === 'user.text') {
        settleWords(heard.trim().length > 0 ? heard : event.text);
      } else if (heard.trim().length > 0 && USER_TURN_OVER.has(event.type)) {
        settleWords(heard);
      }
    }
    if (event.type === 'resumption' && event.resumable) {
      updateRecord({ lastHandle: event.handle, handleIssuedAt: new Date(now()).toISOString(), resumable: true });
    } else if (event.type === 'session.end') {
      ended = true;
      updateRecord({ endedAt: new Date(now()).toISOString() });
    }
  };
  const unsubscribe = events.on(onEvent);

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        unsubscribe();
        flushAudio();
        if (wantWords && heard.trim().length > 0) settleWords(heard);
        if (!ended) updateRecord({ endedAt: new Date(now()).toISOString() });
        const open = fd;
        fd = undefined;
        if (open === undefined) return;
        await new Promise<void>((resolve) => fsync(open, () => resolve()));
        closeQuietly(open);
      })();
      return closing;
    },
  };
}

/**
 * A log whose writer was killed mid-line ends without a newline; appending straight after it would
 * glue the next event onto the torn one and lose both. Start on a fresh line instead.
 */
function endWithNewline(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  // The fd is opened for appending, so read at an explicit position.
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) writeSync(fd, '\n');
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or the disk is gone: nothing more to do
  }
}
