import { createRandom, hashText } from './random.js';

/**
 * A speech-like voice, synthesised: a glottal pulse train whose pitch follows a falling contour,
 * shaped by three formant resonators in cascade (as in a Klatt synthesiser), with a syllable-rate amplitude envelope and a
 * short noise burst for consonants. It is not intelligible, but it has what playback, level meters,
 * resamplers and voice detectors react to in real speech (harmonics, formants, pauses), unlike
 * silence or a pure tone. Deterministic from the text and the seed.
 */

export const SYNTH_RATE = 24_000;

const SYLLABLE_SECONDS = 0.17;
const WORD_GAP_SECONDS = 0.05;
const PAUSE_SECONDS = 0.22; // after , . ? ! ;
const EDGE_SECONDS = 0.06; // lead-in and tail silence

/** Formants (F1, F2, F3 in Hz) of a few vowels, picked by the syllable's vowel letter. */
const VOWEL_FORMANTS: Readonly<Record<string, readonly [number, number, number]>> = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [390, 1990, 2550],
  o: [570, 840, 2410],
  u: [440, 1020, 2240],
  y: [300, 2200, 2960],
};

interface Syllable {
  vowel: string;
  seconds: number;
  consonant: boolean;
  pauseAfter: number;
}

function syllablesOf(text: string): Syllable[] {
  const syllables: Syllable[] = [];
  for (const token of text.toLowerCase().split(/\s+/)) {
    if (token === '') continue;
    const groups = token.match(/[aeiouy]+/g) ?? [];
    // Digits and consonant-only tokens still take time to say: give them one syllable each digit.
    const count = Math.max(groups.length, (token.match(/\d/g) ?? []).length, 1);
    for (let i = 0; i < count; i++) {
      const vowel = groups[i % Math.max(groups.length, 1)]?.charAt(0) ?? 'a';
      const last = i === count - 1;
      syllables.push({
        vowel,
        seconds: SYLLABLE_SECONDS,
        consonant: i === 0 && /^[bcdfghjklmnpqrstvwxz]/.test(token),
        pauseAfter: last ? (/[,.;:?!]$/.test(token) ? PAUSE_SECONDS : WORD_GAP_SECONDS) : 0,
      });
    }
  }
  return syllables;
}

/** Two-pole resonator (a formant): y[n] = g·x[n] + a1·y[n-1] + a2·y[n-2]. */
class Resonator {
  private y1 = 0;
  private y2 = 0;
  private a1 = 0;
  private a2 = 0;
  private gain = 0;

  tune(frequency: number, bandwidth: number, rate: number): void {
    const r = Math.exp((-Math.PI * bandwidth) / rate);
    this.a1 = 2 * r * Math.cos((2 * Math.PI * frequency) / rate);
    this.a2 = -r * r;
    // Unity gain at 0 Hz (Klatt): in cascade, each formant then lifts its band above the pitch.
    this.gain = 1 - this.a1 - this.a2;
  }

  step(x: number): number {
    const y = this.gain * x + this.a1 * this.y1 + this.a2 * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** Synthesises `text` as 24 kHz mono s16le PCM. */
export function synthesizeSpeech(text: string, seed: number): Buffer {
  const random = createRandom(hashText(text, seed));
  const syllables = syllablesOf(text);
  const totalSeconds =
    2 * EDGE_SECONDS + syllables.reduce((sum, syllable) => sum + syllable.seconds + syllable.pauseAfter, 0);
  const samples = new Float32Array(Math.ceil(totalSeconds * SYNTH_RATE));
  // Noise is kept apart so normalising the voiced part cannot make the bursts dominate.
  const noise = new Float32Array(samples.length);
  const formants = [new Resonator(), new Resonator(), new Resonator()];
  const bandwidths = [80, 110, 160];
  const basePitch = 110 + random() * 60;
  let phase = 0;
  let cursor = Math.round(EDGE_SECONDS * SYNTH_RATE);

  syllables.forEach((syllable, index) => {
    const shape = VOWEL_FORMANTS[syllable.vowel] ?? VOWEL_FORMANTS.a ?? [700, 1200, 2500];
    const jitter = shape.map((f) => f * (0.94 + random() * 0.12));
    formants.forEach((resonator, k) => resonator.tune(jitter[k] ?? 1000, bandwidths[k] ?? 100, SYNTH_RATE));
    const length = Math.round(syllable.seconds * SYNTH_RATE);
    // Declination: pitch drifts down over the utterance, with a small rise-fall inside each syllable.
    const progress = index / Math.max(syllables.length - 1, 1);
    const pitchStart = basePitch * (1.1 - 0.25 * progress) * (0.95 + random() * 0.1);
    for (let n = 0; n < length && cursor + n < samples.length; n++) {
      const position = n / length;
      const pitch = pitchStart * (1 + 0.08 * Math.sin(Math.PI * position));
      phase += pitch / SYNTH_RATE;
      if (phase >= 1) phase -= 1;
      // A glottal-ish pulse: a sawtooth softened at the closure, rich in harmonics like the voice.
      const source = phase < 0.6 ? phase / 0.6 - 0.5 : 0.5 - (phase - 0.6) / 0.4;
      let voiced = source;
      for (const resonator of formants) voiced = resonator.step(voiced);
      // Syllable envelope: quick attack, sustained vowel, gentle release.
      const envelope = Math.min(1, position / 0.12) * Math.min(1, (1 - position) / 0.3);
      samples[cursor + n] = voiced * envelope;
      if (syllable.consonant && position < 0.1) noise[cursor + n] = (random() * 2 - 1) * (1 - position / 0.1);
    }
    cursor += length + Math.round(syllable.pauseAfter * SYNTH_RATE);
  });

  let peak = 0;
  for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
  const scale = peak > 0 ? 0.45 / peak : 0;
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const value = ((samples[i] ?? 0) * scale + (noise[i] ?? 0) * 0.06) * 32767;
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(value))), i * 2);
  }
  return out;
}
