import { micOffNotice, playbackOffNotice } from '../../audio/device-notices.js';
import { whenAborted } from '../../core/abort.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { EventStream, type LiveEvent } from '../../core/events.js';
import { runHeadlessChat } from '../../core/headless-chat.js';
import { textTurns } from '../../core/inputs.js';
import { newSessionId } from '../../core/session-id.js';
import type { PcmChunk } from '../../audio/pcm.js';
import type { AudioSink } from '../../audio/sinks/types.js';
import type { AudioSource } from '../../audio/sources/types.js';
import type { ConversationRecording } from '../../audio/sinks/record.js';
import { createNdjsonConsumer } from '../../output/ndjson.js';
import { createStatusConsumer, createTextConsumer } from '../../output/text.js';
import type { LiveConfig, LiveSessionHandle, RawLiveOptions } from '../../live/types.js';
import { openInputSource, type AudioInputFlags } from '../audio-input.js';
import { openMic, openOutput, type AudioDeviceFlags } from '../audio-devices.js';
import { parseSeconds } from '../options.js';
import { exitCodeForSignal, type Runtime } from '../runtime.js';
import { requestedSim, startSimFromFlag, type SimHandle } from '../sim-flag.js';
import { recordSession, type RecordedSession } from '../session-record.js';
import { ChatTui, wantsTui } from '../chat-tui.js';
import { prepareVisualInput, startVisualInput, type RunningVisualInput, type VisualFlags } from '../visual-input.js';
import type { ResolvedSession } from '../../registry/index.js';
import type { EventInput } from '../../core/events.js';
import type { ToolFlags, ToolSet } from '../../tools/index.js';

/** What `resume` hands to the run: the handle, and for a recorded session its record and transcript. */
export interface ResumeTarget extends ResolvedSession {
  /** The earlier conversation, as events marked `history: true`. */
  history: EventInput[];
  /** Whether the handle is within its ~2-hour validity (true for a raw handle: unknown). */
  valid: boolean;
}

export interface ChatFlags extends RawLiveOptions, AudioInputFlags, AudioDeviceFlags, VisualFlags, ToolFlags {
  text?: string[];
  turnTimeout?: string;
  sim?: boolean | string;
  json?: boolean;
  tui?: boolean;
  color?: boolean;
  /** `--no-log`: keep only what resuming needs. */
  log?: boolean;
}

/** Everything a run opened, closed in reverse order however it ends. */
interface Resources {
  sim?: SimHandle;
  source?: AudioSource;
  sink?: AudioSink;
  recording?: ConversationRecording;
  session?: LiveSessionHandle;
  tools?: ToolSet;
  recorded?: RecordedSession;
  tui?: ChatTui;
  visual?: RunningVisualInput;
  /** Set once the run is being closed down. */
  finished?: Promise<number>;
}

/**
 * `live-cli chat`. On a terminal: the TUI (voice from the mic, typed turns, keys). Headless: text
 * turns from `--text` and stdin, audio from `--input FILE|-|mic`; events to NDJSON or a readable
 * transcript. Either way model audio goes to a sink and every event through one stream.
 * `live-cli resume` is the same run, continuing `resume` (its handle; its id and earlier
 * transcript when it is a recorded session).
 */
