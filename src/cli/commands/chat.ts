import { CliError, ExitCode } from '../../core/errors.js';
import { EventStream, type LiveEvent } from '../../core/events.js';
import { runHeadlessChat } from '../../core/headless-chat.js';
import { textTurns } from '../../core/inputs.js';
import { newSessionId } from '../../core/session-id.js';
import { WavFileSink } from '../../audio/sinks/wav-file.js';
import { LIVE_OUTPUT_RATE } from '../../audio/pcm.js';
import { createNdjsonConsumer } from '../../output/ndjson.js';
import { createTextConsumer } from '../../output/text.js';
import type { LiveConfig, LiveSessionHandle, RawLiveOptions } from '../../live/types.js';
import { parseSeconds } from '../options.js';
import { exitCodeForSignal, type Runtime } from '../runtime.js';
import { startSimFromFlag, type SimHandle } from '../sim-flag.js';

export interface ChatFlags extends RawLiveOptions {
  text?: string[];
  output?: string;
  turnTimeout?: string;
  sim?: boolean | string;
  json?: boolean;
  tui?: boolean;
  color?: boolean;
}

/**
 * `live-cli chat` (headless until the TUI lands): text turns from `--text` and stdin, each awaited;
 * events to NDJSON or a readable transcript; model audio to a WAV file or nowhere.
 */
export async function runChat(flags: ChatFlags, runtime: Runtime): Promise<number> {
  const events = new EventStream();
  const emittedErrors = new Set<string>();
  events.on((event) => {
    if (event.type === 'error') emittedErrors.add(event.message);
  });
  const consumer = flags.json ? createNdjsonConsumer(runtime.stdout) : createTextConsumer(runtime.stdout, runtime.stderr);
  events.on(consumer);

  const id = newSessionId();
  let sim: SimHandle | undefined;
  let wav: WavFileSink | undefined;
  let session: Awaited<ReturnType<typeof openSession>> | undefined;
  let exitCode: number = ExitCode.ok;
  try {
    const turnTimeoutMs = parseSeconds('--turn-timeout', flags.turnTimeout, 30) * 1000;
    const output = flags.output ?? 'none';
    wav = await openOutput(output);
    if (flags.sim !== undefined && flags.sim !== false && flags.endpoint) {
      throw new CliError('usage', '--sim starts its own simulator and cannot be combined with --endpoint; drop one of them');
    }
    sim = flags.sim !== undefined && flags.sim !== false ? await startSimFromFlag(flags.sim) : undefined;
    const { resolveLiveConfig, loadConfigFile } = await import('../../live/config.js');
    const { config, warnings } = resolveLiveConfig(flags, process.env, loadConfigFile(process.env), {
      sim: sim !== undefined,
      ...(sim ? { endpoint: sim.url } : {}),
    });
    for (const warning of warnings) runtime.stderr.write(`live-cli: warning: ${warning}\n`);
    if (wav) {
      const sink = wav;
      events.on((event: LiveEvent) => {
        if (event.type === 'audio' && 'pcm' in event && Buffer.isBuffer(event.pcm)) {
          sink.write({ data: event.pcm, sampleRate: event.sampleRate, channels: 1 });
        }
      });
    }
    session = await openSession(config, events, id, runtime.shutdown.signal);
    if (session) {
      // Lines come from stdin unless it is a terminal and --text was given (then nothing more is asked).
      const stdin = process.stdin.isTTY && (flags.text?.length ?? 0) > 0 ? undefined : process.stdin;
      await runHeadlessChat({
        session,
        events,
        texts: textTurns(flags.text ?? [], stdin),
        turnTimeoutMs,
        signal: runtime.shutdown.signal,
      });
    }
  } catch (error) {
    const cliError = toCliError(error);
    exitCode = cliError.exitCode;
    if (!emittedErrors.has(cliError.message)) {
      events.emit({ type: 'error', code: cliError.code, message: cliError.message, ...(cliError.closeCode ? { closeCode: cliError.closeCode } : {}) });
    }
    if (flags.json) runtime.stderr.write(`live-cli: ${cliError.message}\n`);
  } finally {
    await session?.close().catch(() => undefined);
    try {
      await wav?.close();
    } catch (error) {
      runtime.stderr.write(`live-cli: ${(error as Error).message}\n`);
      if (exitCode === ExitCode.ok) exitCode = ExitCode.internal;
    }
    events.emit({ type: 'session.end', id });
    await sim?.close();
  }
  if (runtime.signal) return exitCodeForSignal(runtime.signal);
  if (runtime.stdout.broken) return ExitCode.ok;
  return exitCode;
}

async function openSession(
  config: LiveConfig,
  events: EventStream,
  id: string,
  signal: AbortSignal,
): Promise<LiveSessionHandle | undefined> {
  if (signal.aborted) return undefined;
  const { openLiveSession } = await import('../../live/session.js');
  return openLiveSession({ config, events, id });
}

async function openOutput(output: string): Promise<WavFileSink | undefined> {
  if (output === 'none') return undefined;
  if (output === 'speaker') {
    throw new CliError('usage', '--output speaker is not available yet; use --output FILE.wav or --output none');
  }
  if (!output.toLowerCase().endsWith('.wav')) {
    throw new CliError('usage', `--output takes none or a FILE.wav path, got "${output}"`);
  }
  const sink = new WavFileSink(output, LIVE_OUTPUT_RATE);
  try {
    await sink.open();
  } catch (error) {
    throw new CliError('usage', `cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return sink;
}

export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('internal', `internal error: ${message} (please report this)`);
}
