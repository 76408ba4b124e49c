import { s16Samples, type PcmChunk } from './pcm.js';

/**
 * The level reported for digital silence (and empty input). log10(0) is −Infinity, which JSON
 * cannot carry and a meter cannot draw; −100 dBFS is below the quietest non-zero s16 signal
 * (one LSB is −90.3 dBFS), so the floor never hides real audio.
 */
export const SILENCE_DBFS = -100;

/**
 * Levels in dBFS, where 0 dBFS is a sample of full scale (32768). RMS uses the same reference with
 * no sine correction, so a full-scale sine reads −3.01 dBFS RMS and 0 dBFS peak.
 */
export interface AudioLevel {
  rmsDbfs: number;
  peakDbfs: number;
}

/** A linear amplitude (1 = full scale) in dBFS, floored at SILENCE_DBFS. */
export function amplitudeToDbfs(amplitude: number): number {
  if (!(amplitude > 0)) return SILENCE_DBFS;
  return Math.max(SILENCE_DBFS, 20 * Math.log10(amplitude));
}

/** RMS and peak of s16 samples (all channels together). */
export function measureLevel(samples: Int16Array): AudioLevel {
  const count = samples.length;
  if (count === 0) return { rmsDbfs: SILENCE_DBFS, peakDbfs: SILENCE_DBFS };
  let sumSquares = 0;
  let peak = 0;
  for (let i = 0; i < count; i++) {
    const sample = samples[i] ?? 0;
    sumSquares += sample * sample;
    const magnitude = sample < 0 ? -sample : sample;
    if (magnitude > peak) peak = magnitude;
  }
  return {
    rmsDbfs: amplitudeToDbfs(Math.sqrt(sumSquares / count) / 32768),
    peakDbfs: amplitudeToDbfs(peak / 32768),
  };
}

/** Level of one chunk (s16le data), for the meter pane and voice-activity decisions. */
export function chunkLevel(chunk: PcmChunk): AudioLevel {
  return measureLevel(s16Samples(chunk.data));
}
