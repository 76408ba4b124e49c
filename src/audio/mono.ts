import { s16Bytes, s16Samples, type PcmChunk } from './pcm.js';

/**
 * Average of `sum` over `count` channels, rounded half away from zero: symmetric, so a signal and
 * its negation downmix to exact negations and no DC offset creeps in.
 */
function roundedAverage(sum: number, count: number): number {
  return sum >= 0 ? Math.floor((2 * sum + count) / (2 * count)) : -Math.floor((-2 * sum + count) / (2 * count));
}

/**
 * Downmixes interleaved samples with `channels` channels to mono by averaging each frame.
 * Averaging (rather than summing) can never clip. Mono input is returned as is (not copied).
 */
export function downmixToMono(samples: Int16Array, channels: number): Int16Array {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`downmixToMono: bad channel count ${channels}`);
  if (channels === 1) return samples;
  if (samples.length % channels !== 0) {
    throw new RangeError(`downmixToMono: ${samples.length} samples is not a whole number of ${channels}-channel frames`);
  }
  const frames = samples.length / channels;
  const mono = new Int16Array(frames);
  if (channels === 2) {
    // The common case, unrolled: this runs on every chunk of a stereo file.
    for (let frame = 0, i = 0; frame < frames; frame++, i += 2) {
      mono[frame] = roundedAverage((samples[i] ?? 0) + (samples[i + 1] ?? 0), 2);
    }
    return mono;
  }
  for (let frame = 0, i = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++, i++) sum += samples[i] ?? 0;
    mono[frame] = roundedAverage(sum, channels);
  }
  return mono;
}

/** The chunk as mono at the same rate; a mono chunk is returned unchanged. */
export function downmixChunk(chunk: PcmChunk): PcmChunk {
  if (chunk.channels === 1) return chunk;
  const mono = downmixToMono(s16Samples(chunk.data), chunk.channels);
  return { data: s16Bytes(mono), sampleRate: chunk.sampleRate, channels: 1 };
}
