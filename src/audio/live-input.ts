import { LIVE_INPUT_RATE, type PcmChunk } from './pcm.js';
import { Resampler } from './resampler.js';
import { downmixToMono } from './mono.js';

/**
 * Turns source audio of any rate and channel count into what the Live API takes: 16 kHz mono s16.
 * One converter per source: the resampler keeps filter state across chunks, so chunk edges are
 * inaudible, and refuses to be reused at another rate.
 */
export class LiveInputConverter {
  private resampler: Resampler | undefined;
  private fromRate: number | undefined;

  convert(chunk: PcmChunk): PcmChunk {
    const mono = chunk.channels === 1 ? toInt16(chunk.data) : downmixToMono(toInt16(chunk.data), chunk.channels);
    if (this.fromRate === undefined) this.fromRate = chunk.sampleRate;
    if (chunk.sampleRate !== this.fromRate) {
      throw new RangeError(`audio changed rate mid-stream (${this.fromRate} Hz → ${chunk.sampleRate} Hz)`);
    }
    if (chunk.sampleRate === LIVE_INPUT_RATE) return { data: toBuffer(mono), sampleRate: LIVE_INPUT_RATE, channels: 1 };
    this.resampler ??= new Resampler({ from: chunk.sampleRate, to: LIVE_INPUT_RATE });
    return { data: toBuffer(this.resampler.push(mono)), sampleRate: LIVE_INPUT_RATE, channels: 1 };
  }

  /** The resampler's tail at the end of the input. */
  flush(): PcmChunk | undefined {
    if (!this.resampler) return undefined;
    const tail = this.resampler.flush();
    return tail.length > 0 ? { data: toBuffer(tail), sampleRate: LIVE_INPUT_RATE, channels: 1 } : undefined;
  }
}

/** A view of s16le bytes as samples (copying only when the Buffer is not 2-byte aligned). */
export function toInt16(data: Buffer): Int16Array {
  if (data.byteOffset % 2 === 0) return new Int16Array(data.buffer, data.byteOffset, data.length >> 1);
  const copy = Buffer.from(data);
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length >> 1);
}

export function toBuffer(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}
