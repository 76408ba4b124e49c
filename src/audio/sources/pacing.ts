import { setTimeout as delay } from 'node:timers/promises';
import type { PcmChunk } from '../pcm.js';

/** `realtime`: audio leaves at the pace it would be spoken; `fast`: as fast as it is pulled. */
export type PaceMode = 'realtime' | 'fast';

/** Time for pacing, injectable so tests check the schedule without waiting on the wall clock. */
export interface PacingClock {
  /** Monotonic ms. */
  now(): number;
  /** Resolves after `ms`, or early (never rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: PacingClock = {
  now: () => performance.now(),
  async sleep(ms, signal) {
    try {
      await delay(ms, undefined, signal ? { signal } : undefined);
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
  },
};

/**
 * When each chunk is due in real time: the moment its last sample would have been captured by a
 * microphone that started at `startMs`, so a file behaves like a live speaker and the whole run
 * takes the audio's duration. Due times come from the total frames so far over the rate, never
 * from adding up per-chunk delays, so timer lateness does not accumulate: a late chunk is followed
 * by earlier-than-usual ones until the schedule is met again.
 */
export class RealtimeSchedule {
  private rate: number | undefined;
  private frames = 0;
  private elapsedBeforeRate = 0;

  constructor(readonly startMs: number) {}

  /** The due time of `chunk`, which is then counted as sent. */
  next(chunk: PcmChunk): number {
    if (this.rate !== chunk.sampleRate) {
      // A new rate restarts the frame count, so the exact integer arithmetic holds per rate.
      this.elapsedBeforeRate = this.elapsedMs();
      this.rate = chunk.sampleRate;
      this.frames = 0;
    }
    this.frames += chunk.data.length / 2 / chunk.channels;
    return this.startMs + this.elapsedMs();
  }

  /** Ms of audio scheduled so far. */
  elapsedMs(): number {
    return this.elapsedBeforeRate + (this.rate === undefined ? 0 : (this.frames * 1000) / this.rate);
  }
}

/**
 * Paces `chunks`. In realtime mode each chunk is held until its due time (RealtimeSchedule),
 * with the clock starting when the first chunk is pulled; in fast mode chunks pass as the consumer
 * pulls them. Ends quietly (no further chunks) once `signal` aborts.
 */
export async function* paceChunks(
  chunks: AsyncIterable<PcmChunk>,
  options: { mode: PaceMode; clock?: PacingClock; signal?: AbortSignal },
): AsyncGenerator<PcmChunk> {
  const { mode, signal } = options;
  const clock = options.clock ?? systemClock;
  let schedule: RealtimeSchedule | undefined;
  for await (const chunk of chunks) {
    if (signal?.aborted) return;
    if (mode === 'realtime') {
      schedule ??= new RealtimeSchedule(clock.now());
      const wait = schedule.next(chunk) - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal?.aborted) return;
    }
    yield chunk;
  }
}
