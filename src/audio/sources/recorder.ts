import { createRequire } from 'node:module';
import { CliError } from '../../core/errors.js';
import { findOnPath } from '../process.js';

export type RecorderName = 'arecord' | 'sox' | 'rec';
export type RecorderChoice = 'auto' | RecorderName;

/** The Debian/Homebrew package that provides each recorder, for "install …" messages. */
export const RECORDER_PACKAGE: Record<RecorderName, string> = {
  arecord: 'alsa-utils',
  sox: 'sox',
  rec: 'sox',
};

/** Longest chunk the recorder is asked to deliver; the Live API wants small, steady frames. */
export const CAPTURE_FRAME_MS = 20;

export interface RecorderCommand {
  name: RecorderName;
  /** Full path found on PATH. */
  command: string;
  args: string[];
  /** Extra environment for the child (sox and rec take the device from AUDIODEV). */
  env: Record<string, string>;
}

/**
 * Picks the recorder: the one asked for, or on Linux arecord then sox then rec, elsewhere sox then
 * rec (arecord is ALSA-only). Missing → CliError('device') naming the package, before anything is
 * spawned, so headless `--input mic` fails with exit 5 instead of a child 'error' later.
 */
export async function resolveRecorder(
  choice: RecorderChoice,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<{ name: RecorderName; command: string }> {
  const candidates: RecorderName[] =
    choice !== 'auto' ? [choice] : platform === 'linux' ? ['arecord', 'sox', 'rec'] : ['sox', 'rec'];
  for (const name of candidates) {
    const command = await findOnPath(name, env);
    if (command) return { name, command };
  }
  if (choice !== 'auto') {
    throw new CliError('device', `recorder "${choice}" not found on PATH: ${installHint(RECORDER_PACKAGE[choice], platform)}`);
  }
  const packages = platform === 'linux' ? 'alsa-utils (arecord) or sox' : 'sox';
  throw new CliError('device', `no audio recorder found on PATH (arecord, sox or rec): ${installHint(packages, platform)}`);
}

function installHint(packages: string, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `install ${packages}, e.g. brew install sox`;
  if (platform === 'linux') return `install ${packages}, e.g. sudo apt install ${packages.split(' ')[0] ?? packages}`;
  return `install ${packages} and put it on PATH`;
}

interface LibraryRecorderOptions {
  sampleRate: number;
  channels: number;
  audioType: string;
  device: string | null;
  endOnSilence: boolean;
  threshold: number;
  silence: string;
}

type LibraryRecorder = (options: LibraryRecorderOptions) => unknown;

const requireFromHere = createRequire(import.meta.url);

/**
 * node-record-lpcm16 builds the argv but its `Recording` cannot take extra arguments, so we take
 * the argv from the library's own recorder module and spawn the process ourselves (mic.ts says why
 * the rest of `Recording` is not usable either). The library's shape is kept so its users' know-how
 * (devices, `AUDIODEV`) still applies; we add only the buffer sizes.
 */
export function recorderCommand(
  recorder: { name: RecorderName; command: string },
  options: { sampleRate: number; device?: string | undefined },
): RecorderCommand {
  const build = requireFromHere(`node-record-lpcm16/recorders/${recorder.name}.js`) as LibraryRecorder;
  const built = build({
    sampleRate: options.sampleRate,
    channels: 1,
    // The library's default is 'wav', which puts a 44-byte header into the first chunk.
    audioType: 'raw',
    device: options.device ?? null,
    endOnSilence: false,
    threshold: 0.5,
    silence: '1.0',
  });
  const args = argsOf(built).map(String);
  const env: Record<string, string> = {};
  const frameSamples = Math.max(1, Math.round((options.sampleRate * CAPTURE_FRAME_MS) / 1000));
  if (recorder.name === 'arecord') {
    // One 20 ms period per read (arecord writes a period at a time); 200 ms of ALSA buffer
    // absorbs scheduling hiccups without growing the latency of each chunk.
    args.splice(args.length - 1, 0, `--period-time=${CAPTURE_FRAME_MS * 1000}`, '--buffer-time=200000');
  } else {
    // sox processes in buffers of `--buffer` bytes of its internal 32-bit samples; the default
    // 8192 gives 128 ms at 16 kHz. It is a global option, so it goes first.
    args.unshift('--buffer', String(frameSamples * 4));
    // The library sets AUDIODEV only for sox; rec is the same program and reads it too.
    if (options.device) env.AUDIODEV = options.device;
  }
  return { name: recorder.name, command: recorder.command, args, env };
}

function argsOf(built: unknown): unknown[] {
  if (typeof built === 'object' && built !== null && 'args' in built && Array.isArray(built.args)) {
    return [...(built.args as unknown[])];
  }
  throw new Error('node-record-lpcm16 returned no recorder arguments');
}
