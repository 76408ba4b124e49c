import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { windowedSinc } from '../../src/audio/dsp/kaiser.js';
import { RESAMPLER_FILTER, Resampler, resampleAll } from '../../src/audio/resampler.js';
import { designPrototype } from '../../src/audio/resampler-filter.js';
import {
  aliasRejectionDb,
  aliasSweep,
  bestAlignment,
  concat,
  decodeMono,
  randomSlices,
  seededRandom,
  sharedAudio,
  sineInt16,
  soxResample,
  sweepInt16,
  thdPlusNoiseDb,
} from './dsp-helpers.js';

const QUALITY_PAIRS: [number, number][] = [
  [48000, 16000],
  [44100, 16000],
  [22050, 16000],
  [16000, 24000],
];
/** Beyond the four that matter: integer ratios both ways, a near-unity one, and one whose table is interpolated. */
const OTHER_PAIRS: [number, number][] = [
  [96000, 8000],
  [8000, 96000],
  [44100, 48000],
  [11025, 96000],
  [44100, 16001],
];

function noise(length: number, seed: number): Int16Array {
  const random = seededRandom(seed);
  return Int16Array.from({ length }, () => Math.floor(random() * 65536) - 32768);
}

/** round(n · to / from) with halves rounded up: the length sox produces. */
function expectedLength(n: number, from: number, to: number): number {
  return Math.floor((2 * n * to + from) / (2 * from));
}

