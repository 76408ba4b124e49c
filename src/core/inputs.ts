import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * The text turns of a headless run: `--text` values first, in order, then one turn per line of
 * `stdin` when it is given. Lines are pulled lazily, so a slow producer on the other end of a pipe
 * is read as it writes.
 */
export async function* textTurns(texts: readonly string[], stdin: Readable | undefined): AsyncGenerator<string> {
  yield* texts;
  if (!stdin) return;
  const lines = createInterface({ input: stdin, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
  }
}
