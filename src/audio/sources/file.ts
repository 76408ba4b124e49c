import { basename } from 'node:path';
import { openInputFile } from '../input-file.js';
import { checkSourceOptions, createInputSource, describeInput, type InputSourceOptions } from './input-source.js';
import type { AudioSource } from './types.js';

export type FileSourceOptions = InputSourceOptions;

/**
 * Audio from a file (`--input FILE`): WAV by its header, else raw PCM per the options. The file is
 * opened and validated here, so a bad file fails (CliError, exit 2) before a session connects; the
 * audio is streamed, never read whole. A source that is never iterated must be stopped to release
 * the file.
 */
export async function openFileSource(path: string, options: FileSourceOptions): Promise<AudioSource> {
  checkSourceOptions(options);
  const input = await openInputFile(path, options);
  return createInputSource(input, options, describeInput(basename(path), input));
}
