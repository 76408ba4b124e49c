/**
 * An energy voice-activity detector over 20 ms frames. It measures, it does not recognise: all it
 * can say about a segment is where it started and how long it lasted. Pure and incremental: feed
 * PCM in any chunking, get start/end events out, in stream time (seconds since this detector began).
 */

export type VadEvent =
  | { type: 'start'; startSeconds: number }
  | { type: 'end'; startSeconds: number; durationSeconds: number };

const FRAME_SECONDS = 0.02;
const FRAME_MS = FRAME_SECONDS * 1000;
/** A frame is voiced above this RMS level relative to full scale (-45 dBFS) by default. */
const DEFAULT_THRESHOLD_DB = -45;
/** Voiced frames in a row needed to start a segment: a click or a single loud frame is not speech. */
const START_FRAMES = 3;
/** Unvoiced frames in a row that end a segment: pauses between words and sentences stay inside it. */
const END_FRAMES = 25; // 500 ms
/** What `startOfSpeechSensitivity` / `endOfSpeechSensitivity` do to the voicing threshold. */
const SENSITIVITY_DB = { START_SENSITIVITY_HIGH: -50, START_SENSITIVITY_LOW: -40, END_SENSITIVITY_HIGH: -40, END_SENSITIVITY_LOW: -50 } as const;

/**
 * The setup's `automaticActivityDetection`, honoured: a sensitive start listens for quieter
 * speech; a sensitive end takes fading speech for silence sooner. `prefixPaddingMs` is the
 * speech needed before a start is committed, `silenceDurationMs` the silence that ends it.
 */
export interface VadTuning {
  startThresholdDb: number;
  endThresholdDb: number;
  startFrames: number;
  endFrames: number;
}

export function vadTuning(detection: { startOfSpeechSensitivity?: string; endOfSpeechSensitivity?: string; prefixPaddingMs?: number; silenceDurationMs?: number } | undefined): VadTuning {
  const db = (name: string | undefined): number | undefined => (name !== undefined && name in SENSITIVITY_DB ? SENSITIVITY_DB[name as keyof typeof SENSITIVITY_DB] : undefined);
  const frames = (ms: number | undefined, fallback: number): number => (ms === undefined ? fallback : Math.max(1, Math.round(ms / FRAME_MS)));
  return {
    startThresholdDb: db(detection?.startOfSpeechSensitivity) ?? DEFAULT_THRESHOLD_DB,
    endThresholdDb: db(detection?.endOfSpeechSensitivity) ?? DEFAULT_THRESHOLD_DB,
    startFrames: frames(detection?.prefixPaddingMs, START_FRAMES),
    endFrames: frames(detection?.silenceDurationMs, END_FRAMES),
  };
}

const rms = (db: number): number => 32768 * 10 ** (db / 20);

export class EnergyVad {
  private readonly frameBytes: number;
  private readonly startRms: number;
  private readonly endRms: number;
  private pending: Buffer = Buffer.alloc(0);
  private frameIndex = 0;
  private voicedRun = 0;
  private silentRun = 0;
  private speechStartFrame: number | undefined;
  private lastVoicedFrame = 0;

  constructor(
    readonly sampleRate: number,
    readonly tuning: VadTuning = vadTuning(undefined),
  ) {
    this.frameBytes = Math.max(2, Math.round(sampleRate * FRAME_SECONDS) * 2);
    this.startRms = rms(tuning.startThresholdDb);
    this.endRms = rms(tuning.endThresholdDb);
  }

  /** An independent copy in the same state (a resumption handle keeps one). */
  clone(): EnergyVad {
    const copy = new EnergyVad(this.sampleRate, this.tuning);
    copy.pending = this.pending;
    copy.frameIndex = this.frameIndex;
    copy.voicedRun = this.voicedRun;
    copy.silentRun = this.silentRun;
    copy.speechStartFrame = this.speechStartFrame;
    copy.lastVoicedFrame = this.lastVoicedFrame;
    return copy;
  }

  get inSpeech(): boolean {
    return this.speechStartFrame !== undefined;
  }

  push(pcm: Buffer): VadEvent[] {
    // A frame (or a sample) can be split across two chunks: keep the remainder for the next push.
    this.pending = this.pending.length === 0 ? pcm : Buffer.concat([this.pending, pcm]);
    const events: VadEvent[] = [];
    let offset = 0;
    while (this.pending.length - offset >= this.frameBytes) {
      const event = this.frame(this.pending.subarray(offset, offset + this.frameBytes));
      if (event) events.push(event);
      offset += this.frameBytes;
    }
    this.pending = Buffer.from(this.pending.subarray(offset));
    return events;
  }

  /** End of the stream (`audioStreamEnd`): a segment still open ends at its last voiced frame. */
  flush(): VadEvent[] {
    this.pending = Buffer.alloc(0);
    const event = this.endSegment();
    this.voicedRun = 0;
    this.silentRun = 0;
    return event ? [event] : [];
  }

  private frame(frame: Buffer): VadEvent | undefined {
    let energy = 0;
    const samples = frame.length >> 1;
    for (let i = 0; i < samples; i++) {
      const sample = frame.readInt16LE(i * 2);
      energy += sample * sample;
    }
    // Inside a segment the end threshold decides; outside it the start threshold does.
    const voiced = Math.sqrt(energy / samples) > (this.speechStartFrame === undefined ? this.startRms : this.endRms);
    const index = this.frameIndex++;
    if (voiced) {
      this.voicedRun++;
      this.silentRun = 0;
      this.lastVoicedFrame = index;
      if (this.speechStartFrame === undefined && this.voicedRun >= this.tuning.startFrames) {
        this.speechStartFrame = index - this.tuning.startFrames + 1;
        return { type: 'start', startSeconds: this.speechStartFrame * FRAME_SECONDS };
      }
      return undefined;
    }
    this.voicedRun = 0;
    this.silentRun++;
    return this.silentRun >= this.tuning.endFrames ? this.endSegment() : undefined;
  }

  private endSegment(): VadEvent | undefined {
    const start = this.speechStartFrame;
    if (start === undefined) return undefined;
    this.speechStartFrame = undefined;
    return {
      type: 'end',
      startSeconds: start * FRAME_SECONDS,
      durationSeconds: (this.lastVoicedFrame + 1 - start) * FRAME_SECONDS,
    };
  }
}
