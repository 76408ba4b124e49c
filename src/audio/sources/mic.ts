import { CliError } from '../../core/errors.js';
import { lastLine } from '../process.js';
import type { PcmChunk } from '../pcm.js';
import type { AudioSource } from './types.js';
import { ChunkQueue } from './recorder-queue.js';
import { cutTether, spawnTethered, type TetheredProcess } from './tethered.js';
import {
  CAPTURE_FRAME_MS,
  RECORDER_PACKAGE,
  recorderCommand,
  resolveRecorder,
  type RecorderChoice,
  type RecorderName,
} from './recorder.js';

export const DEFAULT_CAPTURE_RATE = 48_000;

export interface MicOptions {
  recorder?: RecorderChoice;
  /** ALSA device for arecord (`-D`), AUDIODEV for sox/rec; the system default when absent. */
  device?: string;
  /** The device's native rate; the pipeline resamples to 16 kHz. Default 48000. */
  captureRate?: number;
  /** Ends the input after exactly this much captured audio (`--duration`). */
  durationMs?: number;
  /** Environment of the recorder, and whose PATH is searched. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface MicSource extends AudioSource {
  readonly recorder: RecorderName;
  readonly muted: boolean;
  /**
   * While muted the recorder keeps running and its audio is dropped (the session sends
   * audioStreamEnd). Pausing the recorder instead would hand over a burst of stale audio on resume.
   */
  setMuted(muted: boolean): void;
}

type RecorderProcess = TetheredProcess;

/** A grace period for the recorder to exit on SIGTERM before it is killed outright. */
const STOP_GRACE_MS = 1000;

/**
 * Opens the microphone. node-record-lpcm16's `Recording` is not used to run the recorder because:
 * it cannot pass the buffer-size arguments (recorder.ts takes its argv instead); it attaches no
 * child 'error' listener, so a missing binary crashes the process; it reports every non-zero exit,
 * including arecord's exit 1 on our own SIGTERM, as a string 'error'; and its pause() is SIGSTOP,
 * which hands over stale audio later.
 */
export async function openMicSource(options: MicOptions = {}): Promise<MicSource> {
  const env = options.env ?? process.env;
  const captureRate = options.captureRate ?? DEFAULT_CAPTURE_RATE;
  // The resampler that takes the mic to 16 kHz accepts 8 to 96 kHz.
  if (!Number.isInteger(captureRate) || captureRate < 8000 || captureRate > 96_000) {
    throw new CliError('usage', `--capture-rate ${captureRate} is not a whole number of Hz from 8000 to 96000`);
  }
  const found = await resolveRecorder(options.recorder ?? 'auto', env);
  const command = recorderCommand(found, { sampleRate: captureRate, device: options.device });
  // Tethered: killed with us even by SIGKILL, so it never outlives live-cli holding the device.
  const child = spawnTethered(command.command, command.args, { ...env, ...command.env });
  // Listeners go on in the same tick as the spawn: the recorder streams at once, and audio
  // emitted before a listener exists is lost.
  const mic = new RecorderMic(child, command.name, captureRate, options);
  await mic.started();
  return mic;
}

class RecorderMic implements MicSource {
  readonly label: string;
  readonly durationMs: number | undefined;
  private readonly queue = new ChunkQueue();
  private readonly maxFrameBytes: number;
  private readonly limitBytes: number;
  private capturedBytes = 0;
  private carry: Buffer | undefined;
  private stderrTail = '';
  private stopping = false;
  private exited = false;
  private isMuted = false;
  private readonly exit: Promise<void>;
  private readonly spawned: Promise<void>;

  constructor(
    private readonly child: RecorderProcess,
    readonly recorder: RecorderName,
    private readonly sampleRate: number,
    options: MicOptions,
  ) {
    this.label = `mic (${recorder}, ${options.device ?? 'default'}, ${sampleRate} Hz)`;
    this.durationMs = options.durationMs;
    this.maxFrameBytes = Math.max(2, Math.floor((sampleRate * CAPTURE_FRAME_MS) / 1000) * 2);
    this.limitBytes = options.durationMs === undefined ? Infinity : Math.round((options.durationMs * sampleRate) / 1000) * 2;

    this.spawned = new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error: NodeJS.ErrnoException) => {
        const failure = new CliError(
          'device',
          `cannot start ${recorder} (${error.code ?? error.message}): install ${RECORDER_PACKAGE[recorder]}`,
        );
        reject(failure);
        this.queue.fail(failure);
      });
    });
    // started() is the one place that reports a spawn failure; this keeps it from being "unhandled".
    this.spawned.catch(() => undefined);

    child.stdout.on('data', (data: Buffer) => this.onData(data));
    child.stdout.on('error', () => undefined);
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
    });
    this.exit = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exited = true;
        this.onExit(code, signal);
        resolve();
      });
    });
  }

  get muted(): boolean {
    return this.isMuted;
  }

  started(): Promise<void> {
    return this.spawned;
  }

  setMuted(muted: boolean): void {
    this.isMuted = muted;
    // Audio captured before the mute but not yet taken is dropped too: it is what the user muted.
    if (muted) this.queue.clear();
  }

  chunks(): AsyncIterable<PcmChunk> {
    return this.queue;
  }

  async stop(): Promise<void> {
    if (!this.stopping && !this.exited) {
      this.stopping = true;
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => {
        this.child.kill('SIGKILL');
        cutTether(this.child);
      }, STOP_GRACE_MS);
      await this.exit;
      clearTimeout(killer);
    }
    this.stopping = true;
    // Ends the iteration even if the recorder had already gone (its failure, if any, stays).
    this.queue.end();
    await this.exit;
  }

  private onData(data: Buffer): void {
    if (this.stopping || this.capturedBytes >= this.limitBytes) return;
    // A sample split across two reads: carry its first byte into the next read.
    let bytes = this.carry ? Buffer.concat([this.carry, data]) : data;
    const whole = bytes.length - (bytes.length % 2);
    this.carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : undefined;
    bytes = bytes.subarray(0, Math.min(whole, this.limitBytes - this.capturedBytes));
    this.capturedBytes += bytes.length;
    if (!this.isMuted) {
      // Pipe reads can coalesce several periods; slice so no chunk is longer than 20 ms.
      for (let offset = 0; offset < bytes.length; offset += this.maxFrameBytes) {
        const piece = Buffer.from(bytes.subarray(offset, offset + this.maxFrameBytes));
        this.queue.push({ data: piece, sampleRate: this.sampleRate, channels: 1 });
      }
    }
    if (this.capturedBytes >= this.limitBytes) {
      // --duration reached: the input is exhausted; stopping the recorder is not an error.
      void this.stop();
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    // arecord exits 1 on our SIGTERM: any exit we asked for is a clean end.
    if (this.stopping || code === 0) {
      this.queue.end();
      return;
    }
    const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
    const detail = lastLine(this.stderrTail);
    this.queue.fail(
      new CliError('device', `${this.recorder} ${how}${detail ? `: ${detail}` : ''} (check --input-device and the capture device)`),
    );
  }
}
