import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedAudio } from '../helpers/cli.js';

export type Record_ = Record<string, unknown> & { type: string };

/** `seconds` of 16 kHz speech: hello-16k.pcm (4 s of speech) and 3 s of silence, repeated. */
export function speechFile(dir: string, seconds: number): { path: string; bytes: number; sha256: string } {
  const hello = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
  const silence = Buffer.alloc(3 * 16_000 * 2);
  const parts: Buffer[] = [];
  let length = 0;
  while (length < seconds * 32_000) {
    parts.push(hello, silence);
    length += hello.length + silence.length;
  }
  const data = Buffer.concat(parts);
  const path = join(dir, `speech-${seconds}s.pcm`);
  writeFileSync(path, data);
  return { path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

export function readReport(path: string): Record_[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record_);
}

/**
 * The model's replies as the client delivered them: output text of each model turn, by the turn
 * that ends it. `complete` turns ended with a plain turn.complete (not interrupted, not cut).
 */
export function deliveredReplies(events: Record_[]): Array<{ text: string; complete: boolean; conn: number }> {
  const replies: Array<{ text: string; complete: boolean; conn: number }> = [];
  let text = '';
  let interrupted = false;
  for (const event of events) {
    if (event.type === 'transcript.output' || event.type === 'text') text += String(event.text);
    if (event.type === 'interrupted') interrupted = true;
    if (event.type === 'turn.complete') {
      if (text) replies.push({ text, complete: !interrupted && event.reason === undefined, conn: event.conn as number });
      text = '';
      interrupted = false;
    }
  }
  return replies;
}

/** No event from a connection after a newer one opened (late frames are dropped). */
export function connNeverGoesBack(events: Record_[]): boolean {
  let newest = 0;
  for (const event of events) {
    const conn = event.conn as number;
    if (event.type === 'session.open') newest = Math.max(newest, conn);
    if (conn !== 0 && conn < newest && event.type !== 'session.end') return false;
  }
  return true;
}
