import type { PcmChunk } from '../pcm.js';

/**
 * Where user audio comes from (a file, stdin, the microphone). Chunks come in the source's own
 * format (rate and channels say what it is); the pipeline downmixes and resamples to 16 kHz mono.
 */
export interface AudioSource {
  /** A description for messages, e.g. `weather.wav (48000 Hz, 2 ch)` or `mic (arecord, default)`. */
  readonly label: string;
  /** Duration of the whole input in ms when known (files), for progress and `transcript.done`. */
  readonly durationMs?: number;
  /** The audio, in order. Ends when the input ends; throws a CliError on bad input or a failed device. */
  chunks(): AsyncIterable<PcmChunk>;
  /** Stops early (signal, quit); chunks() then ends. Safe to call twice. */
  stop(): Promise<void>;
}
