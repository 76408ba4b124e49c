/**
 * The boundary between the Live session core and everything else. Nothing here mentions the SDK:
 * its types do not leak past src/live.
 */
import type { EventStream } from '../core/events.js';
import type { PcmChunk } from '../audio/pcm.js';
import type { LiveToolsSetup, ToolHost } from './tool-hooks.js';

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
  // Native-audio and VAD options (src/live/features.ts); config-file keys are these names.
  affective?: boolean;
  proactive?: boolean;
  thinkingBudget?: string | number;
  thinkingLevel?: string;
  showThoughts?: boolean;
  vadStartSensitivity?: string;
  vadEndSensitivity?: string;
  prefixPaddingMs?: string | number;
  silenceMs?: string | number;
  activityHandling?: string;
  turnCoverage?: string;
  mediaResolution?: string;
  language?: string;
}

export type Sensitivity = 'high' | 'low';
export type ThinkingLevelName = 'low' | 'medium' | 'high';
export type TurnCoverageName = 'only-activity' | 'all-input' | 'audio-activity-and-all-video';

/**
 * The model-dependent options of a session, validated against the model's capabilities
 * (src/live/features.ts). Absent fields are not sent: the service's defaults apply.
 */
export interface LiveFeatures {
  /** `enableAffectiveDialog: true`. */
  affective?: boolean;
  /** `proactivity.proactiveAudio` (omitted where the model has it always on). */
  proactiveAudio?: boolean;
  thinkingBudget?: number;
  thinkingLevel?: ThinkingLevelName;
  /** `thinkingConfig.includeThoughts`: thought summaries arrive as `thought` events. */
  includeThoughts?: boolean;
  startSensitivity?: Sensitivity;
  endSensitivity?: Sensitivity;
  prefixPaddingMs?: number;
  silenceDurationMs?: number;
  activityHandling?: 'interrupt' | 'no-interrupt';
  turnCoverage?: TurnCoverageName;
  mediaResolution?: 'low' | 'medium' | 'high';
  /** `speechConfig.languageCode` (BCP-47). */
  languageCode?: string;
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
  /** Model-dependent options (affective, proactive, thinking, VAD, media resolution, language). */
  features?: LiveFeatures;
  /** Functions, Google Search and code execution offered in the setup (src/tools builds it). */
  tools?: LiveToolsSetup;
}

export interface LiveSessionOptions {
  config: LiveConfig;
  events: EventStream;
  /** Stable id of this session (registry id); appears in session.open. */
  id: string;
  /** Reconnect after a lost connection and hand over on goAway (default true). */
  reconnect?: boolean;
  /**
   * How the user continues this session later, for the message when reconnecting gives up
   * (default `live-cli resume <id>`). Sessions nobody can resume (transcribe's are not recorded)
   * pass null: the message then says nothing about continuing.
   */
  resumeCommand?: string | null;
  /** Random numbers in [0, 1) for the backoff jitter (tests); default Math.random. */
  random?: () => number;
  /** Runs the model's function calls (src/tools); without one each call gets an error response. */
  toolHost?: ToolHost;
  /**
   * The run is stopping (a signal): any connect in flight is aborted at once, the first one
   * rejecting with ConnectAborted, rather than waiting out the connect timeout.
   */
  signal?: AbortSignal;
  /**
   * Drop what a resumed connection repeats of what was already delivered (replay-echo.ts; default
   * true). `transcribe` turns it off: its collector takes back the open segment and keeps the
   * server's fresh transcription of it instead.
   */
  dropRepeats?: boolean;
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
  /** An image or video frame (JPEG/PNG bytes) as realtimeInput.video (optional: test doubles may lack it). */
  sendImage?(data: Buffer, mimeType: string): void;
  /** realtimeInput.activityStart (push-to-talk: automatic activity detection off). */
  sendActivityStart?(): void;
  /** realtimeInput.activityEnd (push-to-talk). */
  sendActivityEnd?(): void;
  /**
   * Resolves when more input may be sent; undefined when it may be sent now. A resilient session
   * holds input back while it replaces a connection, or when input faster than real time fills
   * its in-flight window. Optional: a caller without it just sends.
   */
  whenReady?(): Promise<void> | undefined;
  /** True while a connection is being replaced or input waits to be sent (optional). */
  readonly busy?: boolean;
  /** Closes the session on purpose; no error events result. */
  close(): Promise<void>;
  /**
   * Settles when the session ends: resolves on an intentional close, rejects with a CliError when
   * the session is lost for good (a fatal close, or the reconnection budget spent: exit 4; quota: 6).
   */
  readonly closed: Promise<void>;
}