export async function runChat(flags: ChatFlags, runtime: Runtime, resume?: ResumeTarget): Promise<number> {
  const events = new EventStream();
  const emittedErrors = new Set<string>();
  events.on((event) => {
    if (event.type === 'error') emittedErrors.add(event.message);
  });
  const tuiMode = wantsTui(flags);
  if (!tuiMode) {
    events.on(flags.json ? createNdjsonConsumer(runtime.stdout) : createTextConsumer(runtime.stdout, runtime.stderr));
    if (flags.json) events.on(createStatusConsumer(runtime.stderr));
  }

  // Resuming a recorded session continues its id, so its log and `sessions show` hold the whole conversation.
  const id = resume?.record?.id ?? newSessionId();
  const open: Resources = {};
  // Anything written to stderr while the TUI draws would tear its frame: warnings go into it instead.
  let warn = (message: string): void => runtime.stderr.write(`live-cli: ${message}\n`);
  let exitCode: number = ExitCode.ok;
  let finalError: CliError | undefined;
  try {
    const turnTimeoutMs = parseSeconds('--turn-timeout', flags.turnTimeout, 30) * 1000;
    const simFlag = requestedSim(flags);
    // Inputs and outputs first: a bad file or a missing device fails before any connection.
    open.source = await openInputSource(flags, 'realtime');
    const visual = await prepareVisualInput(flags);
    const { resolveLiveConfig, loadConfigFile, normaliseEndpoint } = await import('../../live/config.js');
    const resolveConfig = (endpoint?: string): ReturnType<typeof resolveLiveConfig> =>
      resolveLiveConfig(flags, process.env, loadConfigFile(process.env), { sim: simFlag !== undefined, ...(endpoint ? { endpoint } : {}) });
    if (tuiMode) {
      // A configuration error (no key, bad flag) is a plain one-line error, before anything is drawn.
      const { config } = resolveConfig();
      open.tui = await ChatTui.start({ events, config, color: flags.color !== false && !process.env.NO_COLOR });
      const tui = open.tui;
      warn = (message) => tui.warn(message);
      // --text on a terminal: sent first, in order, then the conversation is the user's.
      for (const text of flags.text ?? []) tui.sendWhenOpen(text);
      open.source ??= await openTuiVoice(flags, tui);
    } else if (flags.input === 'mic') {
      open.source = await openMic(flags);
    }
    const output = tuiMode ? await openTuiOutput(flags, warn) : await openOutput(flags, 'none', warn);
    open.sink = output.sink;
    open.recording = output.recording;
    open.sim = simFlag !== undefined ? await startSimFromFlag(simFlag) : undefined;
    const { config, warnings } = resolveConfig(open.sim ? normaliseEndpoint(open.sim.url) : undefined);
    for (const warning of warnings) warn(`warning: ${warning}`);
    if (resume) {
      config.resumeHandle = resume.handle;
      replayHistory(events, resume, warn);
    }
    open.recorded = await recordSession(events, id, config, {
      log: flags.log !== false,
      sim: open.sim !== undefined,
      ...(resume ? { resumedFrom: resume } : {}),
      warn,
    });
    routeModelAudio(events, output.sink);
    // MCP servers start before the connection: the setup declares their tools.
    const { openTools } = await import('../../tools/index.js');
    open.tools = await openTools(flags, loadConfigFile(process.env), config.model, events);
    config.tools = open.tools.setup;
    for (const warning of open.tools.warnings) warn(`warning: ${warning}`);
    open.tui?.attachTools(open.tools);
    if (runtime.shutdown.signal.aborted) throw new CliError('internal', 'interrupted before connecting');
    const connecting = openSession(config, events, id, { tools: open.tools, sim: open.sim !== undefined, signal: runtime.shutdown.signal }).catch((error: unknown) => {
      throw resume ? explainRejectedHandle(error, resume, open.recorded) : error;
    });
    if (open.tui) {
      // Quitting while the connection is being set up ends the run; a session that opens anyway is closed.
      const quit = open.tui.whenQuit().then(() => undefined);
      const aborted = whenAborted(runtime.shutdown.signal).then(() => undefined);
      const session = await Promise.race([connecting, quit, aborted]);
      if (!session) {
        void connecting.then((late) => late.close()).catch(() => undefined);
        return await finish();
      }
      open.session = session;
      open.visual = await startVisualInput(visual, session, events, warn);
      await open.tui.converse({
        session,
        events,
        source: open.source,
        pushToTalk: !config.automaticActivityDetection,
        ...(open.recording ? { onAudio: inputRecorder(open.recording) } : {}),
        signal: runtime.shutdown.signal,
      });
      return await finish();
    }
    open.session = await connecting;
    open.visual = await startVisualInput(visual, open.session, events, warn);
    // stdin carries text turns unless it carries the audio, or is a terminal while --text was given.
    const stdinForText = flags.input !== '-' && !(process.stdin.isTTY && (flags.text?.length ?? 0) > 0);
    if (stdinForText && process.stdin.isTTY) {
      // --no-tui on a terminal: a line-by-line conversation; say so rather than sit silent.
      runtime.stderr.write('live-cli: connected; type a message and press Enter (Ctrl+D ends the conversation)\n');
    }
    await runHeadlessChat({
      session: open.session,
      events,
      texts: textTurns(flags.text ?? [], stdinForText ? process.stdin : undefined),
      ...(open.source
        ? {
            audio: {
              source: open.source,
              manualActivity: !config.automaticActivityDetection,
              ...(open.recording ? { onAudio: inputRecorder(open.recording) } : {}),
            },
          }
        : {}),
      turnTimeoutMs,
      signal: runtime.shutdown.signal,
    });
  } catch (error) {
    const cliError = toCliError(error);
    if (!runtime.signal) {
      exitCode = cliError.exitCode;
      finalError = cliError;
      if (!emittedErrors.has(cliError.message)) {
        events.emit({ type: 'error', code: cliError.code, message: cliError.message, ...(cliError.closeCode ? { closeCode: cliError.closeCode } : {}) });
      }
      if (flags.json) runtime.stderr.write(`live-cli: ${cliError.message}\n`);
    }
  }
  return finish();

  /** Closes everything in reverse order and says how to continue; runs once, however the run ends. */
  async function finish(): Promise<number> {
    if (open.finished) return open.finished;
    open.finished = (async () => {
      // The TUI leaves the screen first, so what follows (errors, the resume line) prints below it.
      open.tui?.close();
      // In TUI mode no text consumer prints errors: the TUI showed it (now gone) or never started.
      if (tuiMode && finalError) runtime.stderr.write(`live-cli: ${finalError.message}\n`);
      exitCode = await closeAll(open, runtime, exitCode);
      const record = open.recorded?.registry.get(id);
      // Only a handle the server has not refused is worth suggesting; a sim session resumes on the sim.
      const resumable = record?.lastHandle !== undefined && record.resumable;
      const hint = `live-cli resume ${id}${record?.endpoint === 'sim' ? ' --sim' : ''}`;
      events.emit({ type: 'session.end', id, ...(resumable ? { resume: hint } : {}) });
      await open.recorded?.log.close();
      if (resumable) runtime.stderr.write(`${hint}\n`);
      else if (record && exitCode !== ExitCode.ok && !runtime.signal && record.lastHandle === undefined && !record.firstWords && !resume?.record) {
        // A run that failed before anything was said or any handle arrived (no key, refused, no
        // network) leaves nothing to resume or read: it would only clutter `sessions`.
        open.recorded?.registry.remove(id);
      }
      if (runtime.signal) return exitCodeForSignal(runtime.signal);
      if (runtime.stdout.broken) return runtime.stdout.failure ? ExitCode.output : ExitCode.ok;
      return exitCode;
    })();
    return open.finished;
  }
}

