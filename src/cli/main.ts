import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { addAudioOptions, addSessionOptions, addTranscribeOptions, collect } from './options.js';
import { getRuntime, handleSignals, type Runtime } from './runtime.js';
import { addToolOptions } from './tool-options.js';
import type { ChatFlags } from './commands/chat.js';
import type { TranscribeFlags } from './commands/transcribe.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const chatExamples = `
Examples:
  $ live-cli chat --sim                          talk to the built-in simulator (no API key)
  $ live-cli chat --push-to-talk                 Space starts and ends each utterance
  $ echo "hello there" | live-cli chat --sim --model gemini-live-2.5-flash-preview --modality text --json
  $ live-cli chat --sim --input question.wav --output reply.wav --json
  $ live-cli chat --sim --input mic --duration 8 --output speaker
  $ live-cli chat --text "What is the Live API?" --output reply.wav
  $ live-cli chat --endpoint http://127.0.0.1:8080 --text hi   (against \`live-cli sim --port 8080\`)
  $ live-cli chat --model gemini-3.8-live-extended-thinking --thinking-level high --show-thoughts
  $ live-cli chat --model gemini-2.5-flash-native-audio-preview-12-2025 --affective   (v1alpha is chosen for you)
  $ live-cli chat --image photo.jpg --text "What is in this picture?"
  $ live-cli chat --screen --silence-ms 800                 (1 FPS screen frames through ffmpeg)
  $ live-cli models                                         (what each model accepts)
  $ live-cli chat --mcp "node my-mcp-server.js" --allow-tool search_notes --text "find my notes on lunch"`;

const simExamples = `
Examples:
  $ live-cli sim --port 8080
  $ live-cli sim --port 0 --go-away-every 60 --drop-every 45 --report sim.ndjson
  $ live-cli chat --sim=go-away-every=20,reject-resume,seed=3 --text hi`;

/** Builds the program. Commands load their code only when they run, so `--help` stays fast. */
export async function buildProgram(runtime: Runtime, setExit: (code: number) => void): Promise<Command> {
  const program = new Command('live-cli')
    .description('A terminal voice agent for the Gemini Live API.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => runtime.stdout.write(text),
      writeErr: (text) => runtime.stderr.write(text),
    })
    .exitOverride();

  const chat = program
    .command('chat')
    .description('a conversation with a Live model: the TUI on a terminal (voice and typed turns), headless otherwise (--text, stdin lines, --input)')
    .option('--text <message>', 'send this text turn (repeatable; sent first, in order)', collect)
    .option('--turn-timeout <seconds>', 'how long to wait for each reply', '30');
  addAudioOptions(chat);
  addToolOptions(chat);
  addSessionOptions(chat).addHelpText('after', chatExamples).action(async (flags: ChatFlags) => {
    const { runChat } = await import('./commands/chat.js');
    setExit(await runChat(flags, runtime));
  });

  const resume = program
    .command('resume')
    .argument('<handle|id|last>', 'a session id (or a unique prefix), last, or a raw resumption handle')
    .description("continue a recorded session by its resumption handle, with chat's options; shows the earlier transcript first")
    .option('--text <message>', 'send this text turn (repeatable; sent first, in order)', collect)
    .option('--turn-timeout <seconds>', 'how long to wait for each reply', '30');
  addAudioOptions(resume);
  addToolOptions(resume);
  addSessionOptions(resume)
    .addHelpText('after', `\nExamples:\n  $ live-cli resume last --text "where were we?"\n  $ live-cli sessions            (ids to resume)`)
    .action(async (ref: string, flags: ChatFlags) => {
      const { runResume } = await import('./commands/resume.js');
      setExit(await runResume(ref, flags, runtime));
    });

  const transcribe = program
    .command('transcribe')
    .argument('[files...]', 'WAV or raw PCM files, or - for stdin (default: stdin when it is piped)')
    .description('audio in, transcript out: one line per segment on stdout (or --out FILE), NDJSON with --json');
  addTranscribeOptions(transcribe)
    .addHelpText(
      'after',
      `\nExamples:\n  $ live-cli transcribe --sim question.wav\n  $ live-cli transcribe --timestamps --out talk.txt talk.wav\n  $ cat speech-16k.pcm | live-cli transcribe -\n  $ live-cli transcribe --json a.wav b.wav c.wav --concurrency 2`,
    )
    .action(async (files: string[], flags: TranscribeFlags) => {
      const { reclaimSimValue, runTranscribe } = await import('./commands/transcribe.js');
      setExit(await runTranscribe(reclaimSimValue(files, flags, process.argv), flags, runtime));
    });

  program
    .command('sessions')
    .argument('[action]', 'list (default), show ID, rm ID, prune', 'list')
    .argument('[id]', 'the session id (or a unique prefix) for show and rm')
    .description('the session registry: recorded sessions, their transcripts and handles')
    .option('--json', 'one JSON object per session (per event for show) per line')
    .addHelpText('after', `\nExamples:\n  $ live-cli sessions\n  $ live-cli sessions show 20261130-1425\n  $ live-cli sessions prune`)
    .action(async (action: string, id: string | undefined, flags: { json?: boolean }) => {
      if (!['list', 'show', 'rm', 'prune'].includes(action)) {
        throw new CliError('usage', `sessions takes list, show ID, rm ID or prune, got "${action}"`);
      }
      const { runSessions } = await import('./commands/sessions.js');
      setExit(await runSessions(action as 'list' | 'show' | 'rm' | 'prune', id, flags.json === true, runtime));
    });

  program
    .command('devices')
    .description('list audio capture and playback devices')
    .option('--json', 'one JSON object per device')
    .action(async (flags: { json?: boolean }) => {
      const { runDevices } = await import('./commands/devices.js');
      setExit(await runDevices(flags.json === true, runtime));
    });

  program
    .command('models')
    .description('the Live models live-cli knows and what each accepts (thinking, affective, proactive, TEXT out)')
    .option('--json', 'one JSON object per model')
    .action(async (flags: { json?: boolean }) => {
      const { runModels } = await import('./commands/models.js');
      setExit(runModels(flags.json === true, runtime));
    });

  program
    .command('voices')
    .description('the prebuilt voices for --voice, each with a short description')
    .option('--json', 'one JSON object per voice')
    .action(async (flags: { json?: boolean }) => {
      const { runVoices } = await import('./commands/voices.js');
      setExit(runVoices(flags.json === true, runtime));
    });

  const { SIM_OPTION_SPECS, defaultSimOptions } = await import('../sim/options.js');
  const sim = program
    .command('sim')
    .description('run the Live API simulator (a protocol-faithful test double with fault injection)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print the listening line as JSON');
  for (const spec of SIM_OPTION_SPECS) {
    if (spec.key === 'port' || spec.key === 'host') continue; // declared above with the command's own defaults
    const flag = spec.kind === 'switch' ? `--${spec.flag}` : `--${spec.flag} <value>`;
    const option = new Option(flag, spec.description);
    if (spec.choices) option.choices(spec.choices);
    sim.addOption(option);
  }
  sim.addHelpText('after', simExamples).action(async (flags: Record<string, string | boolean | undefined>) => {
    const { simOptionsFromFlags } = await import('./sim-options.js');
    const options = simOptionsFromFlags(flags, defaultSimOptions(), SIM_OPTION_SPECS);
    const { runSim } = await import('./commands/sim.js');
    setExit(await runSim(options, flags.json === true, runtime));
  });
  return program;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const runtime = getRuntime();
  handleSignals(runtime);
  let exitCode: number = ExitCode.ok;
  try {
    const program = await buildProgram(runtime, (code) => (exitCode = code));
    await program.parseAsync(argv, { from: 'node' });
  } catch (error) {
    exitCode = reportFailure(error, runtime);
  }
  await runtime.stdout.drain();
  const failure = runtime.stdout.failure;
  if (failure) {
    runtime.stderr.write(`live-cli: ${stdoutFailureMessage(failure)}\n`);
    // A signal's code says how the run ended; otherwise the lost output is the news.
    if (exitCode < 128) exitCode = ExitCode.output;
  }
  // Lets out what the redactor held back (a tail that might have begun a key).
  await runtime.stderr.drain();
  return exitCode;
}

/** One line: what failed, and what was kept. */
export function stdoutFailureMessage(error: NodeJS.ErrnoException): string {
  const why = error.code === 'ENOSPC' ? 'ENOSPC: no space left on device' : (error.code ?? error.message);
  return `cannot write to stdout (${why}): output from then on was lost; free space or send stdout elsewhere`;
}

function reportFailure(error: unknown, runtime: Runtime): number {
  if (error instanceof CommanderError) {
    // Help and version are not failures; every other commander error is a usage error.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof CliError) {
    runtime.stderr.write(`live-cli: ${redact(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  runtime.stderr.write(`live-cli: internal error (please report this): ${redact(message)}\n`);
  return ExitCode.internal;
}
