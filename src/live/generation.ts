/**
 * One connection generation: a LiveConnection plus the number (`conn`) its events carry. It turns
 * the connection's messages into events, answers tool calls, and remembers what a reconnect needs
 * (newest resumption handle, goAway deadline). A session owns a succession of these: a resilient
 * session opens generation 2, 3, … and retires the old one, after which its late frames are
 * dropped, never emitted (contract: Events).
 */
import type { EventStream } from '../core/events.js';
import { type ConnectionClose, type FunctionResponse, type LiveConnection, connectLive } from './connect.js';
import { type MappedEvent, type ToolCallRequest, ServerMessageError, mapServerMessage } from './messages.js';
import type { ToolHost, ToolResponseOut } from './tool-hooks.js';
import type { LiveConfig } from './types.js';

export interface GenerationOptions {
  config: LiveConfig;
  events: EventStream;
  /** Session id for session.open. */
  id: string;
  generation: number;
  /** Called once when this generation's socket has closed (not called after `retire`). */
  onEnd(info: ConnectionClose, generation: ConnectionGeneration): void;
  /** Server state a resilient session acts on, after the message's events were emitted. */
  observer?: GenerationObserver;
  /** Runs the model's function calls; without one every call is answered with an error. */
  toolHost?: ToolHost;
  /** Aborts the connect in flight (the session is being closed). */
  signal?: AbortSignal;
  /** Sees every event before it is emitted and returns what to emit instead (e.g. drops a repeat). */
  filter?: (event: MappedEvent) => MappedEvent[];
}

/** What a resilient session needs to hear about, beyond the events. Never called once retired. */
export interface GenerationObserver {
  /** A resumable handle (with the transparent index when the server sends one). */
  resumption?(handle: string, lastConsumedIndex: number | undefined, generation: ConnectionGeneration): void;
  /** goAway: the connection ends in `timeLeftMs`. */
  goAway?(timeLeftMs: number, generation: ConnectionGeneration): void;
  /** A model turn completed (not one cut by a lost connection: that one the session emits itself). */
  turnComplete?(generation: ConnectionGeneration): void;
  /** The model produced something: the connection works. */
  modelActivity?(generation: ConnectionGeneration): void;
}

/** Why a function call got no real answer: live-cli runs no tools (yet), and a call left unanswered hangs the session. */
export function noToolResponse(call: ToolCallRequest): FunctionResponse {
  return { id: call.id, name: call.name, response: { error: `no tool named ${call.name} is available in live-cli` } };
}

/** Events that show the model is producing (or owes) a reply. */
const REPLY_EVENTS = new Set(['text', 'thought', 'audio', 'transcript.output', 'generation.complete', 'tool.call', 'code', 'code.result']);

export class ConnectionGeneration {
  private retired = false;
  /** The newest handle the server marked resumable. */
  private handle: string | undefined;
  private lastConsumedIndex: string | undefined;
  private goAwayAt: number | undefined;
  /** A user turn was sent or a reply is under way, and no turn.complete has come since. */
  private turnOpen = false;
  /** Client messages sent on this connection (setup not counted), as the server numbers them. */
  private sent = 0;
  /** `performance.now()` of the latest frame from the server. */
  private lastFrameAt = performance.now();

  private constructor(
    private readonly connection: LiveConnection,
    private readonly options: GenerationOptions,
  ) {}

  /**
   * Connects (rejecting with a CliError as connectLive does), emits `session.open`, then delivers
   * everything that arrived since setupComplete.
   */
  static async open(options: GenerationOptions): Promise<ConnectionGeneration> {
    const connection = await connectLive(options.config, options.signal);
    const generation = new ConnectionGeneration(connection, options);
    const sessionId = connection.sessionId;
    generation.emit({
      type: 'session.open',
      id: options.id,
      model: options.config.model,
      resumed: options.config.resumeHandle !== undefined,
      ...(sessionId === undefined ? {} : { sessionId }),
      schema: 1,
    });
    connection.start({
      message: (message) => generation.onMessage(message),
      problem: (description) => generation.onProblem(description),
      close: (info) => generation.onClose(info),
    });
    return generation;
  }

  /** From sending the setup to setupComplete (a round trip plus the server's delay). */
  get setupRoundTripMs(): number {
    return this.connection.setupRoundTripMs;
  }

  get number(): number {
    return this.options.generation;
  }

  get isOpen(): boolean {
    return !this.retired && this.connection.isOpen;
  }

  /** Newest resumable handle seen on this connection. */
  get resumptionHandle(): string | undefined {
    return this.handle;
  }

  /** Only sent in `transparent` mode (Vertex): the last client message the server has kept. */
  get lastConsumedClientMessageIndex(): string | undefined {
    return this.lastConsumedIndex;
  }

  /** `performance.now()` time by which the server said it will close (goAway), if it did. */
  get goAwayDeadline(): number | undefined {
    return this.goAwayAt;
  }

  get replyPending(): boolean {
    return this.turnOpen;
  }

