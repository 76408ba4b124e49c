import { kaiserBeta, kaiserSpan, windowedSinc, type WindowedSinc } from './dsp/kaiser.js';
import { DOT_PRODUCT_BLOCK } from './dsp/simd-dot.js';

/** What the resampler's low-pass must achieve; see the design note in resampler.ts. */
export interface FilterSpec {
  /** Passband edge as a fraction of the lower of the two Nyquist frequencies. */
  passband: number;
  /** Stopband edge as a fraction of the lower Nyquist frequency. */
  stopband: number;
  /** Stopband attenuation the Kaiser window is sized for, in dB. */
  attenuationDb: number;
}

/**
 * The polyphase form of the prototype filter. Output sample k sits at input position
 * x = k·from/to = n0 + φ (n0 integer, 0 ≤ φ < 1); it is Σ_j taps(φ)[j] · input[n0 + 1 − reach + j].
 */
export interface PhaseBank {
  /** Phase-major: the taps of phase p are `coefficients[p·taps … (p+1)·taps)`. */
  coefficients: Float32Array;
  /** Taps per phase: padded with zeros to whole blocks of the SIMD kernel. */
  taps: number;
  /** Input samples needed after n0 (and, less one, before it): the one-sided filter span. */
  reach: number;
  /**
   * Phases on the grid φ = p / `grid`. When `interpolated`, there are grid + 1 of them and a
   * fractional phase falls between two, which the resampler blends linearly; otherwise the grid is
   * the ratio's own denominator and every output lands exactly on a phase.
   */
  grid: number;
  interpolated: boolean;
}

/**
 * Tables larger than this (in coefficients) would cost megabytes and noticeable start-up time for
 * ratios like 44100 → 16001 whose reduced denominator is in the thousands; those use an
 * oversampled grid with linear interpolation between phases instead.
 */
const MAX_EXACT_COEFFICIENTS = 1 << 18;

/**
 * Oversampling of the interpolated grid. Linear interpolation of a band-limited kernel errs by
 * about (π·fc/grid)²/8 of its peak: with fc ≤ 0.5 and 1024 steps that is −126 dB, far below the
 * int16 floor.
 */
const INTERPOLATION_GRID = 1024;

/** The prototype low-pass, in input-sample units, for a conversion `from` → `to`. */
export function designPrototype(from: number, to: number, spec: FilterSpec): WindowedSinc {
  const lowerNyquist = Math.min(from, to) / 2;
  const passEdge = (spec.passband * lowerNyquist) / from;
  const stopEdge = (spec.stopband * lowerNyquist) / from;
  return {
    cutoff: (passEdge + stopEdge) / 2,
    halfWidth: kaiserSpan(spec.attenuationDb, stopEdge - passEdge) / 2,
    beta: kaiserBeta(spec.attenuationDb),
  };
}

/**
 * Samples the prototype at every phase the ratio `step` = from/to (reduced to
 * `numerator`/`denominator`) visits. Each phase is normalised to unit DC gain, so the small
 * phase-to-phase gain ripple of a truncated kernel cannot modulate the signal.
 */
export function buildPhaseBank(prototype: WindowedSinc, denominator: number): PhaseBank {
  const reach = Math.ceil(prototype.halfWidth);
  const span = 2 * reach;
  const taps = Math.ceil(span / DOT_PRODUCT_BLOCK) * DOT_PRODUCT_BLOCK;
  const interpolated = denominator * taps > MAX_EXACT_COEFFICIENTS;
  const grid = interpolated ? INTERPOLATION_GRID : denominator;
  const phases = interpolated ? grid + 1 : grid;
  const coefficients = new Float32Array(phases * taps);
  const kernel = new Float64Array(span);
  for (let p = 0; p < phases; p++) {
    const phase = p / grid;
    let sum = 0;
    for (let j = 0; j < span; j++) {
      // Tap j multiplies input[n0 + 1 − reach + j], which lies (phase + reach − 1 − j) samples
      // before the output instant.
      const value = windowedSinc(prototype, phase + reach - 1 - j);
      kernel[j] = value;
      sum += value;
    }
    const offset = p * taps;
    for (let j = 0; j < span; j++) coefficients[offset + j] = (kernel[j] ?? 0) / sum;
  }
  return { coefficients, taps, reach, grid, interpolated };
}
