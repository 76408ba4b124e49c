/**
 * Audio always travels with its format: nothing downstream assumes a rate. Samples are signed
 * 16-bit little-endian, interleaved when `channels` > 1.
 */
export interface PcmChunk {
  data: Buffer;
  sampleRate: number;
  channels: number;
}

export const LIVE_INPUT_RATE = 16_000;
export const LIVE_OUTPUT_RATE = 24_000;

/**
 * A view of s16le bytes as samples (host order is little-endian on every platform we ship on),
 * copying only when the Buffer is not 2-byte aligned, which an Int16Array view requires.
 */
export function s16Samples(data: Buffer): Int16Array {
  const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
  return new Int16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1);
}

/** The samples' bytes as a Buffer over the same memory (no copy). */
export function s16Bytes(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** A sample value rounded and clipped to the s16 range. */
export function clampS16(value: number): number {
  const rounded = Math.round(value);
  return rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
}

/** Duration of a chunk in ms. */
export function chunkMs(chunk: PcmChunk): number {
  return (chunk.data.length / 2 / chunk.channels / chunk.sampleRate) * 1000;
}

/** Duration of `bytes` of s16 mono at `sampleRate`, in ms. */
export function pcmBytesToMs(bytes: number, sampleRate: number): number {
  return (bytes / 2 / sampleRate) * 1000;
}

/** Parses the rate out of a Live API mime type (`audio/pcm;rate=24000`); bare `audio/pcm` is 24 kHz. */
export function rateFromMimeType(mimeType: string | undefined, fallback = LIVE_OUTPUT_RATE): number {
  const match = /rate=(\d+)/.exec(mimeType ?? '');
  const rate = match ? Number(match[1]) : NaN;
  return Number.isFinite(rate) && rate > 0 ? rate : fallback;
}
