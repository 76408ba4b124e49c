import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { ConversationRecording, RECORDING_RATE, recordingSink } from '../../src/audio/sinks/record.js';
import type { AudioSink } from '../../src/audio/sinks/types.js';

const work = mkdtempSync(join(tmpdir(), 'live-cli-record-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A constant level, so each side is recognisable in the mix (a resampler keeps DC as DC). */
const level = (value: number, ms: number, sampleRate: number): PcmChunk => {
  const data = Buffer.alloc(Math.round((ms * sampleRate) / 1000) * 2);
  for (let i = 0; i < data.length; i += 2) data.writeInt16LE(value, i);
  return { data, sampleRate, channels: 1 };
};

function readWav(path: string): { rate: number; channels: number; samples: Int16Array } {
  const wav = readFileSync(path);
  const dataBytes = wav.readUInt32LE(40);
  expect(wav.length).toBe(44 + dataBytes);
  const samples = new Int16Array(dataBytes / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(44 + i * 2);
  return { rate: wav.readUInt32LE(24), channels: wav.readUInt16LE(22), samples };
}

const at = (samples: Int16Array, ms: number): number => samples[Math.round((ms * RECORDING_RATE) / 1000)] ?? NaN;

/** A sink that reports a fixed amount dropped on flush, like a player that had queued audio. */
function fakeSink(droppedMs: number): AudioSink & { written: number } {
  return {
    label: 'fake',
    written: 0,
    write(chunk) {
      this.written += chunk.data.length;
    },
    flush: () => droppedMs,
    close: () => Promise.resolve(),
  };
}

describe('ConversationRecording', () => {
  it('mixes 16 kHz user audio and 24 kHz model audio on one 24 kHz timeline', async () => {
    let now = 0;
    const path = join(work, 'mix.wav');
    const recording = await ConversationRecording.open(path, { now: () => now });
    // The user speaks for 1 s in 20 ms chunks; the model's 500 ms reply arrives all at once at 500 ms.
    for (let t = 0; t < 1000; t += 20) {
      now = t;
      recording.input(level(1000, 20, 16000));
      if (t === 500) recording.output(level(2000, 500, 24000));
    }
    now = 3000;
    await recording.close();
    const { rate, channels, samples } = readWav(path);
    expect(rate).toBe(24000);
    expect(channels).toBe(1);
    expect(samples.length).toBe(24000); // 1 s: the user's second, resampled exactly
    expect(at(samples, 250)).toBe(1000);
    expect(at(samples, 750)).toBe(3000);
    // Only the resampler's ringing at the user's onset and end goes past the sum, and not by much.
    expect(Math.max(...samples)).toBeLessThan(3300);
  });

  it('places a reply that follows silence at the wall clock, and cuts it on barge-in to what was heard', async () => {
    let now = 0;
    const path = join(work, 'barge-in.wav');
    const recording = await ConversationRecording.open(path, { now: () => now });
    const sink = recordingSink(fakeSink(800), recording);
    now = 1000;
    sink.write(level(2000, 1000, 24000)); // a 1 s reply arriving at 1 s
    now = 1200;
    expect(sink.flush()).toBe(800); // barge-in at 1.2 s: 800 ms were never played
    now = 1500;
    sink.write(level(3000, 100, 24000)); // the next reply, at 1.5 s
    now = 4000;
    await recording.close();
    await sink.close();
    const { samples } = readWav(path);
    expect(at(samples, 500)).toBe(0);
    expect(at(samples, 1100)).toBe(2000);
    expect(at(samples, 1300)).toBe(0);
    expect(at(samples, 1550)).toBe(3000);
    expect(samples.length).toBe(Math.round(1.6 * RECORDING_RATE));
  });

  it('restarts the user side at the wall clock after a gap (mute), instead of closing it up', async () => {
    let now = 0;
    const path = join(work, 'gap.wav');
    const recording = await ConversationRecording.open(path, { now: () => now });
    recording.input(level(1000, 200, 24000));
    now = 1000;
    recording.input(level(1000, 200, 24000));
    await recording.close();
    const { samples } = readWav(path);
    expect(at(samples, 100)).toBe(1000);
    expect(at(samples, 600)).toBe(0);
    expect(at(samples, 1100)).toBe(1000);
  });

  it('writes long sessions out as it goes, keeping little in memory', async () => {
    let now = 0;
    const path = join(work, 'long.wav');
    const recording = await ConversationRecording.open(path, { now: () => now });
    for (let t = 0; t < 60_000; t += 20) {
      now = t;
      recording.input(level(500, 20, 16000));
    }
    // Everything older than a second is on its way to the file (its writes are asynchronous).
    const deadline = Date.now() + 5000;
    while (readFileSync(path).length - 44 < (58_000 * 48000) / 1000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readFileSync(path).length - 44).toBeGreaterThanOrEqual((58_000 * 48000) / 1000);
    await recording.close();
    expect(readWav(path).samples.length).toBe(60 * RECORDING_RATE);
  });
});
