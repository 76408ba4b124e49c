import { CliError } from '../../core/errors.js';
import { findOnPath } from '../process.js';
import { NullSink } from './null.js';
import type { PacedSinkOptions } from './paced.js';
import { PLAYER_NAMES, PLAYER_PACKAGE, openPlayerSink, type PlayerName } from './player.js';
import { openSpeakerSink, probeSpeaker } from './speaker.js';
import type { AudioSink } from './types.js';
import { WavOutputSink } from './wav-sink.js';

export type PlayerChoice = 'auto' | 'speaker' | PlayerName;

export interface OutputSinkOptions {
  /** `speaker` (a device), `none`, or a WAV file path. */
  output: string;
  /** Ignored unless `output` is `speaker`. */
  player?: PlayerChoice;
  /** `--output-device`: ALSA device for aplay and speaker, sink/target for paplay/pw-play, AUDIODEV for play. */
  device?: string;
  /** Environment of players and of the speaker probe, and whose PATH is searched. */
  env?: NodeJS.ProcessEnv;
  /** Told when the device fails mid-session (the sink then drops audio; close() rejects). */
  onError?: PacedSinkOptions['onError'];
  /** Where the `speaker` module is; default: resolved like any dependency. */
  speakerModulePath?: string;
  /** The speaker probe's time limit. Default 5 s. */
  speakerProbeTimeoutMs?: number;
}

/**
 * Opens where model audio goes. `--player auto` uses `speaker` when its probe succeeds, else the
 * first player on PATH; nothing usable is CliError('device') (exit 5) naming what to install.
 * Every failure happens here, before the session starts, not at the first reply.
 */
export async function openOutputSink(options: OutputSinkOptions): Promise<AudioSink> {
  const env = options.env ?? process.env;
  if (options.output === 'none') return new NullSink();
  if (options.output !== 'speaker') return openWavOutput(options.output);

  const choice = options.player ?? 'auto';
  const paced = { ...(options.onError ? { onError: options.onError } : {}) };
  if (choice === 'auto' || choice === 'speaker') {
    const probe = await probeSpeaker({
      env,
      ...(options.speakerModulePath ? { modulePath: options.speakerModulePath } : {}),
      ...(options.device ? { device: options.device } : {}),
      ...(options.speakerProbeTimeoutMs ? { timeoutMs: options.speakerProbeTimeoutMs } : {}),
    });
    if (probe.ok) return openSpeakerSink(probe.modulePath, { ...paced, device: options.device });
    if (choice === 'speaker') {
      throw new CliError(
        'device',
        `--player speaker: ${probe.reason}; build it (Debian: apt install libasound2-dev build-essential, then npm rebuild speaker) or use --player aplay`,
      );
    }
    const found = await firstPlayer(PLAYER_NAMES, env);
    if (found) return openPlayerSink(found.name, found.command, { ...paced, device: options.device, env });
    throw new CliError(
      'device',
      `no audio output: ${probe.reason}, and none of ${PLAYER_NAMES.join(', ')} is on PATH; install alsa-utils (aplay) or sox (play), or use --output FILE.wav or --output none`,
    );
  }

  const found = await firstPlayer([choice], env);
  if (found) return openPlayerSink(found.name, found.command, { ...paced, device: options.device, env });
  throw new CliError('device', `--player ${choice}: ${choice} not found on PATH; install ${PLAYER_PACKAGE[choice]}`);
}

async function firstPlayer(
  names: readonly PlayerName[],
  env: NodeJS.ProcessEnv,
): Promise<{ name: PlayerName; command: string } | undefined> {
  for (const name of names) {
    const command = await findOnPath(name, env);
    if (command) return { name, command };
  }
  return undefined;
}

async function openWavOutput(path: string): Promise<AudioSink> {
  try {
    return await WavOutputSink.open(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new CliError('usage', `--output ${path}: cannot write the file (${code})`);
  }
}
