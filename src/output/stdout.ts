/**
 * Writing to stdout that survives a closed pipe: `live-cli … | head -1` closes our stdout early, and
 * the EPIPE that follows must end the run quietly instead of crashing with a stack trace.
 */
import type { Writable } from 'node:stream';

export interface LineWriter {
  write(text: string): void;
  /** Resolves once everything written so far has been handed to the OS (or the pipe is gone). */
  drain(): Promise<void>;
  readonly broken: boolean;
}

export function createLineWriter(stream: Writable, onBroken: () => void): LineWriter {
  let broken = false;
  const markBroken = (): void => {
    if (broken) return;
    broken = true;
    onBroken();
  };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') markBroken();
    else markBroken();
  });
  return {
    get broken() {
      return broken;
    },
    write(text: string) {
      if (broken) return;
      stream.write(text);
    },
    drain() {
      if (broken || stream.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => {
        stream.once('drain', () => resolve());
        stream.once('error', () => resolve());
      });
    },
  };
}
