import type { RawLiveOptions } from '../live/types.js';

/** The system instruction that keeps a TEXT model from chatting back (its reply is discarded anyway). */
export const TRANSCRIBE_INSTRUCTION =
  'You are a silent transcription service. The user only streams audio to be transcribed by the input transcription. Never answer, comment or speak: reply with nothing.';

/** Compression keeps an audio session past the ~15-minute cap, whatever the reply modality. */
export const TRANSCRIBE_COMPRESSION = '25600:12800';

/** The transcribe model when neither a flag, LIVE_CLI_MODEL nor the config file names one: TEXT output allowed. */
export const TRANSCRIBE_MODEL = 'gemini-live-2.5-flash-preview';

/**
 * transcribe's defaults on top of what the user gave (flags > env > config file > these): a model
 * that allows TEXT output, the silent instruction, compression on. The modality is decided once the
 * model is known (see chooseModality).
 */
export function transcribeDefaults(flags: RawLiveOptions, env: NodeJS.ProcessEnv, file: Record<string, unknown>): RawLiveOptions {
  const raw: RawLiveOptions = { ...flags };
  if (!flags.model?.trim() && !env.LIVE_CLI_MODEL?.trim() && file.model === undefined) raw.model = TRANSCRIBE_MODEL;
  if (flags.system === undefined && file.system === undefined) raw.system = TRANSCRIBE_INSTRUCTION;
  if (flags.compression === undefined && file.compression === undefined) raw.compression = TRANSCRIBE_COMPRESSION;
  return raw;
}

/** TEXT when the model allows it (the cheapest reply to discard), else AUDIO with the reply dropped. */
export function chooseModality(requested: string | undefined, textOutput: boolean): 'audio' | 'text' {
  if (requested === 'audio' || requested === 'text') return requested;
  return textOutput ? 'text' : 'audio';
}
