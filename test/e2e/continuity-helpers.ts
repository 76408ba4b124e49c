import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedAudio } from '../helpers/cli.js';

export type Record_ = Record<string, unknown> & { type: string };

/** `seconds` of 16 kHz speech: hello-16k.pcm (4 s of speech) and `silenceSeconds` (default 3) of silence, repeated. */
export function speechFile(dir: string, seconds: number, silenceSeconds = 3): { path: string; bytes: number; sha256: string } {
  const hello = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
  const silence = Buffer.alloc(Math.round(silenceSeconds * 16_000) * 2);
  const parts: Buffer[] = [];
  let length = 0;
  while (length < seconds * 32_000) {
    parts.push(hello, silence);
    length += hello.length + silence.length;
  }
  const data = Buffer.concat(parts);
  const path = join(dir, `speech-${seconds}s-${silenceSeconds}.pcm`);
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
 * A reply cut by a drop ends with reason connection-lost; when the resumed connection generates it
 * again, the client drops the part already shown and delivers the rest as the next turn. With
 * `startsReply` (how every reply of the test begins), a next turn that does not begin a reply is
 * that continuation, and the two are one reply: a repeated opening would still show as a reply
 * of its own, or as an opening inside one.
 */
export function deliveredReplies(events: Record_[], startsReply?: (text: string) => boolean): Array<{ text: string; complete: boolean; conn: number }> {
  const replies: Array<{ text: string; complete: boolean; conn: number; cut: boolean }> = [];
  let text = '';
  let interrupted = false;
  for (const event of events) {
    if (event.type === 'transcript.output' || event.type === 'text') text += String(event.text);
    if (event.type === 'interrupted') interrupted = true;
    if (event.type === 'turn.complete') {
      if (text) {
        const reply = { text, complete: !interrupted && event.reason === undefined, conn: event.conn as number, cut: event.reason === 'connection-lost' };
        const previous = replies.at(-1);
        if (startsReply && previous?.cut && !startsReply(text)) replies[replies.length - 1] = { ...reply, text: previous.text + text };
        else replies.push(reply);
      }
      text = '';
      interrupted = false;
    }
  }
  return replies.map(({ text: replyText, complete, conn }) => ({ text: replyText, complete, conn }));
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

/**
 * Like speechFile, but with a seeded ±3 LSB dither over every sample (about −80 dBFS: the
 * simulator's VAD hears the same speech and silence), so that every stretch of a few hundred bytes
 * occurs once in the file and a re-sent chunk can be placed exactly. `speech: false`: the dither
 * alone, which no voice detector hears (no turns, so handles come steadily).
 */
export function uniqueSpeechFile(
  dir: string,
  seconds: number,
  seed = 1,
  speech = true,
  silenceSeconds = 3,
): { path: string; data: Buffer; bytes: number } {
  const base = speech ? readFileSync(speechFile(dir, seconds, silenceSeconds).path) : Buffer.alloc(seconds * 32_000);
  const data = Buffer.from(base);
  let state = seed >>> 0 || 1;
  for (let offset = 0; offset + 1 < data.length; offset += 2) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const dither = (state >>> 29) - 3; // −3 … +4
    data.writeInt16LE(Math.max(-32_768, Math.min(32_767, data.readInt16LE(offset) + dither)), offset);
  }
  const path = join(dir, `unique-${speech ? 'speech' : 'quiet'}-${seconds}s-${seed}-${silenceSeconds}.pcm`);
  writeFileSync(path, data);
  return { path, data, bytes: data.length };
}

export interface KeptAudioAccount {
  /** Input bytes the server's kept audio lacks. */
  lostBytes: number;
  /** Kept bytes that repeat input already kept (re-sent audio the handle already held). */
  doubledBytes: number;
  /** Kept chunks found nowhere in the input. */
  foreignChunks: number;
  /** Each place where the kept audio goes back (doubled) or skips ahead (lost), in input bytes. */
  seams: Array<{ at: number; doubled: number; lost: number }>;
}

/**
 * Rebuilds what the simulator kept (its `kept-audio` dump: the PCM and the size of each message)
 * against the input, chunk by chunk: each kept chunk is found in the input (the input is unique,
 * see uniqueSpeechFile), and the walk notes where the kept audio repeats or skips input.
 */
export function accountKeptAudio(input: Buffer, keptFile: string): KeptAudioAccount {
  const kept = readFileSync(keptFile);
  const sizes = JSON.parse(readFileSync(keptFile.replace(/\.pcm$/, '.chunks.json'), 'utf8')) as number[];
  const account: KeptAudioAccount = { lostBytes: 0, doubledBytes: 0, foreignChunks: 0, seams: [] };
  let covered = 0;
  let offset = 0;
  for (const size of sizes) {
    const chunk = kept.subarray(offset, offset + size);
    offset += size;
    const sequential = input.subarray(covered, covered + size);
    let at = sequential.equals(chunk) ? covered : input.indexOf(chunk, Math.max(0, covered - 4 * 32_000));
    if (at === -1) at = input.indexOf(chunk);
    if (at === -1) {
      account.foreignChunks++;
      continue;
    }
    if (at > covered) {
      account.lostBytes += at - covered;
      account.seams.push({ at: covered, doubled: 0, lost: at - covered });
    } else if (at < covered) {
      const doubled = Math.min(covered, at + size) - at;
      account.doubledBytes += doubled;
      const last = account.seams.at(-1);
      if (last && last.at === covered && last.lost === 0) last.doubled += doubled;
      else account.seams.push({ at: covered, doubled, lost: 0 });
    }
    covered = Math.max(covered, at + size);
  }
  account.lostBytes += input.length - covered;
  return account;
}
