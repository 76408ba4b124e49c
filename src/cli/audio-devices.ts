import { CliError } from '../core/errors.js';
import type { AudioSink } from '../audio/sinks/types.js';
import type { ConversationRecording } from '../audio/sinks/record.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { PlayerChoice } from '../audio/sinks/select.js';
import type { RecorderChoice } from '../audio/sources/recorder.js';

export interface AudioDeviceFlags {
  output?: string;
  player?: string;
  outputDevice?: string;
  inputDevice?: string;
  recorder?: string;
  captureRate?: string;
  duration?: string;
  record?: string;
}

const PLAYERS = ['auto', 'speaker', 'aplay', 'paplay', 'pw-play', 'play'] as const;
const RECORDERS = ['auto', 'arecord', 'sox', 'rec'] as const;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError('usage', `${name} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** `--input mic`: the recorder at `--capture-rate`, for `--duration` seconds when given. */
export async function openMic(flags: AudioDeviceFlags): Promise<AudioSource> {
  const recorder = oneOf<RecorderChoice>('--recorder', flags.recorder, RECORDERS);
  const captureRate = flags.captureRate === undefined ? undefined : Number(flags.captureRate);
  const duration = flags.duration === undefined ? undefined : Number(flags.duration);
  if (duration !== undefined && !(Number.isFinite(duration) && duration > 0)) {
    throw new CliError('usage', `--duration must be a positive number of seconds, got "${flags.duration}"`);
  }
  const { openMicSource } = await import('../audio/sources/mic.js');
  return openMicSource({
    ...(recorder ? { recorder } : {}),
    ...(flags.inputDevice ? { device: flags.inputDevice } : {}),
    ...(captureRate === undefined ? {} : { captureRate }),
    ...(duration === undefined ? {} : { durationMs: duration * 1000 }),
  });
}

/** `--output speaker|none|FILE.wav` (with `--player`, `--output-device`) and `--record FILE.wav`. */
export async function openOutput(
  flags: AudioDeviceFlags,
  defaultOutput: 'speaker' | 'none',
  warn: (message: string) => void,
  /** Told once if the playback device fails mid-session; default: a warning. */
  onDeviceError: (error: Error) => void = (error) => warn(`audio output failed: ${error.message}`),
): Promise<{ sink: AudioSink; recording?: ConversationRecording }> {
  const output = flags.output ?? defaultOutput;
  if (output !== 'speaker' && output !== 'none' && !output.toLowerCase().endsWith('.wav')) {
    throw new CliError('usage', `--output takes speaker, none or a FILE.wav path, got "${output}"`);
  }
  const player = oneOf<PlayerChoice>('--player', flags.player, PLAYERS);
  const { openOutputSink } = await import('../audio/sinks/select.js');
  let sink = await openOutputSink({
    output,
    ...(player ? { player } : {}),
    ...(flags.outputDevice ? { device: flags.outputDevice } : {}),
    onError: onDeviceError,
  });
  if (!flags.record) return { sink };
  if (!flags.record.toLowerCase().endsWith('.wav')) {
    throw new CliError('usage', `--record takes a FILE.wav path, got "${flags.record}"`);
  }
  const { ConversationRecording, recordingSink } = await import('../audio/sinks/record.js');
  const recording = await ConversationRecording.open(flags.record).catch((error: NodeJS.ErrnoException) => {
    throw new CliError('usage', `cannot write ${flags.record}: ${error.code ?? error.message}; pick a writable path for --record`);
  });
  sink = recordingSink(sink, recording);
  return { sink, recording };
}
