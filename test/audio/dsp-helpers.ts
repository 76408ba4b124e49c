/**
 * Helpers for the resampler tests: a seeded random source, sox as the reference converter, and
 * comparison measures. The quality measures themselves live in src/audio/dsp/quality.ts so the
 * benchmark holds its peers to the same yardstick; they are re-exported here.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { aliasRejectionDb, aliasSweep, sineInt16, sweepInt16, thdPlusNoiseDb } from '../../src/audio/dsp/quality.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedAudio = join(repoRoot, 'test', 'fixtures', 'audio');

export { seededRandom } from '../helpers/random.js';

function toInt16Array(buffer: Buffer): Int16Array {
  const copy = new Uint8Array(buffer.byteLength - (buffer.byteLength % 2));
  copy.set(buffer.subarray(0, copy.length));
  return new Int16Array(copy.buffer);
}

const RAW = (rate: number): string[] => ['-t', 'raw', '-r', String(rate), '-e', 'signed', '-b', '16', '-c', '1'];

/** Any audio file sox can read, as mono s16 at its own rate (channels averaged, no dither). */
export function decodeMono(path: string, rate: number): Int16Array {
  return toInt16Array(execFileSync('sox', ['-D', path, ...RAW(rate), '-'], { maxBuffer: 1 << 28 }));
}

/** sox's very-high-quality linear-phase conversion, without dither: the reference. */
export function soxResample(samples: Int16Array, from: number, to: number): Int16Array {
  const input = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return toInt16Array(execFileSync('sox', ['-D', ...RAW(from), '-', ...RAW(to), '-', 'rate', '-v'], { input, maxBuffer: 1 << 28 }));
}

/** SNR in dB of `test` against `reference` with `test` shifted by `lag` samples, over the overlap. */
export function snrDb(reference: Int16Array, test: Int16Array, lag = 0): number {
  let signal = 0;
  let error = 0;
  for (let i = Math.max(0, -lag); i < reference.length && i + lag < test.length; i++) {
    const r = reference[i] ?? 0;
    const e = r - (test[i + lag] ?? 0);
    signal += r * r;
    error += e * e;
  }
  return 10 * Math.log10(signal / error);
}

/** The lag within ±`maxLag` samples that best aligns `test` with `reference`, and the SNR there. */
export function bestAlignment(reference: Int16Array, test: Int16Array, maxLag = 8): { lag: number; snrDb: number } {
  let best = { lag: 0, snrDb: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const snr = snrDb(reference, test, lag);
    if (snr > best.snrDb) best = { lag, snrDb: snr };
  }
  return best;
}

/** Cuts `samples` into random chunks (empty and 1-sample ones included) drawn from `random`. */
export function randomSlices(samples: Int16Array, random: () => number): Int16Array[] {
  const slices: Int16Array[] = [];
  for (let at = 0; at < samples.length; ) {
    const pick = random();
    const size = pick < 0.1 ? 0 : pick < 0.25 ? 1 : Math.floor(random() * 700);
    slices.push(samples.subarray(at, at + size));
    at += size;
  }
  return slices;
}

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
