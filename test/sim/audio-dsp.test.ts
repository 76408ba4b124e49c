import { describe, expect, it } from 'vitest';
import { synthesizeSpeech, SYNTH_RATE } from '../../src/sim/synth.js';
import { EnergyVad, type VadEvent } from '../../src/sim/vad.js';
import { fixtureAudio, rms, silence } from './helpers.js';

function runVad(pcm: Buffer, rate: number, chunkBytes: (index: number) => number): VadEvent[] {
  const vad = new EnergyVad(rate);
  const events: VadEvent[] = [];
  let offset = 0;
  for (let index = 0; offset < pcm.length; index++) {
    const size = chunkBytes(index);
    events.push(...vad.push(pcm.subarray(offset, offset + size)));
    offset += size;
  }
  events.push(...vad.flush());
  return events;
}

describe('EnergyVad', () => {
  it('finds one segment of about four seconds in real speech, whatever the chunking', () => {
    const pcm = Buffer.concat([fixtureAudio('hello-16k.pcm'), silence(1)]);
    const even = runVad(pcm, 16_000, () => 3200);
    // Odd sizes split samples and frames across chunks.
    const ragged = runVad(pcm, 16_000, (index) => [1, 333, 4097, 2, 641][index % 5] ?? 1);
    expect(ragged).toEqual(even);
    expect(even.map((event) => event.type)).toEqual(['start', 'end']);
    const end = even[1];
    if (end?.type !== 'end') throw new Error('no end');
    expect(end.startSeconds).toBeLessThan(0.2);
    expect(end.durationSeconds).toBeGreaterThan(3.2);
    expect(end.durationSeconds).toBeLessThan(4.1);
  });

  it('finds nothing in silence', () => {
    expect(runVad(fixtureAudio('silence-3s-16k.pcm'), 16_000, () => 3200)).toEqual([]);
  });

  it('splits speech separated by more than half a second of silence', () => {
    const hello = fixtureAudio('hello-16k.pcm');
    const events = runVad(Buffer.concat([hello, silence(0.8), hello]), 16_000, () => 3200);
    expect(events.filter((event) => event.type === 'end')).toHaveLength(2);
  });
});

describe('synthesizeSpeech', () => {
  it('is deterministic, depends on text and seed, and lasts about as long as the text', () => {
    const a = synthesizeSpeech('You said: hello there', 1);
    expect(synthesizeSpeech('You said: hello there', 1).equals(a)).toBe(true);
    expect(synthesizeSpeech('You said: hello there', 2).equals(a)).toBe(false);
    const long = synthesizeSpeech('You said: hello there, this is a much longer sentence than before.', 1);
    expect(long.length).toBeGreaterThan(a.length * 2);
    expect(a.length / 2 / SYNTH_RATE).toBeGreaterThan(0.8);
  });

  it('sounds like speech to a voice detector: voiced syllables with pauses, not silence or a tone', () => {
    const pcm = synthesizeSpeech('Hello there, how are you today? I am fine.', 7);
    expect(rms(pcm)).toBeGreaterThan(1000);
    const events = runVad(pcm, SYNTH_RATE, () => 4800);
    expect(events.some((event) => event.type === 'end')).toBe(true);
    // Amplitude varies frame to frame (syllables), unlike a steady tone.
    const frameLevels: number[] = [];
    for (let offset = 0; offset + 960 <= pcm.length; offset += 960) frameLevels.push(rms(pcm.subarray(offset, offset + 960)));
    const loud = frameLevels.filter((level) => level > 2000).length;
    const quiet = frameLevels.filter((level) => level < 200).length;
    expect(loud).toBeGreaterThan(10);
    expect(quiet).toBeGreaterThan(5);
    // Zero crossings well above the pitch rate: there are formants, not just a fundamental.
    let crossings = 0;
    for (let i = 1; i < pcm.length / 2; i++) if (pcm.readInt16LE(i * 2 - 2) < 0 !== pcm.readInt16LE(i * 2) < 0) crossings++;
    const perSecond = crossings / (pcm.length / 2 / SYNTH_RATE);
    expect(perSecond).toBeGreaterThan(400);
  });
});
