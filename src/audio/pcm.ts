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