/** The recording of both sides hears the user as sent: converted 16 kHz chunks. */
function inputRecorder(recording: ConversationRecording): (chunk: PcmChunk) => void {
  return (chunk) => recording.input(chunk);
}

/**
 * The TUI's voice: the mic unless `--input` named a file. No recorder or no capture device is not
 * fatal here (unlike headless `--input mic`): the conversation opens in text mode and says what to
 * install.
 */
async function openTuiVoice(flags: ChatFlags, tui: ChatTui): Promise<AudioSource | undefined> {
  if (flags.input !== undefined && flags.input !== 'mic') return undefined;
  try {
    return await openMic(flags);
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== 'device') throw error;
    tui.store.notice(micOffNotice(error.message), 'warn');
    return undefined;
  }
}

/**
 * The TUI plays replies on the speaker; with no player, or a player that finds no device, it goes
 * on silent (transcripts still show) and says so once. Only the default does: an `--output speaker`
 * the user asked for is their audio, and its failure stays an error (exit 5).
 */
async function openTuiOutput(flags: ChatFlags, warn: (message: string) => void): Promise<Awaited<ReturnType<typeof openOutput>>> {
  if (flags.output !== undefined) return openOutput(flags, 'speaker', warn);
  try {
    const output = await openOutput(flags, 'speaker', warn, (error) => warn(playbackOffNotice(error.message)));
    return { ...output, sink: withoutDeviceFailure(output.sink) };
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== 'device') throw error;
    warn(playbackOffNotice(error.message));
    return openOutput({ ...flags, output: 'none' }, 'none', warn);
  }
}

