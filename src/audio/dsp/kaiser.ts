/**
 * Kaiser-windowed sinc: the prototype low-pass filter behind the resampler. Kept apart from the
 * streaming code so its maths can be read (and tested) without the buffering around it.
 */

/** Modified Bessel function of the first kind, order 0, by its power series (converges fast for β ≤ 20). */
export function besselI0(x: number): number {
  const quarterSquare = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's empirical β for a stopband attenuation of `attenuationDb` (Oppenheim & Schafer 7.62). */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/**
 * Kaiser's estimate of the filter span (in samples, end to end) reaching `attenuationDb` with a
 * transition band `transitionWidth` wide, in cycles per sample.
 */
export function kaiserSpan(attenuationDb: number, transitionWidth: number): number {
  return (attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transitionWidth);
}

export interface WindowedSinc {
  /** −6 dB point, in cycles per sample of the rate `t` is measured in. */
  cutoff: number;
  /** The window spans (−halfWidth, halfWidth) samples; the response is zero outside. */
  halfWidth: number;
  beta: number;
}

/** Evaluates the windowed-sinc impulse response at `t` samples from its centre (unit DC gain). */
export function windowedSinc({ cutoff, halfWidth, beta }: WindowedSinc, t: number): number {
  const u = t / halfWidth;
  if (u <= -1 || u >= 1) return 0;
  const x = 2 * cutoff * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / besselI0(beta));
}
