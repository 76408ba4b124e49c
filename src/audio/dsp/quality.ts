/**
 * Test signals and quality measures for sample-rate converters. They live in src (not test) so the
 * benchmark can hold every peer to exactly the same yardstick as the unit tests hold ours.
 */

import { clampS16 } from '../pcm.js';

const FULL_SCALE = 32767;

/** A sine of `frequency` Hz at `levelDbfs`, rounded to int16 (no dither). */
export function sineInt16(rate: number, frequency: number, seconds: number, levelDbfs: number): Int16Array {
  const amplitude = FULL_SCALE * 10 ** (levelDbfs / 20);
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = clampS16(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
  return out;
}

/** A linear sine sweep from `startHz` to `endHz` over `seconds`, at `levelDbfs`, rounded to int16. */
export function sweepInt16(rate: number, startHz: number, endHz: number, seconds: number, levelDbfs: number): Int16Array {
  const amplitude = FULL_SCALE * 10 ** (levelDbfs / 20);
  const slope = (endHz - startHz) / seconds;
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    out[i] = clampS16(amplitude * Math.sin(2 * Math.PI * (startHz * t + (slope * t * t) / 2)));
  }
  return out;
}

/**
 * THD+N in dB: fits A·sin + B·cos + C at `frequency` by least squares and compares what is left
 * with the fitted sine. `skipSeconds` at each end are ignored, so edge transients don't count.
 */
export function thdPlusNoiseDb(samples: ArrayLike<number>, rate: number, frequency: number, skipSeconds = 0.1): number {
  const first = Math.round(skipSeconds * rate);
  const last = samples.length - first;
  const w = (2 * Math.PI * frequency) / rate;
  // Normal equations of the 3-parameter fit.
  let ss = 0, sc = 0, s1 = 0, cc = 0, c1 = 0, n = 0, ys = 0, yc = 0, y1 = 0;
  for (let i = first; i < last; i++) {
    const s = Math.sin(w * i);
    const c = Math.cos(w * i);
    const y = samples[i] ?? 0;
    ss += s * s; sc += s * c; s1 += s; cc += c * c; c1 += c; n += 1;
    ys += y * s; yc += y * c; y1 += y;
  }
  const [a, b, dc] = solve3([ss, sc, s1, sc, cc, c1, s1, c1, n], [ys, yc, y1]);
  let residual = 0;
  for (let i = first; i < last; i++) {
    const e = (samples[i] ?? 0) - (a * Math.sin(w * i) + b * Math.cos(w * i) + dc);
    residual += e * e;
  }
  const fundamental = ((a * a + b * b) / 2) * n;
  return 10 * Math.log10(residual / fundamental);
}

/** Cramer's rule on a row-major 3×3 system: small enough not to need anything cleverer. */
function solve3(m: number[], v: number[]): [number, number, number] {
  const at = (i: number): number => m[i] ?? 0;
  const det = (c0: number[], c1: number[], c2: number[]): number =>
    (c0[0] ?? 0) * ((c1[1] ?? 0) * (c2[2] ?? 0) - (c2[1] ?? 0) * (c1[2] ?? 0)) -
    (c1[0] ?? 0) * ((c0[1] ?? 0) * (c2[2] ?? 0) - (c2[1] ?? 0) * (c0[2] ?? 0)) +
    (c2[0] ?? 0) * ((c0[1] ?? 0) * (c1[2] ?? 0) - (c1[1] ?? 0) * (c0[2] ?? 0));
  const col0 = [at(0), at(3), at(6)];
  const col1 = [at(1), at(4), at(7)];
  const col2 = [at(2), at(5), at(8)];
  const d = det(col0, col1, col2);
  return [det(v, col1, col2) / d, det(col0, v, col2) / d, det(col0, col1, v) / d];
}

export interface AliasSweep {
  startHz: number;
  endHz: number;
  seconds: number;
  /** When the sweep crosses the output's Nyquist frequency. */
  crossingSeconds: number;
}

/** The sweep the alias measure uses: new Nyquist − 100 Hz up to 0.95 × old Nyquist over 10 s. */
export function aliasSweep(from: number, to: number, seconds = 10): AliasSweep {
  const startHz = to / 2 - 100;
  const endHz = 0.95 * (from / 2);
  return { startHz, endHz, seconds, crossingSeconds: (100 / (endHz - startHz)) * seconds };
}

/**
 * Alias rejection in dB: output power over input power while the sweep is above the new Nyquist.
 * The last 50 ms are left out: the sweep stops dead there, and the splatter of that edge lands in
 * the passband, which would measure the test signal rather than the converter.
 */
export function aliasRejectionDb(input: ArrayLike<number>, from: number, output: ArrayLike<number>, to: number, sweep: AliasSweep): number {
  const endSeconds = sweep.seconds - 0.05;
  const meanPower = (samples: ArrayLike<number>, rate: number): number => {
    const first = Math.ceil(sweep.crossingSeconds * rate);
    const last = Math.min(samples.length, Math.floor(endSeconds * rate));
    let sum = 0;
    for (let i = first; i < last; i++) sum += (samples[i] ?? 0) ** 2;
    return sum / Math.max(1, last - first);
  };
  return 10 * Math.log10(meanPower(output, to) / meanPower(input, from));
}
