import { LIVE_INPUT_RATE, s16Bytes, s16Samples, type PcmChunk } from './pcm.js';
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
    const mono = chunk.channels === 1 ? s16Samples(chunk.data) : downmixToMono(s16Samples(chunk.data), chunk.channels);
    if (this.fromRate === undefined) this.fromRate = chunk.sampleRate;
    if (chunk.sampleRate !== this.fromRate) {
      throw new RangeError(`audio changed rate mid-stream (${this.fromRate} Hz → ${chunk.sampleRate} Hz)`);
    }
    if (chunk.sampleRate === LIVE_INPUT_RATE) return { data: s16Bytes(mono), sampleRate: LIVE_INPUT_RATE, channels: 1 };
    this.resampler ??= new Resampler({ from: chunk.sampleRate, to: LIVE_INPUT_RATE });
    return { data: s16Bytes(this.resampler.push(mono)), sampleRate: LIVE_INPUT_RATE, channels: 1 };
  }

  /** The resampler's tail at the end of the input. */
  flush(): PcmChunk | undefined {
    if (!this.resampler) return undefined;
    const tail = this.resampler.flush();
    return tail.length > 0 ? { data: s16Bytes(tail), sampleRate: LIVE_INPUT_RATE, channels: 1 } : undefined;
  }
}
