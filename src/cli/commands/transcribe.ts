import { stat } from 'node:fs/promises';
import { importWithoutCiFlags } from '../load-ink.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { EventStream } from '../../core/events.js';
import { newSessionId } from '../../core/session-id.js';
import type { AudioSource } from '../../audio/sources/types.js';
import { createNdjsonConsumer } from '../../output/ndjson.js';
import type { LiveConfig, RawLiveOptions } from '../../live/types.js';
import { OrderedOutput } from '../../transcribe/ordered-output.js';
import { PartialFile } from '../../transcribe/partial-file.js';
import { progressSnapshot, type FileProgress } from '../../transcribe/progress.js';
import { formatSegmentLine } from '../../transcribe/segments.js';
import { chooseModality, transcribeDefaults } from '../../transcribe/config.js';
import { transcribeFile } from '../../transcribe/transcribe-file.js';
import { openInputSource, type AudioInputFlags } from '../audio-input.js';
import { parseSeconds } from '../options.js';
import { exitCodeForSignal, type Runtime } from '../runtime.js';
import { requestedSim, startSimFromFlag, type SimHandle } from '../sim-flag.js';
import { toCliError } from './chat.js';

export interface TranscribeFlags extends RawLiveOptions, Omit<AudioInputFlags, 'input'> {
  out?: string;
  timestamps?: boolean;
  concurrency?: string;
  timeout?: string;
  sim?: boolean | string;
  json?: boolean;
  color?: boolean;
  /** `--no-tui`: false. No progress bar. */
  tui?: boolean;
  /** `--no-log`: transcribe keeps no log anyway. */
  log?: boolean;
}

/** When the audio's duration is unknown (stdin) and no --timeout: this long after the stream ends. */
const AFTER_END_TIMEOUT_MS = 120_000;

function parseConcurrency(value: string | undefined): number {
  const n = Number(value ?? '2');
  if (!Number.isInteger(n) || n < 1) throw new CliError('usage', `--concurrency must be a whole number of at least 1, got "${value}"`);
  return n;
}

/** The inputs as given; none with piped stdin means stdin. */
function resolveInputs(inputs: readonly string[]): string[] {
  if (inputs.length === 0) {
    if (process.stdin.isTTY) {
      throw new CliError('usage', 'transcribe needs audio: name a WAV or raw PCM file, or pipe audio in (… | live-cli transcribe -)');
    }
    return ['-'];
  }
  if (inputs.filter((input) => input === '-').length > 1) throw new CliError('usage', 'stdin (-) can be named only once');
  return [...inputs];
}

/**
 * `live-cli transcribe [FILE…|-]`: each input through its own session (`--concurrency` at once),
 * plain text per segment on stdout in input order (or `--out FILE`), or NDJSON with `--json`.
 * Exits with the highest code among the files. Transcribe sessions are not recorded in the registry.
 */
