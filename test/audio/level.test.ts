import { describe, expect, it } from 'vitest';
import { amplitudeToDbfs, chunkLevel, measureLevel, SILENCE_DBFS } from '../../src/audio/level.js';

describe('level metering', () => {
  it('silence and empty input read SILENCE_DBFS (−100), never −Infinity', () => {
    expect(measureLevel(new Int16Array(320))).toEqual({ rmsDbfs: -100, peakDbfs: -100 });
    expect(measureLevel(new Int16Array(0))).toEqual({ rmsDbfs: SILENCE_DBFS, peakDbfs: SILENCE_DBFS });
    expect(amplitudeToDbfs(0)).toBe(SILENCE_DBFS);
    expect(amplitudeToDbfs(1e-9)).toBe(SILENCE_DBFS);
  });

  it('full scale: a square wave at −32768/32767 is 0 dBFS; a sine is −3.01 dBFS RMS', () => {
    const square = Int16Array.from({ length: 320 }, (_, i) => (i % 2 === 0 ? -32768 : 32767));
    const level = measureLevel(square);
    expect(level.peakDbfs).toBe(0);
    expect(level.rmsDbfs).toBeCloseTo(0, 3);
    const sine = Int16Array.from({ length: 16000 }, (_, i) => Math.round(32767 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    expect(measureLevel(sine).rmsDbfs).toBeCloseTo(-3.01, 2);
  });

  it('one LSB is −90.3 dBFS: above the silence floor', () => {
    const level = measureLevel(Int16Array.from([0, 1, 0, -1]));
    expect(level.peakDbfs).toBeCloseTo(-90.31, 2);
    expect(level.rmsDbfs).toBeCloseTo(-93.32, 2);
  });

  it('a −6 dBFS sine measures −6 peak and −9 RMS', () => {
    const amplitude = 32768 * 10 ** (-6 / 20);
    const sine = Int16Array.from({ length: 48000 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 48000)));
    const level = measureLevel(sine);
    expect(level.peakDbfs).toBeCloseTo(-6, 1);
    expect(level.rmsDbfs).toBeCloseTo(-9.01, 1);
  });

  it('chunkLevel reads s16le chunk data, aligned or not', () => {
    const backing = Buffer.alloc(5);
    const data = backing.subarray(1);
    data.writeInt16LE(-16384, 0);
    data.writeInt16LE(16384, 2);
    const level = chunkLevel({ data, sampleRate: 16000, channels: 1 });
    expect(level.peakDbfs).toBeCloseTo(-6.02, 2);
    expect(level.rmsDbfs).toBeCloseTo(-6.02, 2);
  });
});