/** A sink whose device failure was already told (playback off) and does not fail the run at close. */
function withoutDeviceFailure(sink: AudioSink): AudioSink {
  return {
    get label() {
      return sink.label;
    },
    write: (chunk) => sink.write(chunk),
    flush: () => sink.flush(),
    close: (options) =>
      sink.close(options).catch((error: unknown) => {
        if (!(error instanceof CliError && error.code === 'device')) throw error;
      }),
  };
}

/** `resume` first shows the earlier conversation: its transcript events, marked `history: true`. */
function replayHistory(events: EventStream, resume: ResumeTarget, warn: (message: string) => void): void {
  for (const event of resume.history) events.emit(event);
  if (!resume.valid && resume.record) {
    warn(`the handle of session ${resume.record.id} is past its ~2-hour validity; trying it anyway`);
  }
}

/** The server refusing a handle deserves a plain sentence, and the record should remember it. */
function explainRejectedHandle(error: unknown, resume: ResolvedSession, recorded: RecordedSession | undefined): unknown {
  if (!(error instanceof CliError) || error.closeCode !== 1008 || !/session not found|handle/i.test(error.message)) return error;
  if (resume.record) recorded?.registry.update(resume.record.id, { resumable: false });
  const what = resume.record ? `session ${resume.record.id}` : 'that handle';
  return new CliError('protocol', `the service no longer knows ${what} (its handle was rejected: it expired or the session ended); start a new one with live-cli chat`, {
    closeCode: 1008,
  });
}

/** Model audio to the sink; barge-in (`interrupted`) drops what the sink still holds at once. */
function routeModelAudio(events: EventStream, sink: AudioSink): void {
  events.on((event: LiveEvent) => {
    if (event.type === 'audio' && 'pcm' in event && Buffer.isBuffer(event.pcm)) {
      sink.write({ data: event.pcm, sampleRate: event.sampleRate, channels: 1 });
    } else if (event.type === 'interrupted') {
      const droppedMs = sink.flush();
      events.emit({ type: 'playback.flushed', droppedMs: Math.round(droppedMs), conn: event.conn });
    }
  });
}

async function closeAll(open: Resources, runtime: Runtime, exitCode: number): Promise<number> {
  let code = exitCode;
  const report = (error: unknown): void => {
    runtime.stderr.write(`live-cli: ${(error as Error).message}\n`);
    if (code === ExitCode.ok) code = error instanceof CliError ? error.exitCode : ExitCode.internal;
  };
  await open.source?.stop().catch(report);
  open.visual?.stop();
  await open.session?.close().catch(() => undefined);
  await open.tools?.close();
  // A signal means stop now: queued playback is dropped rather than played out.
  await open.sink?.close({ discard: runtime.shutdown.signal.aborted }).catch(report);
  await open.recording?.close().catch(report);
  await open.sim?.close();
  return code;
}

async function openSession(config: LiveConfig, events: EventStream, id: string, options: { tools: ToolSet; sim: boolean; signal: AbortSignal }): Promise<LiveSessionHandle> {
  const { openLiveSession } = await import('../../live/session.js');
  // A signal while connecting aborts the connect: the run ends at once, not at the connect timeout.
  // A session on the simulator resumes on the simulator (its handles are kept for the next process).
  return openLiveSession({
    config,
    events,
    id,
    toolHost: options.tools.host,
    signal: options.signal,
    ...(options.sim ? { resumeCommand: `live-cli resume ${id} --sim` } : {}),
  });
}

export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('internal', `internal error: ${message} (please report this)`);
}
