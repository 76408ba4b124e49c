import { SILENCE_DBFS, chunkLevel } from '../../audio/level.js';
import { chunkMs, type PcmChunk } from '../../audio/pcm.js';
import { sinceStart, type AudioEvent, type LiveEvent } from '../../core/events.js';
import { TranscriptBuilder } from './transcript.js';
import type { ApprovalView, ConnectionState, GoAwayState, LevelReading, MicMode, StatusMessage, TuiState, UsageState } from './tui-state.js';

export type { Speaker, Turn, TranscriptState } from './transcript.js';
export type { ApprovalView, ConnectionState, GoAwayState, LevelReading, MicMode, StatusMessage, TuiState, UsageReport, UsageState } from './tui-state.js';

export interface TuiSettings {
  model: string;
  voice?: string;
  /** The model's context window, for the fill gauge. */
  contextWindowTokens?: number;
  /** Marks the compression trigger on the gauge. */
  compressionTriggerTokens?: number;
  /** Initial mic state ('off' = text mode, no voice). */
  mic: MicMode;
  pushToTalk: boolean;
  /** ms clock on the same scale as event.t (default: sinceStart); tests inject one. */
  now?: () => number;
}

export type TuiCommand =
  | { type: 'send-text'; text: string }
  | { type: 'toggle-mute' }
  | { type: 'toggle-talk' }
  | { type: 'quit' }
  /** The user's answer to the tool call waiting for approval (y / n). */
  | { type: 'approve'; run: boolean };

const SILENT: LevelReading = { dbfs: SILENCE_DBFS, at: 0, holdMs: 0 };

/**
 * The TUI's state, reduced from the event stream. Immutable snapshots for useSyncExternalStore.
 *
 * Batching: events update fields at once, but listeners are told at most once per event-loop turn
 * (setImmediate), so a burst (history replay, a frame carrying several events) is one React update.
 * Audio levels never notify at all: they only mark the snapshot stale, and the App's shared timer
 * re-reads it at its own rate, so audio chunks never cause React renders of their own.
 */
export class TuiStore {
  /** The clock countdowns and level decay are computed from (same scale as event.t). */
  readonly now: () => number;
  private readonly transcript = new TranscriptBuilder();
  private readonly listeners = new Set<() => void>();
  private model: string;
  private mic: MicMode;
  private connection: ConnectionState = { status: 'connecting', generation: 0, resumed: false };
  private usage: UsageState;
  private goAway: GoAwayState = { phase: 'hidden' };
  private inputLevel = SILENT;
  private outputLevel = SILENT;
  private message: StatusMessage | undefined;
  /** Tool calls waiting for y/n, first shown first. */
  private approvals: Array<{ view: ApprovalView; resolve: (run: boolean) => void }> = [];
  private snapshot: TuiState;
  private stale = false;
  private notifyPending = false;

  constructor(private readonly settings: TuiSettings) {
    this.now = settings.now ?? sinceStart;
    this.model = settings.model;
    this.mic = settings.mic;
    this.usage = {
      sessionResponseTokens: 0,
      turns: 0,
      ...(settings.contextWindowTokens === undefined ? {} : { contextWindowTokens: settings.contextWindowTokens }),
      ...(settings.compressionTriggerTokens === undefined ? {} : { compressionTriggerTokens: settings.compressionTriggerTokens }),
    };
    this.snapshot = this.build();
  }

  /** Bound, so it can be handed to EventStream.on as is. */
  readonly handle = (event: LiveEvent): void => {
    if (event.type === 'audio') {
      this.outputAudio(event);
      return;
    }
    const transcriptChanged = this.transcript.apply(event);
    if (this.reduce(event) || transcriptChanged) this.changed();
  };

  setMic(mode: MicMode): void {
    if (mode === this.mic) return;
    this.mic = mode;
    this.changed();
  }

  /** Mic chunks, for the input meter. Cheap: one pass over the samples, no notification. */
  inputAudio(chunk: PcmChunk): void {
    this.inputLevel = { dbfs: chunkLevel(chunk).rmsDbfs, at: this.now(), holdMs: chunkMs(chunk) };
    this.stale = true;
  }

  notice(text: string, tone: 'info' | 'warn' | 'error' = 'info'): void {
    this.message = { text, tone };
    this.changed();
  }

