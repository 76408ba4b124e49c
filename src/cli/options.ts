import { Option, type Command } from 'commander';
import { CliError } from '../core/errors.js';

/** Repeatable string option collector (`--text a --text b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The options `chat` and `resume` share (contract: "Common options"). */
export function addSessionOptions(command: Command): Command {
  return command
    .option('--model <name>', 'Live model (env LIVE_CLI_MODEL; default gemini-2.5-flash-native-audio-preview-12-2025)')
    .addOption(new Option('--modality <modality>', 'reply modality').choices(['audio', 'text']))
    .option('--voice <name>', 'prebuilt voice, e.g. Kore, Puck, Charon')
    .option('--system <text|@file>', 'system instruction, inline or @FILE')
    .option('--temperature <t>', 'sampling temperature, 0–2')
    .option('--endpoint <url>', 'API base URL (env LIVE_CLI_ENDPOINT), e.g. http://127.0.0.1:8080 for `live-cli sim`')
    .option('--api-version <version>', 'API version (default v1beta; v1alpha for ephemeral tokens)')
    .option('--vertex', 'use Vertex AI (express mode with an API key, or --project/--location with ADC)')
    .option('--project <id>', 'Google Cloud project (Vertex)')
    .option('--location <region>', 'Google Cloud location (Vertex)')
    .option('--connect-timeout <seconds>', 'give up connecting after this long', '15')
    .option('--compression <trigger[:target]|off>', 'context window compression (default for audio 25600:12800)')
    .option('--sim [options]', 'start an in-process simulator and use it (no API key needed), e.g. --sim=go-away-every=20,seed=3')
    .option('--json', 'NDJSON events on stdout (docs/events.md)')
    .option('--no-tui', 'never draw the TUI, even on a terminal')
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
