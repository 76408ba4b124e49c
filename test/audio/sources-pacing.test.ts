import { describe, expect, it } from 'vitest';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { paceChunks, RealtimeSchedule, type PacingClock } from '../../src/audio/sources/pacing.js';
import { openFileSource } from '../../src/audio/sources/file.js';
import { shared, tempDir, writeTemp } from './wav-fixtures.js';

/** A clock that only moves when told: sleeping advances it by the time asked plus `lateness`. */
class FakeClock implements PacingClock {
  time = 1000;
  sleeps: number[] = [];
  constructor(private readonly lateness = 0) {}
  now(): number {
    return this.time;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms + this.lateness;
    return Promise.resolve();
  }
}

function chunk(frames: number, sampleRate = 16000, channels = 1): PcmChunk {
  return { data: Buffer.alloc(frames * channels * 2), sampleRate, channels };
}

async function* chunksOf(list: PcmChunk[]): AsyncGenerator<PcmChunk> {
  for (const item of list) yield await Promise.resolve(item);
}

describe('RealtimeSchedule', () => {
  it('a chunk is due when its last sample would have been captured', () => {
    const schedule = new RealtimeSchedule(500);
    expect(schedule.next(chunk(320))).toBe(520);
    expect(schedule.next(chunk(320))).toBe(540);
    expect(schedule.next(chunk(160))).toBe(550);
    // 441 frames at 22050 Hz is exactly 20 ms; the count stays exact over many chunks.
    const cd = new RealtimeSchedule(0);
    let due = 0;
    for (let i = 0; i < 100_000; i++) due = cd.next(chunk(441, 22050));
    expect(due).toBe(2_000_000);
  });

  it('counts frames, not bytes: stereo 20 ms is 20 ms', () => {
    const schedule = new RealtimeSchedule(0);
    expect(schedule.next(chunk(960, 48000, 2))).toBe(20);
  });
});

describe('paceChunks', () => {
  it('realtime: releases each chunk at its due time against the start, not after a fixed delay', async () => {
    const clock = new FakeClock();
    const released: number[] = [];
    for await (const _ of paceChunks(chunksOf(Array.from({ length: 50 }, () => chunk(320))), { mode: 'realtime', clock })) {
      released.push(clock.now() - 1000);
    }
    expect(released).toEqual(Array.from({ length: 50 }, (_, i) => 20 * (i + 1)));
  });

  it('realtime: timer lateness does not accumulate (drift-free)', async () => {
    const clock = new FakeClock(5);
    const released: number[] = [];
    for await (const _ of paceChunks(chunksOf(Array.from({ length: 500 }, () => chunk(320))), { mode: 'realtime', clock })) {
      released.push(clock.now() - 1000);
    }
    // Each release is at most one timer's lateness behind its due time, however many chunks.
    released.forEach((time, i) => expect(time - 20 * (i + 1)).toBeLessThanOrEqual(5));
    expect(released.at(-1)).toBe(10_005);
    // Later sleeps are shortened to absorb the lateness.
    expect(clock.sleeps.slice(1).every((ms) => ms === 15)).toBe(true);
  });

  it('realtime: after a stalled consumer, chunks catch up without waiting, then pace again', async () => {
    const clock = new FakeClock();
    const released: number[] = [];
    let count = 0;
    for await (const _ of paceChunks(chunksOf(Array.from({ length: 20 }, () => chunk(320))), { mode: 'realtime', clock })) {
      released.push(clock.now() - 1000);
      if (++count === 5) clock.time += 100;
    }
    expect(released.slice(0, 5)).toEqual([20, 40, 60, 80, 100]);
    expect(released.slice(5, 10)).toEqual([200, 200, 200, 200, 200]);
    expect(released.slice(10)).toEqual([220, 240, 260, 280, 300, 320, 340, 360, 380, 400]);
  });

  it('fast: never sleeps', async () => {
    const clock = new FakeClock();
    let count = 0;
    for await (const _ of paceChunks(chunksOf(Array.from({ length: 100 }, () => chunk(320))), { mode: 'fast', clock })) count++;
    expect(count).toBe(100);
    expect(clock.sleeps).toEqual([]);
  });

  it('an abort ends the stream without another chunk', async () => {
    const controller = new AbortController();
    const clock = new FakeClock();
    let count = 0;
    for await (const _ of paceChunks(chunksOf(Array.from({ length: 10 }, () => chunk(320))), {
      mode: 'realtime',
      clock,
      signal: controller.signal,
    })) {
      if (++count === 3) controller.abort();
    }
    expect(count).toBe(3);
  });
});

describe('file source pacing', () => {
  it('realtime with an injected clock: the whole file takes its duration', async () => {
    const clock = new FakeClock();
    const source = await openFileSource(shared('hello.wav'), { pace: 'realtime', clock });
    let last = 0;
    for await (const _ of source.chunks()) last = clock.now() - 1000;
    expect(last).toBeCloseTo(source.durationMs ?? 0, 6);
  });

  it('realtime on the wall clock takes at least 90% of the audio’s duration; fast takes far less', async () => {
    const path = writeTemp(tempDir(), 'short.pcm', Buffer.alloc(16000 * 2 * 0.4)); // 400 ms
    const started = performance.now();
    const source = await openFileSource(path, { pace: 'realtime' });
    let count = 0;
    for await (const _ of source.chunks()) count++;
    const elapsed = performance.now() - started;
    expect(count).toBe(20);
    expect(elapsed).toBeGreaterThanOrEqual(360);
    const fastStart = performance.now();
    const fast = await openFileSource(shared('silence-3s-16k.pcm'), { pace: 'fast' });
    for await (const _ of fast.chunks()) count++;
    expect(performance.now() - fastStart).toBeLessThan(1500);
  });

  it('stop() during a realtime wait ends chunks() at once', async () => {
    const source = await openFileSource(shared('hello.wav'), { pace: 'realtime' });
    const started = performance.now();
    let count = 0;
    setTimeout(() => void source.stop(), 100);
    for await (const _ of source.chunks()) count++;
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1500);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(100);
  });
});
