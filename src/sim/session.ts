import { createHash, type Hash } from 'node:crypto';
import type { HistoryTurn } from './tokens.js';
import type { EnergyVad } from './vad.js';

/**
 * What a resumption handle captures: the session as of the last client message received before
 * the handle was issued. Resuming replaces the session's kept state with a copy of this, so input
 * that arrived after the handle (and was lost with its connection) is forgotten, as on the service.
 */
export interface KeptState {
  /** Client messages consumed (setup not counted): the index of the last one, 1-based; 0 = none. */
  messageIndex: number;
  audioBytes: number;
  audioSeconds: number;
  /** SHA-256 over the kept audio in arrival order; Hash.copy() lets a handle fork it. */
  audioHash: Hash;
  /**
   * The kept audio messages themselves, only with `kept-audio` (so a test can rebuild what the
   * session holds byte for byte). Buffers are never mutated, so a handle shares them.
   */
  audioChunks?: Buffer[];
  textTurns: string[];
  history: HistoryTurn[];
  /** User audio since the last committed user turn (it becomes that turn's prompt tokens). */
  pendingAudioSeconds: number;
  speechCount: number;
  /**
   * The voice-activity detector and the segment it has open. They are kept state too: a handle
   * issued in the middle of a segment resumes inside that segment, so the audio a client re-sends
   * after a drop continues it instead of starting a spurious new one.
   */
  vad?: EnergyVad;
  /** Session audio seconds where the detector's time zero lies. */
  vadBaseSeconds: number;
  speech?: OpenSpeech;
}

/** A speech segment (or manual activity) that has started and not yet ended. */
export interface OpenSpeech {
  number: number;
  startSeconds: number;
  /** Manual activity only: seconds of audio received inside it. */
  seconds: number;
}

export function emptyKeptState(keepChunks = false): KeptState {
  return {
    ...(keepChunks ? { audioChunks: [] } : {}),
    messageIndex: 0,
    audioBytes: 0,
    audioSeconds: 0,
    audioHash: createHash('sha256'),
    textTurns: [],
    history: [],
    pendingAudioSeconds: 0,
    speechCount: 0,
    vadBaseSeconds: 0,
  };
}

export function cloneKeptState(state: KeptState): KeptState {
  return {
    ...state,
    audioHash: state.audioHash.copy(),
    ...(state.audioChunks ? { audioChunks: [...state.audioChunks] } : {}),
    textTurns: [...state.textTurns],
    history: state.history.map((turn) => ({ ...turn })),
    ...(state.vad ? { vad: state.vad.clone() } : {}),
    ...(state.speech ? { speech: { ...state.speech } } : {}),
  };
}

export function keptAudioSha256(state: KeptState): string {
  return state.audioHash.copy().digest('hex');
}

/** The part of a connection the session and its schedules need: whether it is live, and how to end it. */
export interface SessionConnection {
  readonly id: number;
  /** Session clock when this connection joined (connection-cap counts from here). */
  readonly startClock: number;
  /** Open until the server decides to close it or a close frame or socket close arrives. */
  isOpen(): boolean;
  goAway(fault: string): void;
  drop(fault: string): void;
  closeWith(code: number, reason: string): void;
  /** Another connection resumed this session while this one was open (allow-overlap). */
  handOff(): void;
}

/**
 * One Live session across its connections. The kept state rolls back on resumption; everything
 * else here only grows, in particular the clock, so a resumed session never meets the same
 * scheduled fault twice.
 */
export class SimSession {
  kept: KeptState;
  current: SessionConnection | undefined;
  ended = false;

  receivedAudioBytes = 0;
  receivedAudioSeconds = 0;
  replyAudioSeconds = 0;
  receivedMessages = 0;
  textTurnsReceived = 0;
  connections = 0;
  resumes = 0;
  handlesIssued = 0;
  replies = 0;
  interruptions = 0;
  faults: string[] = [];
  usesAudio = false;
  compressed = false;

  nextGoAwayAt: number;
  nextDropAt: number;
  dropAfterMessagesFired = false;
  firstReplyStarted = false;
  lastHandleClock = 0;
  private readonly wallStart = Date.now();

  constructor(
    readonly id: string,
    readonly sessionId: string,
    private readonly time: 'audio' | 'wall',
    goAwayEvery: number | undefined,
    dropEvery: number | undefined,
    keepChunks = false,
  ) {
    this.kept = emptyKeptState(keepChunks);
    this.nextGoAwayAt = goAwayEvery ?? Infinity;
    this.nextDropAt = dropEvery ?? Infinity;
  }

  /** Seconds on the simulator's clock: audio received + reply audio sent, or wall time. */
  clock(): number {
    return this.time === 'audio' ? this.receivedAudioSeconds + this.replyAudioSeconds : (Date.now() - this.wallStart) / 1000;
  }
}
