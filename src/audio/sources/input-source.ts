import { CliError } from '../../core/errors.js';
import type { AudioInput, RawPcmOptions } from '../input-file.js';
import type { PcmChunk } from '../pcm.js';
import { rechunk } from '../pcm-stream.js';
import { paceChunks, type PaceMode, type PacingClock } from './pacing.js';
import type { AudioSource } from './types.js';

/** Options shared by the file and stdin sources. */
export interface InputSourceOptions extends RawPcmOptions {
  pace: PaceMode;
  /** Longest chunk in ms (default 20): the Live API wants small, even frames. */
  chunkMs?: number | undefined;
  /** For tests; defaults to the system clock. */
  clock?: PacingClock | undefined;
}

export const DEFAULT_CHUNK_MS = 20;

/** Checks the options that are not about the audio itself (those are checked when it is opened). */
export function checkSourceOptions(options: InputSourceOptions): void {
  if (options.pace !== 'realtime' && options.pace !== 'fast') {
    throw new CliError('usage', `--pace must be realtime or fast, got ${String(options.pace)}`);
  }
  const chunkMs = options.chunkMs ?? DEFAULT_CHUNK_MS;
  if (!Number.isFinite(chunkMs) || chunkMs <= 0) throw new RangeError(`chunkMs must be a positive number, got ${chunkMs}`);
}

/** `weather.wav (WAV, 48000 Hz, 2 ch)`, `stdin (raw s16le, 16000 Hz, 1 ch)`. */
export function describeInput(displayName: string, input: AudioInput): string {
  const kind = input.kind === 'wav' ? 'WAV' : `raw ${input.format.encoding}`;
  return `${displayName} (${kind}, ${input.format.sampleRate} Hz, ${input.format.channels} ch)`;
}

/**
 * An AudioSource over an opened input: chunks of at most `chunkMs` in the input's own rate and
 * channels, paced per `pace`. The stream is read only as fast as chunks are pulled (and, in
 * realtime mode, released), so memory stays bounded whatever the input's length.
 */
export function createInputSource(input: AudioInput, options: InputSourceOptions, label: string): AudioSource {
  const controller = new AbortController();
  const chunkMs = options.chunkMs ?? DEFAULT_CHUNK_MS;
  let started = false;
  return {
    label,
    ...(input.durationMs === undefined ? {} : { durationMs: input.durationMs }),
    async *chunks(): AsyncGenerator<PcmChunk> {
      if (started) throw new Error(`${label}: chunks() can be iterated only once`);
      started = true;
      if (controller.signal.aborted) return;
      try {
        const paced = paceChunks(rechunk(input.chunks(), chunkMs), {
          mode: options.pace,
          signal: controller.signal,
          ...(options.clock ? { clock: options.clock } : {}),
        });
        for await (const chunk of paced) {
          if (controller.signal.aborted) return;
          yield chunk;
        }
      } catch (error) {
        // stop() closes the stream under a pending read; that is the requested end, not a failure.
        if (controller.signal.aborted) return;
        throw error;
      } finally {
        input.close();
      }
    },
    stop(): Promise<void> {
      controller.abort();
      input.close();
      return Promise.resolve();
    },
  };
}