export async function runTranscribe(args: readonly string[], flags: TranscribeFlags, runtime: Runtime): Promise<number> {
  let bar: import('../../ui/progress.js').ProgressHandle | undefined;
  // With the bar drawn, messages go above it rather than through it.
  const warn = (message: string): void => (bar ? bar.writeNote(`live-cli: ${message}\n`) : runtime.stderr.write(`live-cli: ${message}\n`));
  const events = new EventStream();
  if (flags.json) events.on(createNdjsonConsumer(runtime.stdout));
  let sim: SimHandle | undefined;
  let partial: PartialFile | undefined;
  let codes: number[] = [];
  let checked: Array<CheckedInput | undefined> = [];
  try {
    const inputs = resolveInputs(args);
    const concurrency = parseConcurrency(flags.concurrency);
    const timeoutMs = flags.timeout === undefined ? undefined : parseSeconds('--timeout', flags.timeout, 0) * 1000;
    const simFlag = requestedSim(flags);
    const multi = inputs.length > 1;
    codes = inputs.map(() => ExitCode.ok);
    const report = (index: number, error: unknown): void => {
      const input = inputs[index] ?? '-';
      const name = input === '-' ? 'stdin' : input;
      const cliError = toCliError(error);
      codes[index] = cliError.exitCode;
      const message = cliError.message.includes(name) ? cliError.message : `${name}: ${cliError.message}`;
      events.emit({ type: 'error', code: cliError.code, message, ...(cliError.closeCode ? { closeCode: cliError.closeCode } : {}), ...(multi ? { file: input } : {}) });
      warn(message);
    };
    // Inputs first: a bad file is exit 2 with its own message whether or not a key, the network or
    // the service is there; only the good ones go on to need them.
    checked = await checkInputs(inputs, flags, report, runtime.shutdown.signal);
    if (checked.some((input) => input !== undefined) && !runtime.shutdown.signal.aborted) {
      const config = await resolveTranscribeConfig(flags, simFlag !== undefined, warn, async () => {
        sim = await startSimFromFlag(simFlag ?? true);
        return sim.url;
      });
      if (flags.out !== undefined) partial = new PartialFile(flags.out, runtime.stdout);
      const progress: FileProgress[] = checked.map((input) => ({
        sentMs: 0,
        done: input === undefined,
        ...(input?.durationMs === undefined ? {} : { totalMs: input.durationMs }),
      }));
      // A terminal of unknown width (0 columns) would wrap the bar a character a line: no bar there.
      bar = process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && !flags.json && flags.tui !== false ? await startProgress(progress) : undefined;
      const toStdout = (text: string): void => {
        // stdout on the bar's terminal: the bar steps aside so it does not overwrite the line.
        if (bar && process.stdout.isTTY) bar.writeText(text);
        else runtime.stdout.write(text);
      };
      const sinkText = partial ? (text: string) => partial?.write(text) : toStdout;
      const writeText = flags.json && !partial ? () => undefined : sinkText;
      const ordered = new OrderedOutput(inputs.length, writeText);
      const runOne = async (index: number): Promise<void> => {
        const input = inputs[index] ?? '-';
        const file = progress[index] as FileProgress;
        const name = input === '-' ? 'stdin' : input;
        if (multi) ordered.push(index, `==> ${name} <==\n`);
        const check = checked[index];
        // Refused by the check (already reported): the header above is all it prints.
        if (check === undefined) return ordered.finish(index);
        let source: AudioSource | undefined;
        try {
          source = check.source ?? (await openSource(input, flags));
          await transcribeFile({
            source,
            openSession: (sessionEvents) => openSession(config, sessionEvents),
            out: events,
            ...(multi ? { file: input } : {}),
            onSegment: (segment) => ordered.push(index, formatSegmentLine(segment, flags.timestamps === true)),
            onProgress: (sentMs) => (file.sentMs = sentMs),
            ...(timeoutMs !== undefined
              ? { timeoutMs }
              : source.durationMs !== undefined
                ? { timeoutMs: source.durationMs + AFTER_END_TIMEOUT_MS }
                : { afterEndTimeoutMs: AFTER_END_TIMEOUT_MS }),
            signal: runtime.shutdown.signal,
          });
        } catch (error) {
          await source?.stop().catch(() => undefined);
          if (runtime.shutdown.signal.aborted) return;
          report(index, error);
        } finally {
          file.done = true;
          ordered.finish(index);
        }
      };
      await runPool(inputs.length, concurrency, runOne);
    }
  } catch (error) {
    const cliError = toCliError(error);
    codes = [...codes, cliError.exitCode];
    if (flags.json) events.emit({ type: 'error', code: cliError.code, message: cliError.message });
    warn(cliError.message);
  } finally {
    bar?.stop();
    bar = undefined;
    // A checked stream that never ran (the key or the service failed first) is let go.
    for (const input of checked) await input?.source?.stop().catch(() => undefined);
    const success = Math.max(ExitCode.ok, ...codes) === ExitCode.ok && !runtime.shutdown.signal.aborted;
    try {
      partial?.close(success);
      if (partial && !success) warn(`what was transcribed so far is in ${partial.partialPath}`);
    } catch (error) {
      const cliError = error instanceof CliError ? error : new CliError('output', `cannot finish --out ${flags.out}: ${(error as Error).message}`);
      if (flags.json) events.emit({ type: 'error', code: cliError.code, message: cliError.message });
      warn(cliError.message);
      codes.push(cliError.exitCode);
    }
    await sim?.close();
  }
  if (runtime.signal) return exitCodeForSignal(runtime.signal);
  if (runtime.stdout.broken) return runtime.stdout.failure ? ExitCode.output : ExitCode.ok;
  return Math.max(ExitCode.ok, ...codes);
}

/**
 * `--sim FILE`: commander gives an optional option value the next word, so `transcribe --sim a.wav`
 * would make `a.wav` the simulator's options. Options are only taken from `--sim=OPTIONS`; a value
 * after a bare `--sim` is a file, put back in its place among the others.
 */
