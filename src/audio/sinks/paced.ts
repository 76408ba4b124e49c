import { CliError } from '../../core/errors.js';
import type { PcmChunk } from '../pcm.js';
import type { AudioSink } from './types.js';

export interface PcmFormat {
  sampleRate: number;
  channels: number;
}

/**
 * What a paced sink drives: a player process or the `speaker` module. The sink decides when and how
 * much to write; the device only moves bytes. A device reports a failure through `onFailure`
 * given to `start`, never by throwing into the event loop.
 */
export interface PlaybackDevice {
  readonly label: string;
  /** Opens output in `format`. Called lazily before the first write and again after each abort. */
  start(format: PcmFormat, onFailure: (error: CliError) => void): void;
  write(data: Buffer): void;
  /** Silences at once, discarding whatever the device still holds (barge-in). */
  abort(): void;
  /** Releases the device once what was written has played (the sink waits for its clock first). */
  finish(): Promise<void>;
}

export interface PacedSinkOptions {
  /** How far ahead of real time we write into the device. Default 100 ms. */
  leadMs?: number;
  /** Pump interval while audio is queued. Default 10 ms. */
  tickMs?: number;
  /** Told once when the device fails; later writes are then dropped and close() rejects. */
  onError?: (error: CliError) => void;
  /** Clock in ms; injectable for tests. Default performance.now. */
  now?: () => number;
}

/** The sink's own accounting of where the audio is, in ms. */
export interface PacedSinkStats {
  /** Held by us, not yet written to the device. */
  queuedMs: number;
  /** Written to the device and, by our clock, not yet played. */
  aheadMs: number;
  /** The most that was ever ahead right after a write: the barge-in latency bound. */
  maxAheadMs: number;
  /** Everything written to the device so far. */
  writtenMs: number;
  /** Everything dropped by flush() so far. */
  droppedMs: number;
  /** How many times the device was started (1 + respawns after flushes or format changes). */
  deviceStarts: number;
}

interface Segment {
  data: Buffer;
  format: PcmFormat;
}

const sameFormat = (a: PcmFormat, b: PcmFormat): boolean => a.sampleRate === b.sampleRate && a.channels === b.channels;
const bytesPerMs = (format: PcmFormat): number => (format.sampleRate * format.channels * 2) / 1000;

/**
 * An AudioSink that feeds a PlaybackDevice no more than `leadMs` ahead of real time, so that a
 * barge-in has at most that much to discard and is instant: flush() empties our queue and aborts
 * the device, which restarts lazily on the next write. Our clock starts when a device run starts
 * and is pulled forward on an underrun (written audio that should have played but had no successor),
 * so a pause in the model's audio doesn't let the next reply race ahead.
 */
export class PacedSink implements AudioSink {
  readonly label: string;
  private readonly leadMs: number;
  private readonly tickMs: number;
  private readonly now: () => number;
  private readonly queue: Segment[] = [];
  private running: PcmFormat | undefined;
  private clockStart = 0;
  private runWrittenMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private drained: (() => void)[] = [];
  private failure: CliError | undefined;
  private closing: Promise<void> | undefined;
  private readonly totals = { maxAheadMs: 0, writtenMs: 0, droppedMs: 0, deviceStarts: 0 };

  constructor(
    private readonly device: PlaybackDevice,
    private readonly options: PacedSinkOptions = {},
  ) {
    this.label = device.label;
    this.leadMs = options.leadMs ?? 100;
    this.tickMs = options.tickMs ?? 10;
    this.now = options.now ?? (() => performance.now());
  }

  write(chunk: PcmChunk): void {
    if (this.failure || this.closing || chunk.data.length === 0) return;
    this.queue.push({ data: chunk.data, format: { sampleRate: chunk.sampleRate, channels: chunk.channels } });
    this.pump();
  }

  flush(): number {
    const dropped = this.queuedMs() + this.aheadMs();
    this.queue.length = 0;
    if (this.running) {
      this.running = undefined;
      this.device.abort();
    }
    this.stopTimer();
    this.resolveDrained();
    this.totals.droppedMs += dropped;
    return dropped;
  }

  close(options: { discard?: boolean } = {}): Promise<void> {
    this.closing ??= this.closeOnce(options.discard === true);
    return this.closing;
  }

  stats(): PacedSinkStats {
    return { queuedMs: this.queuedMs(), aheadMs: this.aheadMs(), ...this.totals };
  }

  private async closeOnce(discard: boolean): Promise<void> {
    if (discard) this.flush();
    else await new Promise<void>((resolve) => this.whenDrained(resolve));
    if (this.running) {
      // Let what is in the device play out by our clock, then release it.
      await sleep(this.aheadMs());
      this.running = undefined;
      await this.device.finish();
    }
    if (this.failure) throw this.failure;
  }

  private queuedMs(): number {
    let ms = 0;
    for (const segment of this.queue) ms += segment.data.length / bytesPerMs(segment.format);
    return ms;
  }

  private aheadMs(): number {
    if (!this.running) return 0;
    return Math.max(0, this.runWrittenMs - (this.now() - this.clockStart));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.failure) {
      const segment = this.queue[0];
      if (!segment) break;
      if (this.running && !sameFormat(this.running, segment.format)) {
        // A new format needs a new device run; let the old one play out first.
        if (this.aheadMs() > 0) break;
        this.running = undefined;
        void this.device.finish();
      }
      if (!this.running) this.startDevice(segment.format);
      if (this.failure) break;
      const now = this.now();
      if (this.runWrittenMs < now - this.clockStart) this.clockStart = now - this.runWrittenMs;
      const rate = bytesPerMs(segment.format);
      const frameBytes = segment.format.channels * 2;
      const budget = Math.floor(((this.leadMs - this.aheadMs()) * rate) / frameBytes) * frameBytes;
      if (budget < frameBytes) break;
      const piece = segment.data.subarray(0, Math.min(budget, segment.data.length));
      if (piece.length === segment.data.length) this.queue.shift();
      else segment.data = segment.data.subarray(piece.length);
      this.device.write(piece);
      this.runWrittenMs += piece.length / rate;
      this.totals.writtenMs += piece.length / rate;
      this.totals.maxAheadMs = Math.max(this.totals.maxAheadMs, this.aheadMs());
    }
    if (this.queue.length > 0 && !this.failure) this.startTimer();
    else {
      this.stopTimer();
      this.resolveDrained();
    }
  }

  private startDevice(format: PcmFormat): void {
    this.running = format;
    this.clockStart = this.now();
    this.runWrittenMs = 0;
    this.totals.deviceStarts++;
    const run = this.totals.deviceStarts;
    this.device.start(format, (error) => {
      // A failure of a run we already aborted or replaced is just its teardown.
      if (run !== this.totals.deviceStarts || !this.running) return;
      this.fail(error);
    });
  }

  private fail(error: CliError): void {
    if (this.failure) return;
    this.failure = error;
    this.running = undefined;
    this.queue.length = 0;
    this.stopTimer();
    this.resolveDrained();
    this.options.onError?.(error);
  }

  private startTimer(): void {
    this.timer ??= setInterval(() => this.pump(), this.tickMs);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private whenDrained(resolve: () => void): void {
    if (this.queue.length === 0) resolve();
    else this.drained.push(resolve);
  }

  private resolveDrained(): void {
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
}
