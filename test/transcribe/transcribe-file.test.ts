import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { EventStream, type LiveEvent } from '../../src/core/events.js';
import type { AudioSource } from '../../src/audio/sources/types.js';
import type { LiveSessionHandle } from '../../src/live/types.js';
import type { TranscriptSegment } from '../../src/transcribe/segments.js';
import { transcribeFile } from '../../src/transcribe/transcribe-file.js';

/** One second of 16 kHz mono in 20 ms chunks. */
function oneSecond(): AudioSource {
  return {
    label: 'memory',
    durationMs: 1000,
    async *chunks() {
      for (let i = 0; i < 50; i++) {
        await Promise.resolve();
        yield { data: Buffer.alloc(640, 1), sampleRate: 16_000, channels: 1 };
      }
    },
    stop: () => Promise.resolve(),
  };
}

/** A session that hears one piece at the first audio and then does what `after` says at the stream end. */
function fakeSession(events: EventStream, after: 'turn' | 'lost' | 'hang'): LiveSessionHandle {
  let fail: (error: CliError) => void = () => undefined;
  let end: () => void = () => undefined;
  const closed = new Promise<void>((resolve, reject) => {
    fail = reject;
    end = resolve;
  });
  let heard = false;
  return {
    conn: 1,
    closed,
    sendText: () => undefined,
    sendAudio: () => {
      if (!heard) events.emit({ type: 'transcript.input', text: 'hello', conn: 1 });
      heard = true;
    },
    sendAudioStreamEnd: () => {
      if (after === 'hang') return;
      if (after === 'lost') {
        setTimeout(() => fail(new CliError('protocol', 'connection lost for good')), 5);
        return;
      }
      events.emit({ type: 'transcript.input', text: ' there', conn: 1 });
      events.emit({ type: 'turn.complete', conn: 1 });
    },
    close: () => {
      end();
      return Promise.resolve();
    },
  };
}

describe('transcribeFile', () => {
  it('collects the pieces, adds offsets, emits transcript.done with the audio length', async () => {
    const out = new EventStream();
    const seen: LiveEvent[] = [];
    out.on((event) => seen.push(event));
    const segments: TranscriptSegment[] = [];
    const result = await transcribeFile({
      source: oneSecond(),
      openSession: (events) => Promise.resolve(fakeSession(events, 'turn')),
      out,
      file: 'a.wav',
      onSegment: (segment) => segments.push(segment),
      timing: { settleMs: 20, quietMs: 200 },
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ text: 'hello there', audioMs: 1000 });
    // The fake hears the first piece inside the first send, before that chunk is counted.
    expect(segments).toEqual([{ startMs: 0, endMs: 1000, text: 'hello there' }]);
    const inputs = seen.filter((e) => e.type === 'transcript.input');
    expect(inputs.map((e) => [e.text, 'offsetMs' in e ? e.offsetMs : undefined, e.file])).toEqual([
      ['hello', 0, 'a.wav'],
      [' there', 1000, 'a.wav'],
    ]);
    expect(seen.at(-1)).toMatchObject({ type: 'transcript.done', file: 'a.wav', text: 'hello there', audioMs: 1000 });
  });

  it('a session lost for good fails the file, after handing over what was heard', async () => {
    const segments: TranscriptSegment[] = [];
    await expect(
      transcribeFile({
        source: oneSecond(),
        openSession: (events) => Promise.resolve(fakeSession(events, 'lost')),
        out: new EventStream(),
        onSegment: (segment) => segments.push(segment),
        timing: { settleMs: 2000, quietMs: 5000 },
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('connection lost for good');
    expect(segments.map((s) => s.text)).toEqual(['hello']);
  });

  it('gives up at --timeout with a timeout error', async () => {
    await expect(
      transcribeFile({
        source: oneSecond(),
        openSession: (events) => Promise.resolve(fakeSession(events, 'hang')),
        out: new EventStream(),
        timeoutMs: 100,
        timing: { settleMs: 2000, quietMs: 5000 },
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'timeout' });
  });
});
