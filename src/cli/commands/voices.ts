import { ExitCode } from '../../core/errors.js';
import { LIVE_VOICES } from '../../live/voices.js';
import type { Runtime } from '../runtime.js';

/** `live-cli voices`: the prebuilt voices for `--voice`, each with its character. */
export function runVoices(json: boolean, runtime: Runtime): number {
  for (const voice of LIVE_VOICES) {
    const line = json
      ? JSON.stringify({ type: 'voice', ...voice })
      : `${voice.name.padEnd(14)} ${voice.description}${voice.halfCascade ? '' : ' (native audio only)'}`;
    runtime.stdout.write(`${line}\n`);
  }
  return ExitCode.ok;
}
