import type { ErrorCode, LiveEventOf } from '../../core/events.js';
import type { TranscriptState } from './transcript.js';

/** The TUI's state: what the store's snapshots hold and the panes read. All of it is immutable. */

export type MicMode = 'live' | 'muted' | 'ptt-idle' | 'ptt-talking' | 'off';

export interface ConnectionState {
  readonly status: 'connecting' | 'open' | 'reconnecting' | 'closed';
  /** `conn` of the latest connection; 0 before the first opens. */
  readonly generation: number;
  /** The open connection continued the session by its handle. */
  readonly resumed: boolean;
  /** The session id (session.open / session.end). */
  readonly sessionId?: string;
  /** From session.end: the command that continues this session (print it after unmounting). */
  readonly resumeCommand?: string;
}

export type UsageReport = Omit<LiveEventOf<'usage'>, 'type' | 't' | 'conn' | 'extra' | 'file'>;

export interface UsageState {
  /** The last turn's report as sent. */
  readonly last?: UsageReport;
  /** Sum of every turn's responseTokens (prompts are not summed: each already includes the history). */
  readonly sessionResponseTokens: number;
  /** Usage reports seen. */
  readonly turns: number;
  readonly contextWindowTokens?: number;
  readonly compressionTriggerTokens?: number;
}

/** Deadlines and times are on the `now()` / event.t scale; the pane derives text from them at render time. */
export type GoAwayState =
  | { readonly phase: 'hidden' }
  | { readonly phase: 'countdown'; readonly conn: number; readonly deadline: number }
  | { readonly phase: 'reconnecting'; readonly attempt: number; readonly reason: string; readonly closeCode?: number }
  | { readonly phase: 'resumed'; readonly conn: number; readonly gapMs: number; readonly at: number };

/** A level as measured at `at`, valid for `holdMs` (the chunk's duration), then decaying (derive.levelNow). */
export interface LevelReading {
  readonly dbfs: number;
  readonly at: number;
  readonly holdMs: number;
}

export interface StatusMessage {
  readonly text: string;
  readonly tone: 'info' | 'warn' | 'error';
  /** Set when the message is an `error` event. */
  readonly code?: ErrorCode;
}

export interface TuiState {
  /** From settings, then from session.open. */
  readonly model: string;
  readonly voice?: string;
  readonly pushToTalk: boolean;
  readonly mic: MicMode;
  readonly connection: ConnectionState;
  readonly transcript: TranscriptState;
  readonly usage: UsageState;
  readonly goAway: GoAwayState;
  readonly levels: { readonly input: LevelReading; readonly output: LevelReading };
  /** The one status message line: the latest notice() or error event. */
  readonly message?: StatusMessage;
  /** A tool call waiting for the user's y/n (the first of any waiting). */
  readonly approval?: ApprovalView;
}

export interface ApprovalView {
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly source: string;
}
