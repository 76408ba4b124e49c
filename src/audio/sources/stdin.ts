import type { Readable } from 'node:stream';
import { CliError } from '../../core/errors.js';
import { STDIN_NAME } from '../input-errors.js';
import { openInputStream } from '../input-file.js';
import { checkSourceOptions, createInputSource, describeInput, type InputSourceOptions } from './input-source.js';
import type { AudioSource } from './types.js';

export type StdinSourceOptions = InputSourceOptions;

/**
 * Audio from stdin (`--input -`): WAV when the first bytes are a WAV header (sox, ffmpeg and
 * arecord all write one to a pipe), else raw PCM per the options. Waits for the first few KiB (or
 * the WAV header) before returning, so empty or non-audio input fails before a session connects.
 */
export async function openStdinSource(stdin: Readable, options: StdinSourceOptions): Promise<AudioSource> {
  checkSourceOptions(options);
  if ((stdin as Readable & { isTTY?: boolean }).isTTY === true) {
    throw new CliError(
      'usage',
      '--input - reads audio from stdin, but stdin is a terminal; pipe audio in, e.g. sox in.wav -t wav - | live-cli chat --input -',
    );
  }
  const input = await openInputStream(stdin, { ...options, name: STDIN_NAME });
  return createInputSource(input, options, describeInput(STDIN_NAME, input));
}
