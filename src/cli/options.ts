import { Option, type Command } from 'commander';
import { CliError } from '../core/errors.js';
import { addFeatureOptions } from './feature-options.js';

/** Repeatable string option collector (`--text a --text b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The options `chat` and `resume` share (contract: "Common options"). */
export function addSessionOptions(command: Command): Command {
  command
    .option('--model <name>', 'Live model (env LIVE_CLI_MODEL; default gemini-3.8-live; see live-cli models)')
    .addOption(new Option('--modality <modality>', 'reply modality').choices(['audio', 'text']))
    .option('--voice <name>', 'prebuilt voice, e.g. Kore, Puck, Charon')
    .option('--system <text|@file>', 'system instruction, inline or @FILE')
    .option('--temperature <t>', 'sampling temperature, 0–2');
  addFeatureOptions(command);
  return addConnectionOptions(command)
    .option('--compression <trigger[:target]|off>', 'context window compression (default for audio 25600:12800)')
    .option('--sim [options]', 'start an in-process simulator and use it (no API key needed), e.g. --sim=go-away-every=20,seed=3')
    .option('--json', 'NDJSON events on stdout (docs/events.md)')
    .option('--no-tui', 'never draw the TUI, even on a terminal')
    .option('--no-log', 'keep no session log, only what resuming needs')
    .option('--no-color', 'no colours (also NO_COLOR)');
}

export function parseSeconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError('usage', `${name} must be a positive number of seconds, got "${value}"`);
  }
  return seconds;
}

/** Audio in and out (contract: "Common options", audio part). */
export function addAudioOptions(command: Command): Command {
  return command
    .option('--input <FILE|-|mic>', 'audio input: a WAV or raw PCM file, - for stdin, or mic')
    .option('--rate <hz>', 'raw PCM input rate (default 16000)')
    .option('--channels <n>', 'raw PCM input channels (default 1)')
    .addOption(new Option('--encoding <encoding>', 'raw PCM input encoding (default s16le)').choices(['s16le', 'f32le']))
    .addOption(new Option('--pace <pace>', 'how a file is streamed (chat default realtime)').choices(['realtime', 'fast']))
    .option('--duration <seconds>', 'with --input mic: stop capturing after this long')
    .option('--push-to-talk', 'automatic activity detection off: in the TUI, Space starts and ends each utterance')
    .addOption(new Option('--recorder <recorder>', 'mic recorder (default auto: arecord on Linux, else sox/rec)').choices(['auto', 'arecord', 'sox', 'rec']))
    .option('--input-device <device>', 'capture device (ALSA name for arecord, AUDIODEV for sox)')
    .option('--capture-rate <hz>', "the mic's native rate, converted to 16 kHz by live-cli's resampler", '48000')
    .option('--output <speaker|none|FILE.wav>', 'where model audio goes (default speaker in the TUI, none when headless)')
    .addOption(new Option('--player <player>', 'speaker playback (auto: speaker when it works, else the first player found)').choices(['auto', 'speaker', 'aplay', 'paplay', 'pw-play', 'play']))
    .option('--output-device <device>', 'playback device')
    .option('--record <FILE.wav>', 'record both sides of the conversation, mixed, to a WAV file');
}

/**
 * `transcribe`'s options (contract: "Common options", the parts that apply to a transcription,
 * and the transcribe-only ones). Files are streamed as fast as possible unless `--pace realtime`.
 */
export function addTranscribeOptions(command: Command): Command {
  command
    .option('--out <file>', 'write the transcript to FILE (FILE.partial while it runs, renamed on success)')
    .option('--timestamps', 'start each line with its audio offsets, [mm:ss.cc → mm:ss.cc]')
    .option('--concurrency <n>', 'files transcribed at once, each its own session', '2')
    .option('--timeout <seconds>', "per file, overall (default the audio's duration + 120 s)")
    .addOption(new Option('--pace <pace>', 'how input is streamed (default fast; realtime for a live source)').choices(['realtime', 'fast']))
    .option('--rate <hz>', 'raw PCM input rate (default 16000)')
    .option('--channels <n>', 'raw PCM input channels (default 1)')
    .addOption(new Option('--encoding <encoding>', 'raw PCM input encoding (default s16le)').choices(['s16le', 'f32le']))
    .option('--model <name>', 'Live model (env LIVE_CLI_MODEL; transcribe default gemini-live-2.5-flash-preview)')
    .addOption(new Option('--modality <modality>', 'reply modality (default text when the model allows it, else audio; the reply is discarded)').choices(['audio', 'text']))
    .option('--system <text|@file>', 'system instruction (default: transcribe only, reply with nothing)')
    .option('--temperature <t>', 'sampling temperature, 0–2 (of the discarded reply)');
  return addConnectionOptions(command)
    .option('--compression <trigger[:target]|off>', 'context window compression (transcribe default 25600:12800)')
    .option('--sim [options]', 'start an in-process simulator and use it (no API key needed), e.g. --sim=report=sim.ndjson')
    .option('--json', 'NDJSON events on stdout: transcript.input pieces with offsetMs, one transcript.done per file')
    // Accepted so one set of flags serves every command; what they mean for a transcription:
    .option('--no-tui', 'no progress bar, even on a terminal')
    .option('--no-log', 'accepted for symmetry: transcribe keeps no session log or record anyway')
    .option('--no-color', 'no colours (also NO_COLOR)');
}

/** Where and how to connect: the same for every command that opens a Live session. */
function addConnectionOptions(command: Command): Command {
  return command
    .option('--endpoint <url>', 'API base URL (env LIVE_CLI_ENDPOINT), e.g. http://127.0.0.1:8080 for `live-cli sim`')
    .option('--api-version <version>', 'API version (default v1beta; v1alpha for ephemeral tokens)')
    .option('--vertex', 'use Vertex AI (express mode with an API key, or --project/--location with ADC)')
    .option('--project <id>', 'Google Cloud project (Vertex)')
    .option('--location <region>', 'Google Cloud location (Vertex)')
    .option('--connect-timeout <seconds>', 'give up connecting after this long', '15');
}
