/**
 * The boundary between the Live session core and everything else. Nothing here mentions the SDK:
 * its types do not leak past src/live.
 */
import type { EventStream } from '../core/events.js';
import type { PcmChunk } from '../audio/pcm.js';

export type Modality = 'audio' | 'text';

/** What the command line (plus env and config file) asks for, before validation. camelCase long option names. */
export interface RawLiveOptions {
  model?: string;
  modality?: string;
  voice?: string;
  system?: string; // TEXT or @FILE
  temperature?: string | number;
  endpoint?: string;
  apiVersion?: string;
  vertex?: boolean;
  project?: string;
  location?: string;
  connectTimeout?: string | number; // seconds
  compression?: string; // TRIGGER[:TARGET] | off
  pushToTalk?: boolean;
}

/** A fully resolved, validated configuration for one Live session. */
export interface LiveConfig {
  model: string;
  /** Catalogue entry (or the guess for an unknown model). */
  nativeAudio: boolean;
  modality: Modality;
  voice?: string;
  systemInstruction?: string;
  temperature?: number;
  /** Base URL handed to the SDK (`httpOptions.baseUrl`); undefined = the SDK's default. */
  endpoint?: string;
  apiVersion: string;
  vertex: boolean;
  project?: string;
  location?: string;
  /** The secret. Never printed; only handed to the SDK. */
  apiKey?: string;
  ephemeralToken: boolean;
  connectTimeoutMs: number;
  compression?: { triggerTokens: number; targetTokens?: number };
  inputTranscription: boolean;
  outputTranscription: boolean;
  automaticActivityDetection: boolean;
  /** Resumption handle to continue from (resume command, later reconnects). */
  resumeHandle?: string;
  /** The model's context window in tokens (catalogue value), for context-fill gauges. */
  contextWindowTokens?: number;
}

export interface LiveSessionOptions {
  config: LiveConfig;
  events: EventStream;
  /** Stable id of this session (registry id); appears in session.open. */
  id: string;
}

/**
 * One Live session. `open()` connects (never hangs: connect timeout and early close both reject
 * with a CliError), emits `session.open`, and from then on every server message becomes events on
 * `events`. Fatal problems after open are reported through `closed`.
 */
export interface LiveSessionHandle {
  /** Generation of the connection in use (the `conn` of its events); 0 before the first opens. */
  readonly conn: number;
  /** Sends one user text turn (clientContent with turnComplete). */
  sendText(text: string): void;
  /** Sends 16 kHz mono s16le audio as realtimeInput.audio. */
  sendAudio(chunk: PcmChunk): void;
  /** realtimeInput.audioStreamEnd. */
  sendAudioStreamEnd(): void;
  /** realtimeInput.activityStart (push-to-talk: automatic activity detection off). */
  sendActivityStart?(): void;
  /** realtimeInput.activityEnd (push-to-talk). */
  sendActivityEnd?(): void;
  /** Closes the session on purpose; no error events result. */
  close(): Promise<void>;
  /**
   * Settles when the session ends: resolves on an intentional close, rejects with a CliError when
   * the connection is lost or closed by the server (exit 4 until the continuity issue retries).
   */
  readonly closed: Promise<void>;
}