describe('Resampler', () => {
  it('passes audio through bit-exact when the rates match', () => {
    const input = noise(5000, 1);
    const resampler = new Resampler({ from: 16000, to: 16000 });
    const out = concat([...randomSlices(input, seededRandom(2)).map((s) => resampler.push(s)), resampler.flush()]);
    expect(out).toEqual(input);
    expect(resampler.latencySeconds).toBe(0);
  });

  it.each([7999, 96001, 0, -16000, 16000.5, Number.NaN, Infinity])('rejects a rate of %s Hz with a RangeError', (rate) => {
    expect(() => new Resampler({ from: rate, to: 16000 })).toThrow(RangeError);
    expect(() => new Resampler({ from: 16000, to: rate })).toThrow(/whole number of Hz from 8000 to 96000/);
  });

  it('accepts the extremes of the range', () => {
    expect(resampleAll(noise(960, 3), 96000, 8000)).toHaveLength(80);
    expect(resampleAll(noise(80, 3), 8000, 96000)).toHaveLength(960);
  });

  describe.each([...QUALITY_PAIRS, ...OTHER_PAIRS])('%i Hz → %i Hz', (from, to) => {
    it('gives identical output however the input is sliced (chunks of 0 and 1 samples included)', () => {
      // Full-scale noise also drives the output into the int16 clamp.
      const input = noise(Math.round(from * 0.3), from + to);
      const whole = resampleAll(input, from, to);
      for (const seed of [1, 2, 3]) {
        const resampler = new Resampler({ from, to });
        const sliced = concat([...randomSlices(input, seededRandom(seed)).map((s) => resampler.push(s)), resampler.flush()]);
        expect(sliced).toEqual(whole);
      }
      const bySample = new Resampler({ from, to });
      const oneByOne = concat([...Array.from({ length: 2000 }, (_, i) => bySample.push(input.subarray(i, i + 1)))]);
      expect(oneByOne).toEqual(whole.subarray(0, oneByOne.length));
    });

    it('produces round(n · to / from) samples in all, and is reusable after flush()', () => {
      const resampler = new Resampler({ from, to });
      for (const n of [0, 1, 2, 3, 7, 100, 1001, from + 7]) {
        const input = noise(n, n);
        const out = concat([resampler.push(input), resampler.flush()]);
        expect(out.length).toBe(expectedLength(n, from, to));
        expect(out).toEqual(resampleAll(input, from, to));
      }
    });

    it('keeps a constant level constant: unit gain, no time-varying ripple', () => {
      const out = resampleAll(new Int16Array(from).fill(10000), from, to);
      const settled = out.subarray(Math.round(to * 0.1), Math.round(to * 0.9));
      for (const sample of settled) expect(Math.abs(sample - 10000)).toBeLessThanOrEqual(1);
    });

    it('has a stopband at least 99 dB down from the lower Nyquist frequency on', () => {
      // The prototype's response where aliases (down) or images (up) would come from.
      const prototype = designPrototype(from, to, RESAMPLER_FILTER);
      const step = 1 / 16;
      const taps: [number, number][] = [];
      for (let t = -Math.ceil(prototype.halfWidth); t <= prototype.halfWidth; t += step) taps.push([t, windowedSinc(prototype, t)]);
      const dc = taps.reduce((sum, [, h]) => sum + h, 0);
      let worst = -Infinity;
      for (let hz = Math.min(from, to) / 2; hz <= Math.max(from, to) / 2; hz += 5) {
        const w = (2 * Math.PI * hz) / from;
        const response = Math.abs(taps.reduce((sum, [t, h]) => sum + h * Math.cos(w * t), 0) / dc);
        worst = Math.max(worst, 20 * Math.log10(response));
      }
      expect(worst).toBeLessThan(-99);
    });
  });

  describe.each(QUALITY_PAIRS)('quality %i Hz → %i Hz, against sox rate -v', (from, to) => {
    it('THD+N of a −6 dBFS 1 kHz sine is at most −88 dB, within 1 dB of sox', () => {
      const sine = sineInt16(from, 1000, 2, -6);
      const ours = thdPlusNoiseDb(resampleAll(sine, from, to), to, 1000);
      const sox = thdPlusNoiseDb(soxResample(sine, from, to), to, 1000);
      console.log(`${from} → ${to}: THD+N ours ${ours.toFixed(1)} dB, sox ${sox.toFixed(1)} dB`);
      expect(ours).toBeLessThanOrEqual(-88);
      expect(ours).toBeLessThan(sox + 1);
    });

    it.skipIf(to > from)('rejects aliases by at least 90 dB on a sweep above the new Nyquist', () => {
      const sweep = aliasSweep(from, to);
      const input = sweepInt16(from, sweep.startHz, sweep.endHz, sweep.seconds, -6);
      const ours = aliasRejectionDb(input, from, resampleAll(input, from, to), to, sweep);
      const sox = aliasRejectionDb(input, from, soxResample(input, from, to), to, sweep);
      console.log(`${from} → ${to}: alias rejection ours ${ours.toFixed(1)} dB, sox ${sox.toFixed(1)} dB`);
      expect(ours).toBeLessThanOrEqual(-90);
    });

    it('matches the length of sox output and lines up with it sample for sample', () => {
      const input = noise(12345, 9);
      expect(resampleAll(input, from, to).length).toBe(soxResample(input, from, to).length);
    });
  });

  describe('real speech against sox-made references', () => {
    const cases: [string, number, number, () => Int16Array][] = [
      ['weather-48k-stereo.wav (mono downmix)', 48000, 16000, () => decodeMono(join(sharedAudio, 'weather-48k-stereo.wav'), 48000)],
      ['interrupt-44k-float.wav', 44100, 16000, () => decodeMono(join(sharedAudio, 'interrupt-44k-float.wav'), 44100)],
      ['hello.wav', 22050, 16000, () => decodeMono(join(sharedAudio, 'hello.wav'), 22050)],
      ['hello-16k.pcm', 16000, 24000, () => new Int16Array(new Uint8Array(readFileSync(join(sharedAudio, 'hello-16k.pcm'))).buffer)],
    ];
    it.each(cases)('%s: %i Hz → %i Hz is within 40 dB SNR of sox, with no time shift', (name, from, to, load) => {
      const input = load();
      const reference = soxResample(input, from, to);
      const ours = resampleAll(input, from, to);
      expect(ours.length).toBe(reference.length);
      const { lag, snrDb } = bestAlignment(reference, ours);
      console.log(`${name}: SNR vs sox ${snrDb.toFixed(1)} dB at lag ${lag}`);
      expect(lag).toBe(0);
      expect(snrDb).toBeGreaterThan(40);
    });
  });
});