  /**
   * Asks the user whether a tool call may run; resolves with the answer. A call the server cancels
   * meanwhile (`signal`) leaves the prompt and resolves false.
   */
  requestApproval(view: ApprovalView, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = { view, resolve };
      this.approvals.push(entry);
      signal.addEventListener('abort', () => this.settleApproval(entry, false), { once: true });
      this.changed();
    });
  }

  /** The answer to the approval on screen (the first one waiting). */
  answerApproval(run: boolean): void {
    const first = this.approvals[0];
    if (first) this.settleApproval(first, run);
  }

  private settleApproval(entry: { view: ApprovalView; resolve: (run: boolean) => void }, run: boolean): void {
    if (!this.approvals.includes(entry)) return;
    this.approvals = this.approvals.filter((other) => other !== entry);
    entry.resolve(run);
    this.changed();
  }

  /** Bound (useSyncExternalStore calls it detached). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Bound. The same object until something changed (levels included). */
  readonly getSnapshot = (): TuiState => {
    if (this.stale) {
      this.snapshot = this.build();
      this.stale = false;
    }
    return this.snapshot;
  };

  private outputAudio(event: AudioEvent): void {
    const pcm = event.pcm;
    if (!pcm || pcm.length < 2) return;
    const level = chunkLevel({ data: pcm, sampleRate: event.sampleRate, channels: 1 });
    this.outputLevel = { dbfs: level.rmsDbfs, at: this.now(), holdMs: event.ms };
    this.stale = true;
  }

  /** Everything but the transcript; returns whether anything visible changed. */
  private reduce(event: LiveEvent): boolean {
    switch (event.type) {
      case 'session.open':
        this.model = event.model;
        this.connection = { ...this.connection, status: 'open', generation: event.conn, resumed: event.resumed, sessionId: event.id };
        // A handoff ends with `resumed` right after this; a fresh session sends none, so stop saying "reconnecting".
        if (this.goAway.phase === 'reconnecting') this.goAway = { phase: 'hidden' };
        return true;
      case 'reconnecting':
        this.connection = { ...this.connection, status: 'reconnecting' };
        this.goAway = {
          phase: 'reconnecting',
          attempt: event.attempt,
          reason: event.reason,
          ...(event.closeCode === undefined ? {} : { closeCode: event.closeCode }),
        };
        return true;
      case 'resumed':
        this.goAway = { phase: 'resumed', conn: event.conn, gapMs: event.gapMs, at: event.t };
        return true;
      case 'goaway':
        this.goAway = { phase: 'countdown', conn: event.conn, deadline: event.t + event.timeLeftMs };
        return true;
      case 'session.close':
        this.connection = { ...this.connection, status: 'closed' };
        this.goAway = { phase: 'hidden' };
        return true;
      case 'session.end':
        this.connection = {
          ...this.connection,
          status: 'closed',
          sessionId: event.id,
          ...(event.resume === undefined ? {} : { resumeCommand: event.resume }),
        };
        this.goAway = { phase: 'hidden' };
        return true;
      case 'usage': {
        const { type: _type, t: _t, conn: _conn, extra: _extra, file: _file, ...report } = event;
        this.usage = { ...this.usage, last: report, sessionResponseTokens: this.usage.sessionResponseTokens + event.responseTokens, turns: this.usage.turns + 1 };
        return true;
      }
      case 'interrupted':
      case 'playback.flushed':
        // The speaker stops at once: so does the output meter.
        this.outputLevel = SILENT;
        return true;
      case 'error':
        this.message = { text: event.message, tone: 'error', code: event.code };
        return true;
      default:
        return false;
    }
  }

  private changed(): void {
    this.stale = true;
    if (this.notifyPending || this.listeners.size === 0) return;
    this.notifyPending = true;
    setImmediate(() => {
      this.notifyPending = false;
      for (const listener of this.listeners) listener();
    }).unref();
  }

  private build(): TuiState {
    return {
      model: this.model,
      ...(this.settings.voice === undefined ? {} : { voice: this.settings.voice }),
      pushToTalk: this.settings.pushToTalk,
      mic: this.mic,
      connection: this.connection,
      transcript: this.transcript.snapshot(),
      usage: this.usage,
      goAway: this.goAway,
      levels: { input: this.inputLevel, output: this.outputLevel },
      ...(this.message === undefined ? {} : { message: this.message }),
      ...(this.approvals[0] ? { approval: this.approvals[0].view } : {}),
    };
  }
}
