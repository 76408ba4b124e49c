import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { CliError } from '../../core/errors.js';
import { lastLine } from '../process.js';
import { PacedSink, type PacedSinkOptions, type PcmFormat, type PlaybackDevice } from './paced.js';

/** The part of the `speaker` module's Writable we use (it ships no types we can rely on). */
interface SpeakerInstance {
  write(data: Buffer): boolean;
  close(flush: boolean): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

type SpeakerConstructor = new (options: {
  channels: number;
  bitDepth: number;
  sampleRate: number;
  signed: boolean;
  device?: string;
}) => SpeakerInstance;

export type SpeakerProbe = { ok: true; modulePath: string } | { ok: false; reason: string };

const requireFromHere = createRequire(import.meta.url);

/**
 * Opens, writes 10 ms of silence to and closes a `speaker` in a child process. Loading `speaker`
 * (or opening it) on a machine without a usable ALSA default device can abort the whole process
 * from native code, which no try/catch stops, so it is tried where that costs nothing.
 */
const PROBE_SCRIPT = `
const [modulePath, rate, device] = process.argv.slice(1);
const Speaker = require(modulePath);
const speaker = new Speaker({ channels: 1, bitDepth: 16, sampleRate: Number(rate), signed: true, ...(device ? { device } : {}) });
const fail = (error) => { process.stderr.write(String(error && error.message || error) + '\\n'); process.exit(3); };
speaker.on('error', fail);
speaker.write(Buffer.alloc(Math.round(Number(rate) / 100) * 2), (error) => {
  if (error) fail(error);
  speaker.close(true);
  process.stdout.write('ok\\n');
  process.exit(0);
});
`;

export interface SpeakerProbeOptions {
  /** Where the module is; default: resolved from here like any dependency. */
  modulePath?: string;
  device?: string;
  sampleRate?: number;
  env?: NodeJS.ProcessEnv;
  /** A probe that neither succeeds nor fails in this time counts as failed (a hung device). */
  timeoutMs?: number;
}

export async function probeSpeaker(options: SpeakerProbeOptions = {}): Promise<SpeakerProbe> {
  let modulePath = options.modulePath;
  if (!modulePath) {
    try {
      // Resolving finds the file without loading it (no native code runs here).
      modulePath = requireFromHere.resolve('speaker');
    } catch {
      return { ok: false, reason: 'the optional speaker module is not installed' };
    }
  }
  const args = ['-e', PROBE_SCRIPT, modulePath, String(options.sampleRate ?? 24_000), options.device ?? ''];
  const child = spawn(process.execPath, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 5000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', () => resolve([null, null]));
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timer);
  if (code === 0 && stdout.includes('ok')) return { ok: true, modulePath };
  if (timedOut) return { ok: false, reason: 'opening the audio device with speaker hung' };
  if (signal) return { ok: false, reason: `speaker crashed opening the audio device (${signal}); is there an ALSA default device?` };
  const detail = speakerFailure(stderr);
  return { ok: false, reason: `speaker could not open the audio device${detail ? `: ${detail}` : ''}` };
}

/** Node prints a module-not-found or a native error as a stack: the first line says it all. */
function speakerFailure(stderr: string): string {
  const message = stderr.split('\n').find((line) => /Error|error|cannot|Cannot/.test(line));
  return (message ?? lastLine(stderr)).trim().slice(0, 300);
}

/**
 * Loads `speaker` into this process. Call only after probeSpeaker() succeeded with the same path.
 */
export function loadSpeaker(modulePath: string): SpeakerConstructor {
  const loaded: unknown = requireFromHere(modulePath);
  if (typeof loaded !== 'function') throw new CliError('device', `${modulePath} is not the speaker module`);
  return loaded as SpeakerConstructor;
}

/**
 * How long after our clock says the audio has played we still wait before closing. The device
 * started a little after our clock did; close(true) would cut that tail.
 */
const FINISH_MARGIN_MS = 150;

/**
 * Plays through the `speaker` module. Its ALSA buffer is a fixed 0.5 s and its end() drains it
 * synchronously, blocking the event loop for up to 0.75 s, so: we never let it hold more than our
 * lead (PacedSink), barge-in is close(true), which drops the buffer, and a fresh instance is made
 * on the next write; a graceful finish waits by our clock and then close(true) as well. Every
 * instance keeps an 'error' listener for life: one emitted after close would otherwise crash us.
 */
export class SpeakerDevice implements PlaybackDevice {
  readonly label: string;
  private speaker: SpeakerInstance | undefined;

  constructor(
    private readonly Speaker: SpeakerConstructor,
    private readonly device?: string,
  ) {
    this.label = `speaker${device ? ` (${device})` : ''}`;
  }

  start(format: PcmFormat, onFailure: (error: CliError) => void): void {
    let speaker: SpeakerInstance;
    try {
      speaker = new this.Speaker({
        channels: format.channels,
        bitDepth: 16,
        sampleRate: format.sampleRate,
        signed: true,
        ...(this.device ? { device: this.device } : {}),
      });
    } catch (error) {
      onFailure(new CliError('device', `speaker: ${messageOf(error)}`));
      return;
    }
    speaker.on('error', (error: unknown) => {
      if (this.speaker === speaker) onFailure(new CliError('device', `speaker: ${messageOf(error)} (try --player aplay)`));
    });
    this.speaker = speaker;
  }

  write(data: Buffer): void {
    this.speaker?.write(data);
  }

  abort(): void {
    const speaker = this.speaker;
    this.speaker = undefined;
    speaker?.close(true);
  }

  async finish(): Promise<void> {
    const speaker = this.speaker;
    this.speaker = undefined;
    if (!speaker) return;
    await new Promise((resolve) => setTimeout(resolve, FINISH_MARGIN_MS));
    speaker.close(true);
  }
}

export class SpeakerSink extends PacedSink {}

/** A sink on the speaker module at `modulePath` (probed first by the caller). */
export function openSpeakerSink(modulePath: string, options: PacedSinkOptions & { device?: string } = {}): SpeakerSink {
  return new SpeakerSink(new SpeakerDevice(loadSpeaker(modulePath), options.device), options);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
