/**
 * The one typed event stream that leaves the session layer. Every consumer (NDJSON, plain text, the
 * TUI, the session log) reads these and nothing else. Field names are the public `--json` contract
 * (../shared/CLI-CONTRACT.md, docs/events.md): add fields freely, never rename them.
 */
import { StreamedTextGuard } from './streamed-text.js';

/** Fields every event carries. `t` is ms since the process started; `conn` the connection generation. */
export interface EventBase {
  t: number;
  conn: number;
  /** Server fields we do not model, kept as they arrived. */
  extra?: Record<string, unknown>;
  /** Set on events of a multi-file `transcribe`. */
  file?: string;
}

export type ErrorCode = 'auth' | 'usage' | 'input' | 'timeout' | 'protocol' | 'quota' | 'device' | 'output' | 'internal';

export interface ModalityCounts {
  AUDIO?: number;
  TEXT?: number;
  IMAGE?: number;
  VIDEO?: number;
}

/** Each member of the union, keyed by its `type`. */
export interface LiveEventMap {
  'session.open': { id: string; model: string; resumed: boolean; sessionId?: string; schema: 1 };
  /** A text turn the user sent (typed, `--text`, or a stdin line), as sent. */
  'user.text': { text: string; history?: true };
  /** An image the user sent (`--image`, `/image PATH`): its file name, type and size; the bytes are not in the event. */
  'user.image': { name: string; mimeType: string; bytes: number };
  'transcript.input': { text: string; offsetMs?: number; history?: true };
  'transcript.output': { text: string; history?: true };
  text: { text: string; history?: true };
  thought: { text: string };
  /** `bytes` is the number of bytes of PCM (s16le mono); the samples themselves travel in `pcm`. */
  audio: { bytes: number; sampleRate: number; ms: number };
  'playback.flushed': { droppedMs: number };
  interrupted: Record<never, never>;
  'generation.complete': Record<never, never>;
  'turn.complete': { reason?: string };
  usage: {
    promptTokens: number;
    responseTokens: number;
    totalTokens: number;
    thoughtsTokens?: number;
    byModality: { prompt: ModalityCounts; response: ModalityCounts };
  };
  goaway: { timeLeftMs: number };
  resumption: { handle: string; resumable: boolean };
  reconnecting: { attempt: number; reason: string; closeCode?: number };
  /** inFlightBytes: of replayedBytes, audio the resumed handle may already hold (at most this is doubled; Gemini API only). */
  resumed: { gapMs: number; replayedBytes: number; replayedTurns: number; inFlightBytes?: number };
  'tool.call': { id: string; name: string; args: Record<string, unknown> };
  /** A tool ran and its response went to the model; `ms` is the tool's own time. */
  'tool.result': { id: string; name: string; response: Record<string, unknown>; ms: number; scheduling?: string };
  /** A call was answered with an error response carrying this payload (unknown tool, denied, timeout, failure). */
  'tool.error': { id: string; name: string; status: string; retryable: boolean; message: string; scheduling?: string };
  /** The server cancelled a running call (toolCallCancellation): it was aborted and nothing is sent for it. */
  'tool.cancelled': { id: string; name: string; ms: number };
  /** Code the model ran (`--code-execution`), and its outcome and output. */
  code: { language: string; code: string };
  'code.result': { outcome: string; output: string };
  /** Google Search grounding of the reply: the queries the model ran and the sources it used. */
  grounding: { queries: string[]; sources: Array<{ title?: string; uri: string }> };
  error: { code: ErrorCode; message: string; closeCode?: number };
  'session.close': { code: number; reason: string };
  'session.end': { id: string; resume?: string };
  'transcript.done': {
    text: string;
    audioMs: number;
    segments: Array<{ startMs: number; endMs: number; text: string }>;
  };
}

export type LiveEventType = keyof LiveEventMap;

export type LiveEventOf<K extends LiveEventType> = { type: K } & EventBase & LiveEventMap[K];

/** The tagged union every consumer switches on. */
export type LiveEvent = { [K in LiveEventType]: LiveEventOf<K> }[LiveEventType];

/**
 * Audio events carry their samples out of band: `pcm` is not serialised to NDJSON (it would be
 * megabytes of base64), only its size, rate and duration are.
 */
export type AudioEvent = LiveEventOf<'audio'> & { pcm?: Buffer };

/** The payload a producer supplies; `t` and `conn` are stamped by the emitter. */
export type EventInput = {
  [K in LiveEventType]: { type: K; conn?: number; extra?: Record<string, unknown>; file?: string } & LiveEventMap[K];
}[LiveEventType];

const processStart = performance.timeOrigin;

/** Milliseconds since the process started, to 0.1 ms. */
export function sinceStart(): number {
  return Math.round((performance.timeOrigin - processStart + performance.now()) * 10) / 10;
}

export type EventListener = (event: LiveEvent) => void;

/**
 * A minimal synchronous fan-out. Synchronous on purpose: an event reaches every consumer in the
 * same tick it was produced, so the client adds no scheduling latency and consumers see one order.
 */
export class EventStream {
  private readonly listeners = new Set<EventListener>();
  // Streamed text is redacted across pieces before any consumer sees it (streamed-text.ts says why).
  private readonly guard = new StreamedTextGuard();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stamps `t` (and `conn` when missing) and delivers to every listener. A text piece whose end
   * could begin a secret is delivered with the stream's next piece or before the next event that
   * ends the stream (turn.complete, session.end, …).
   */
  emit(input: EventInput & { pcm?: Buffer }, conn = 0): void {
    // The generation is fixed now: a held piece keeps its own when it goes out later.
    for (const ready of this.guard.admit({ ...input, conn: input.conn ?? conn })) this.deliver(ready);
  }

  /** Delivers any text still held back (for a producer that ends without a closing event). */
  flush(): void {
    for (const ready of this.guard.flush()) this.deliver(ready);
  }

  private deliver(input: EventInput & { pcm?: Buffer }): void {
    const event = { ...input, t: sinceStart(), conn: input.conn ?? 0 } as LiveEvent;
    for (const listener of this.listeners) listener(event);
  }
}
