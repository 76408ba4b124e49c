import { basename, extname } from 'node:path';
import { CliError } from '../core/errors.js';

/** The name stdin goes by in messages. */
export const STDIN_NAME = 'stdin';

/** Quotes a path for a shell command line only when it needs it. */
function shellQuote(path: string): string {
  return /^[\w./+-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * A sox command that turns `name` into what we read best (16 kHz mono s16 WAV). For stdin there
 * is no file name to reuse, so the example is generic.
 */
export function convertCommand(name: string): string {
  if (name === STDIN_NAME) return 'sox in.mp3 -r 16000 -c 1 out.wav';
  const stem = basename(name, extname(name));
  const out = extname(name).toLowerCase() === '.wav' ? `${stem}-16k.wav` : `${stem}.wav`;
  return `sox ${shellQuote(name)} -r 16000 -c 1 ${shellQuote(out)}`;
}

/** A bad input: one line naming the input, the problem and the fix; exits 2. */
export function inputError(name: string, problem: string, fix: string): CliError {
  return new CliError('input', `${name}: ${problem}; ${fix}`);
}
