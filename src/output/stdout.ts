/**
 * Writing to stdout that survives a closed pipe: `live-cli … | head -1` closes our stdout early, and
 * the EPIPE that follows must end the run quietly instead of crashing with a stack trace. Any other
 * write error (`> /dev/full`: ENOSPC) is kept as `failure`, and the run exits 7 saying so.
 */
import type { Writable } from 'node:stream';
import { StreamRedactor } from '../core/redact.js';

export interface LineWriter {
  write(text: string): void;
  /** Resolves once everything written so far has been handed to the OS (or the pipe is gone). */
  drain(): Promise<void>;
  /** The reader went away (EPIPE) or a write failed: nothing more is written. */
  readonly broken: boolean;
  /** A write failure that is not a closed pipe (ENOSPC on a full disk, EIO, …): output was lost. */
  readonly failure: NodeJS.ErrnoException | undefined;
}

export function createLineWriter(stream: Writable, onBroken: () => void): LineWriter {
  let broken = false;
  // Everything we print passes here: a key a server echoed back (in a transcript, an error) is masked.
  const redactor = new StreamRedactor();
  let failure: NodeJS.ErrnoException | undefined;
  const markBroken = (): void => {
    if (broken) return;
    broken = true;
    onBroken();
  };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // A closed pipe is the reader's choice (`| head`); anything else loses output the user expects.
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') failure ??= error;
    markBroken();
  });
  return {
    get broken() {
      return broken;
    },
    get failure() {
      return failure;
    },
    write(text: string) {
      if (broken) return;
      const safe = redactor.push(text);
      if (safe.length > 0) stream.write(safe);
    },
    drain() {
      if (broken) return Promise.resolve();
      const rest = redactor.flush();
      if (rest.length > 0) stream.write(rest);
      // A file's stream writes synchronously but reports its error a tick later: wait for that.
      if (stream.writableLength === 0) return new Promise((resolve) => setImmediate(resolve));
      return new Promise((resolve) => {
        stream.once('drain', () => resolve());
        stream.once('error', () => resolve());
      });
    },
  };
}
