import { render, useStderr, useStdout } from 'ink';
import type { ReactNode } from 'react';
import type { ProgressSnapshot } from '../transcribe/progress.js';
import { ProgressBar } from './progress-bar.js';

export interface ProgressHandle {
  /**
   * Writes transcript text to `textStream` (stdout on the terminal the bar is drawn on) through
   * Ink, which clears the bar, writes the text and draws the bar again below it, so the bar never
   * overwrites a transcript line.
   */
  writeText(text: string): void;
  /** Writes a message (a warning, a file's error) to the bar's own stream, above the bar. */
  writeNote(text: string): void;
  /** Removes the bar from the terminal. */
  stop(): void;
}

/** Redraws at most this often: one shared timer, not a render per audio chunk. */
const REDRAW_MS = 200;

/** Hands Ink's "write beside the live output" function to code outside the tree. */
interface Writers {
  text: (data: string) => void;
  note: (data: string) => void;
}

function WriterBridge({ onWriters, children }: { onWriters: (writers: Writers) => void; children: ReactNode }) {
  onWriters({ text: useStderr().write, note: useStdout().write });
  return children;
}

/**
 * Draws the transcribe progress bar on `barStream` (stderr, a terminal) from `read()`, redrawn on
 * one timer; `stop()` clears it so the terminal is left as it was. Ink's own `stderr` slot is given
 * `textStream`: its `useStderr().write` is what keeps other output and the bar apart.
 */
export function startProgressBar(barStream: NodeJS.WriteStream, textStream: NodeJS.WriteStream, read: () => ProgressSnapshot): ProgressHandle {
  let writers: Writers | undefined;
  const tree = (): ReactNode => (
    <WriterBridge onWriters={(w) => (writers = w)}>
      <ProgressBar snapshot={read()} />
    </WriterBridge>
  );
  const instance = render(tree(), { stdout: barStream, stderr: textStream, exitOnCtrlC: false, patchConsole: false });
  const timer = setInterval(() => instance.rerender(tree()), REDRAW_MS);
  let stopped = false;
  return {
    writeText(text) {
      if (stopped || !writers) textStream.write(text);
      else writers.text(text);
    },
    writeNote(text) {
      if (stopped || !writers) barStream.write(text);
      else writers.note(text);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      instance.clear();
      instance.unmount();
    },
  };
}