  /** Client messages sent on this connection so far (setup not counted). */
  get messagesSent(): number {
    return this.sent;
  }

  /** `performance.now()` when the latest server frame arrived (or the connection opened). */
  get lastFrameTime(): number {
    return this.lastFrameAt;
  }

  /** Stamps `conn` and emits, unless this generation has been replaced. */
  emit(event: MappedEvent): void {
    if (this.retired) return;
    const filter = this.options.filter;
    for (const out of filter ? filter(event) : [event]) this.options.events.emit(out, this.options.generation);
  }

  sendText(text: string): boolean {
    const sent = this.count(this.connection.sendText(text));
    if (sent) this.turnOpen = true;
    return sent;
  }

  sendAudio(base64: string, mimeType: string): boolean {
    return this.count(this.connection.sendAudio(base64, mimeType));
  }

  sendAudioStreamEnd(): boolean {
    return this.count(this.connection.sendAudioStreamEnd());
  }

  sendVideo(base64: string, mimeType: string): boolean {
    return this.count(this.connection.sendVideo(base64, mimeType));
  }

  sendActivityStart(): boolean {
    return this.count(this.connection.sendActivityStart());
  }

  sendActivityEnd(): boolean {
    return this.count(this.connection.sendActivityEnd());
  }

  private count(sent: boolean): boolean {
    if (sent) this.sent++;
    return sent;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** Bytes sent on this connection that are still queued in our process. */
  get unsentBytes(): number {
    return this.connection.unsentBytes;
  }

  /** Drops the connection (no close handshake); `onEnd` follows as for any lost connection. */
  abandon(): void {
    this.connection.abandon();
  }

  /**
   * Stops all delivery from this connection (late frames of a replaced connection are dropped)
   * and closes it in the background. `onEnd` is not called for a retired generation.
   */
  retire(): Promise<void> {
    this.retired = true;
    this.connection.detach();
    this.options.toolHost?.abandon?.(this.options.generation);
    return this.connection.close();
  }

  private onMessage(message: Record<string, unknown>): void {
    if (this.retired) return;
    this.lastFrameAt = performance.now();
    let mapped;
    try {
      mapped = mapServerMessage(message);
    } catch (error) {
      if (!(error instanceof ServerMessageError)) throw error;
      this.emit({
        type: 'error',
        code: 'protocol',
        message: `the service sent a malformed message (${error.message}); ignored it`,
      });
      return;
    }
    const observer = this.options.observer;
    let turnCompleted = false;
    let modelActive = false;
    for (const event of mapped.events) {
      if (REPLY_EVENTS.has(event.type)) {
        this.turnOpen = true;
        modelActive = true;
      }
      if (event.type === 'turn.complete') {
        this.turnOpen = false;
        turnCompleted = true;
      }
      this.emit(event);
    }
    if (modelActive) observer?.modelActivity?.(this);
    if (turnCompleted && !this.retired) observer?.turnComplete?.(this);
    if (mapped.resumption?.lastConsumedClientMessageIndex !== undefined) {
      this.lastConsumedIndex = mapped.resumption.lastConsumedClientMessageIndex;
    }
    if (mapped.resumption?.handle && mapped.resumption.resumable) {
      this.handle = mapped.resumption.handle;
      const index = mapped.resumption.lastConsumedClientMessageIndex;
      if (!this.retired) observer?.resumption?.(this.handle, index === undefined ? undefined : Number(index), this);
    }
    if (mapped.goAwayMs !== undefined) {
      this.goAwayAt = performance.now() + mapped.goAwayMs;
      if (!this.retired) observer?.goAway?.(mapped.goAwayMs, this);
    }
    const host = this.options.toolHost;
    if (mapped.toolCallCancellations.length > 0 && !this.retired) host?.cancel(mapped.toolCallCancellations, this.number);
    if (mapped.toolCalls.length > 0 && !this.retired) {
      if (host) {
        for (const call of mapped.toolCalls) host.call(call, (response) => this.sendToolResponse(response), this.number);
      } else {
        // Nothing runs tools here: answer at once with an error, or the model waits forever.
        this.count(this.connection.sendToolResponses(mapped.toolCalls.map(noToolResponse)));
      }
    }
    // `unattachedExtra` (unknown fields of a message that produced no event) has no event to
    // ride on.
  }

  /**
   * A tool's answer goes straight onto this connection, ahead of input the session still holds
   * back: the model is waiting for it. A call dies with its connection (its id means nothing to
   * the next one), so a retired or closed generation sends nothing and says so.
   */
  private sendToolResponse(response: ToolResponseOut): boolean {
    if (this.retired) return false;
    return this.count(this.connection.sendToolResponses([response]));
  }

  private onProblem(description: string): void {
    this.emit({ type: 'error', code: 'protocol', message: description });
  }

  private onClose(info: ConnectionClose): void {
    if (this.retired) return;
    // A call's id means nothing to the next connection: what still runs for this one is stopped.
    this.options.toolHost?.abandon?.(this.options.generation);
    this.options.onEnd(info, this);
  }
}
