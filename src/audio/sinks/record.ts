import { s16Samples, type PcmChunk } from '../pcm.js';
import { Resampler } from '../resampler.js';
import type { AudioSink } from './types.js';
import { WavFileSink } from './wav-file.js';

/** Both sides are mixed at the model's output rate: only the 16 kHz user side needs converting. */
export const RECORDING_RATE = 24_000;

/** A user-side chunk this much later than its predecessor's end starts a new stretch (a mute, a pause). */
const INPUT_GAP_MS = 100;
/** Audio this far behind the wall clock can no longer change (no placement reaches back that far). */
const COMMIT_DELAY_MS = 1000;

/**
 * One side of the conversation on the shared timeline, from sample `base` on; samples before
 * `base` have been mixed and written.
 */
class Track {
  samples = new Int16Array(RECORDING_RATE);
  /** Timeline position of samples[0]. */
  base = 0;
  /** Where this side's next sample goes. */
  cursor = 0;
  private resampler: Resampler | undefined;

  /** Converts to mono at the recording rate (a new resampler when the input rate changes). */
  convert(chunk: PcmChunk): Int16Array {
    const samples = toMono(toSamples(chunk.data), chunk.channels);
    if (chunk.sampleRate === RECORDING_RATE) return samples;
    if (this.resampler?.from !== chunk.sampleRate) this.resampler = new Resampler({ from: chunk.sampleRate, to: RECORDING_RATE });
    return this.resampler.push(samples);
  }

  /** The resampler's held-back tail, at the end of the stream. */
  drain(): Int16Array {
    const tail = this.resampler?.flush() ?? new Int16Array(0);
    this.resampler = undefined;
    return tail;
  }

  /** Forgets the resampler's history: what it holds was never heard. */
  forget(): void {
    this.resampler = undefined;
  }

  place(samples: Int16Array): void {
    const start = Math.max(this.cursor, this.base);
    const skip = start - this.cursor;
    this.reserve(start + samples.length - skip);
    this.samples.set(samples.subarray(skip), start - this.base);
    this.cursor += samples.length;
  }

  /** Silences [from, cursor) and moves the cursor back to `from`. */
  truncate(from: number): void {
    const start = Math.max(from, this.base);
    if (start < this.cursor) this.samples.fill(0, start - this.base, this.cursor - this.base);
    this.cursor = Math.max(from, this.base);
  }

  /** Drops samples before `position` (already written). */
  discardBefore(position: number): void {
    const count = position - this.base;
    if (count <= 0) return;
    this.samples.copyWithin(0, Math.min(count, this.samples.length));
    this.samples.fill(0, Math.max(0, this.samples.length - count));
    this.base = position;
  }

  at(position: number): number {
    return this.samples[position - this.base] ?? 0;
  }

  private reserve(end: number): void {
    const needed = end - this.base;
    if (needed <= this.samples.length) return;
    const grown = new Int16Array(Math.max(needed, this.samples.length * 2));
    grown.set(this.samples);
    this.samples = grown;
  }
}

/**
 * `--record FILE.wav`: both sides of the conversation mixed into one 24 kHz mono WAV, each placed
 * on a shared wall-clock timeline. The user side (the audio sent) runs continuously, restarting at
 * the wall clock after a gap; model audio is placed where playback puts it: back to back, starting
 * at the wall clock when it follows silence, and cut back on barge-in to what was heard. Mixed
 * audio is written once it is a second old, so memory stays bounded however long the session.
 */
export class ConversationRecording {
  private readonly user = new Track();
  private readonly model = new Track();
  private readonly origin: number;
  private written = 0;
  private closed = false;

  private constructor(
    private readonly file: WavFileSink,
    private readonly now: () => number,
  ) {
    this.origin = now();
  }

  static async open(path: string, options: { now?: () => number } = {}): Promise<ConversationRecording> {
    const file = new WavFileSink(path, RECORDING_RATE);
    await file.open();
    return new ConversationRecording(file, options.now ?? (() => performance.now()));
  }

  /** User audio, as sent to the model. */
  input(chunk: PcmChunk): void {
    if (this.closed) return;
    const wall = this.wallPosition();
    if (this.user.cursor < wall - msToSamples(INPUT_GAP_MS)) this.user.cursor = wall;
    this.user.place(this.user.convert(chunk));
    this.commit(wall - msToSamples(COMMIT_DELAY_MS));
  }

  /** Model audio, as handed to the playback sink. */
  output(chunk: PcmChunk): void {
    if (this.closed) return;
    const wall = this.wallPosition();
    // Playback of audio that follows silence starts now, not where the last reply ended.
    if (this.model.cursor < wall) this.model.cursor = wall;
    this.model.place(this.model.convert(chunk));
    this.commit(wall - msToSamples(COMMIT_DELAY_MS));
  }

  /** Barge-in: the last `droppedMs` of model audio was never heard, so it leaves the recording. */
  dropOutput(droppedMs: number): void {
    if (this.closed) return;
    this.model.forget();
    this.model.truncate(Math.max(this.wallPosition(), this.model.cursor - msToSamples(droppedMs)));
  }

  /** Writes everything and the final header. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.user.place(this.user.drain());
    this.model.place(this.model.drain());
    this.commit(Math.max(this.user.cursor, this.model.cursor));
    await this.file.close();
  }

  private wallPosition(): number {
    return msToSamples(this.now() - this.origin);
  }

  private commit(upTo: number): void {
    // A block at a time, so a long silence between two chunks doesn't become one huge buffer.
    while (this.written < upTo) {
      const count = Math.min(upTo - this.written, RECORDING_RATE);
      const out = Buffer.alloc(count * 2);
      for (let i = 0; i < count; i++) {
        const position = this.written + i;
        const mixed = this.user.at(position) + this.model.at(position);
        out.writeInt16LE(Math.max(-32768, Math.min(32767, mixed)), i * 2);
      }
      this.file.write({ data: out, sampleRate: RECORDING_RATE, channels: 1 });
      this.written += count;
      this.user.discardBefore(this.written);
      this.model.discardBefore(this.written);
    }
  }
}

/** `sink` with everything it plays also going into `recording`, and barge-ins cutting it too. */
export function recordingSink(sink: AudioSink, recording: ConversationRecording): AudioSink {
  return {
    label: `${sink.label} + recording`,
    write(chunk) {
      recording.output(chunk);
      sink.write(chunk);
    },
    flush() {
      const dropped = sink.flush();
      recording.dropOutput(dropped);
      return dropped;
    },
    close(options) {
      return sink.close(options);
    },
  };
}

function msToSamples(ms: number): number {
  return Math.round((ms * RECORDING_RATE) / 1000);
}

/** The s16le bytes as samples of our own (the mix outlives the caller's Buffer). */
function toSamples(data: Buffer): Int16Array {
  return s16Samples(data).slice();
}

/**
 * Averages interleaved channels. Both sides normally arrive mono already (the pipeline downmixes
 * what it sends, the model speaks mono); this only keeps a stray stereo chunk from garbling the file.
 */
function toMono(samples: Int16Array, channels: number): Int16Array {
  if (channels <= 1) return samples;
  const mono = new Int16Array(Math.floor(samples.length / channels));
  for (let frame = 0; frame < mono.length; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += samples[frame * channels + channel] ?? 0;
    mono[frame] = Math.round(sum / channels);
  }
  return mono;
}