export function reclaimSimValue(files: readonly string[], flags: TranscribeFlags, rawArgs: readonly string[]): string[] {
  const at = rawArgs.indexOf('--sim');
  if (typeof flags.sim !== 'string' || at === -1 || rawArgs[at + 1] !== flags.sim) return [...files];
  const value = flags.sim;
  flags.sim = true;
  const before = rawArgs.slice(0, at);
  let position = 0;
  while (position < files.length && before.includes(files[position] as string)) position++;
  return [...files.slice(0, position), value, ...files.slice(position)];
}

/**
 * An input that passed the check. A regular file is closed again (a batch of thousands must not
 * hold thousands of descriptors and read buffers) and reopened when its turn comes; a stream (stdin,
 * a FIFO such as `<(sox …)`) cannot be read twice, so its opened source is kept.
 */
interface CheckedInput {
  durationMs?: number;
  source?: AudioSource;
}

/**
 * Opens every input in order, before any key, simulator or connection is needed: a refused one is
 * reported (`report`, exit 2) and comes back undefined.
 */
async function checkInputs(
  inputs: readonly string[],
  flags: TranscribeFlags,
  report: (index: number, error: unknown) => void,
  signal: AbortSignal,
): Promise<Array<CheckedInput | undefined>> {
  const checked: Array<CheckedInput | undefined> = [];
  for (const [index, input] of inputs.entries()) {
    if (signal.aborted) break;
    try {
      const source = await openSource(input, flags);
      const durationMs = source.durationMs === undefined ? {} : { durationMs: source.durationMs };
      if (input !== '-' && (await isRegularFile(input))) {
        await source.stop();
        checked.push(durationMs);
      } else {
        checked.push({ ...durationMs, source });
      }
    } catch (error) {
      report(index, error);
      checked.push(undefined);
    }
  }
  return checked;
}

async function openSource(input: string, flags: TranscribeFlags): Promise<AudioSource> {
  const source = await openInputSource({ ...flags, input }, 'fast');
  if (!source) throw new CliError('usage', `cannot transcribe "${input}"`);
  return source;
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Runs `task(0..count-1)` with at most `limit` at once, started in order. */
async function runPool(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** The Ink bar on a terminal's stderr; Ink is loaded only here. */
async function startProgress(files: FileProgress[]): Promise<import('../../ui/progress.js').ProgressHandle> {
  const { startProgressBar } = await importWithoutCiFlags(() => import('../../ui/progress.js'));
  const started = performance.now();
  return startProgressBar(process.stderr, process.stdout, () => progressSnapshot(files, performance.now() - started));
}

async function resolveTranscribeConfig(
  flags: TranscribeFlags,
  useSim: boolean,
  warn: (message: string) => void,
  startSim: () => Promise<string>,
): Promise<LiveConfig> {
  const { resolveLiveConfig, loadConfigFile } = await import('../../live/config.js');
  const { lookupModel } = await import('../../live/models.js');
  const fileConfig = loadConfigFile(process.env);
  const raw = transcribeDefaults(flags, process.env, fileConfig);
  const endpoint = useSim ? await startSim() : undefined;
  const resolveOptions = { sim: useSim, modelOptions: false, ...(endpoint ? { endpoint } : {}) };
  // The model decides the modality: resolve once to learn it, then with the modality chosen.
  const probe = resolveLiveConfig({ ...raw, modality: flags.modality ?? 'audio' }, process.env, fileConfig, resolveOptions);
  raw.modality = chooseModality(flags.modality, lookupModel(probe.config.model).textOutput);
  const { config, warnings } = resolveLiveConfig(raw, process.env, fileConfig, resolveOptions);
  for (const warning of warnings) warn(`warning: ${warning}`);
  // The reply is never used: no transcription of it (a spoken reply's audio is dropped unplayed).
  config.outputTranscription = false;
  return config;
}

async function openSession(config: LiveConfig, events: EventStream) {
  const { openLiveSession } = await import('../../live/session.js');
  // Transcribe sessions are not recorded, so there is no `live-cli resume` to point at.
  // The transcript collector rolls back to the handle itself, so the re-sent pieces must reach it.
  return openLiveSession({ config, events, id: newSessionId(), resumeCommand: null, dropRepeats: false });
}
