import { CliError } from '../core/errors.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { PaceMode } from '../audio/sources/pacing.js';
import type { RawEncoding } from '../audio/input-file.js';

export interface AudioInputFlags {
  input?: string;
  rate?: string;
  channels?: string;
  encoding?: string;
  pace?: string;
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError('usage', `${name} must be a positive whole number, got "${value}"`);
  return n;
}

export function parsePace(value: string | undefined, fallback: PaceMode): PaceMode {
  if (value === undefined) return fallback;
  if (value === 'realtime' || value === 'fast') return value;
  throw new CliError('usage', `--pace must be realtime or fast, got "${value}"`);
}

/**
 * Opens `--input FILE|-` before connecting, so a bad file fails at once (exit 2) rather than after
 * a session was set up. `mic` is opened by the caller (it needs the recorder options).
 */
export async function openInputSource(flags: AudioInputFlags, defaultPace: PaceMode): Promise<AudioSource | undefined> {
  const { input } = flags;
  if (input === undefined || input === 'mic') return undefined;
  const encoding = flags.encoding;
  if (encoding !== undefined && encoding !== 's16le' && encoding !== 'f32le') {
    throw new CliError('usage', `--encoding must be s16le or f32le, got "${encoding}"`);
  }
  const rawEncoding: RawEncoding | undefined = encoding;
  const rate = wholeNumber('--rate', flags.rate);
  const channels = wholeNumber('--channels', flags.channels);
  const options = {
    pace: parsePace(flags.pace, defaultPace),
    ...(rate === undefined ? {} : { rate }),
    ...(channels === undefined ? {} : { channels }),
    ...(rawEncoding === undefined ? {} : { encoding: rawEncoding }),
  };
  if (input === '-') {
    const { openStdinSource } = await import('../audio/sources/stdin.js');
    return openStdinSource(process.stdin, options);
  }
  const { openFileSource } = await import('../audio/sources/file.js');
  return openFileSource(input, options);
}
