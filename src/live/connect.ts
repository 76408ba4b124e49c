/**
 * One Live API connection through the real SDK, made safe: `connectLive` always settles (SDK 2.x's
 * `connect()` never does when the socket closes or fails before setupComplete), every server frame
 * is parsed behind a guard, and nothing that leaves here carries the key-bearing URL or an SDK
 * object. The SDK's types stay in this file and sdk-options.ts.
 */
import { FunctionResponseScheduling, GoogleGenAI, type Session } from '@google/genai';
import { CliError, exitCodeFor } from '../core/errors.js';
import { redact, registerSecret } from '../core/redact.js';
import {
  type CloseDescription,
  closeError,
  describeClose,
  describeNetworkError,
  describeSetupTimeout,
} from './close-codes.js';
import { clientOptions, liveConnectConfig } from './sdk-options.js';
import { type JsonObject, SocketGuard } from './socket-guard.js';
import type { LiveConfig } from './types.js';
import { SIM_API_KEY } from './config.js';

export type { JsonObject } from './socket-guard.js';

/** How a connection ended. `requested` is true when we closed it ourselves. */
export interface ConnectionClose {
  code: number;
  reason: string;
  requested: boolean;
  /** The (redacted) socket error that preceded the close, if any. */
  error?: string;
}

/** Receives a connection's traffic once `start()` is called, in arrival order. */
export interface ConnectionListener {
  /** One server message, already parsed into a JSON object (including the setupComplete one). */
  message(message: JsonObject): void;
  /** A frame that was not a JSON object, or an exception in handling one. The connection goes on. */
  problem(description: string): void;
  /** The socket closed. Called once, last. */
  close(info: ConnectionClose): void;
}

export interface FunctionResponse {
  id: string;
  name: string;
  response: Record<string, unknown>;
  /** NON_BLOCKING calls only: when the model takes the result. */
  scheduling?: 'INTERRUPT' | 'WHEN_IDLE' | 'SILENT';
}

/** If the server never answers our close frame, drop the socket after this long. */
const CLOSE_GRACE_MS = 3_000;

type Delivery =
  | { kind: 'message'; message: JsonObject }
  | { kind: 'problem'; description: string }
  | { kind: 'close'; info: ConnectionClose };

/**
 * An established connection (setupComplete received). Sends return false when the socket is no
 * longer open: the SDK drops sends after close silently, and we'd rather say so.
 */
export class LiveConnection {
  private listener: ConnectionListener | undefined;
  private queue: Delivery[] = [];
  private requested = false;
  private ended: ConnectionClose | undefined;
  private readonly closeWaiters: Array<() => void> = [];
  private graceTimer: NodeJS.Timeout | undefined;

  /** @internal Built by connectLive. */
  constructor(
    private readonly session: Session,
    private readonly guard: SocketGuard,
    /** Vertex sends a sessionId in setupComplete; the Gemini API sends `{}`. */
    readonly sessionId: string | undefined,
    /** From sending the setup to setupComplete: one round trip plus the server's delay. */
    readonly setupRoundTripMs = 0,
  ) {}

  get isOpen(): boolean {
    return this.ended === undefined && this.guard.isOpen;
  }

  /** Bytes sent but still queued here: grows without bound only when the server stops reading. */
  get unsentBytes(): number {
    return this.guard.bufferedAmount;
  }

  /** Drops the socket at once; the close that follows is reported as for any lost connection. */
  abandon(): void {
    this.guard.terminate();
  }

  /**
   * Starts delivery. Messages that arrived between setupComplete and now (the service can send
   * them in the same breath) were queued and are delivered first, synchronously.
   */
  start(listener: ConnectionListener): void {
    this.listener = listener;
    const queued = this.queue;
    this.queue = [];
    for (const item of queued) this.dispatch(item);
  }

  /** Stops delivery for good: frames from a replaced connection must never become events. */
  detach(): void {
    this.listener = undefined;
    this.queue = [];
  }

  sendText(text: string): boolean {
    return this.send(() => this.session.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true }));
  }

  sendAudio(base64: string, mimeType: string): boolean {
    return this.send(() => this.session.sendRealtimeInput({ audio: { data: base64, mimeType } }));
  }

  sendAudioStreamEnd(): boolean {
    return this.send(() => this.session.sendRealtimeInput({ audioStreamEnd: true }));
  }

  /** An image or video frame: the Live API takes both as realtimeInput.video. */
  sendVideo(base64: string, mimeType: string): boolean {
    return this.send(() => this.session.sendRealtimeInput({ video: { data: base64, mimeType } }));
  }

  sendActivityStart(): boolean {
    return this.send(() => this.session.sendRealtimeInput({ activityStart: {} }));
  }

  sendActivityEnd(): boolean {
    return this.send(() => this.session.sendRealtimeInput({ activityEnd: {} }));
  }

  sendToolResponses(functionResponses: FunctionResponse[]): boolean {
    const wire = functionResponses.map(({ scheduling, ...rest }) =>
      scheduling === undefined ? rest : { ...rest, scheduling: FunctionResponseScheduling[scheduling] },
    );
    return this.send(() => this.session.sendToolResponse({ functionResponses: wire }));
  }

  /** Closes on purpose; resolves once the socket has closed (or been dropped after a grace period). */
  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (!this.requested) {
      this.requested = true;
      try {
        this.session.close();
      } catch {
        this.guard.terminate();
      }
      this.graceTimer = setTimeout(() => this.guard.terminate(), CLOSE_GRACE_MS);
      this.graceTimer.unref();
    }
    return done;
  }

  /** @internal From the socket guard. */
  deliver(item: Delivery): void {
    if (item.kind === 'close') {
      const info = { ...item.info, requested: this.requested };
      this.ended = info;
      clearTimeout(this.graceTimer);
      for (const resolve of this.closeWaiters.splice(0)) resolve();
      item = { kind: 'close', info };
    }
    if (this.listener) this.dispatch(item);
    else this.queue.push(item);
  }

  private dispatch(item: Delivery): void {
    const listener = this.listener;
    if (!listener) return;
    try {
      if (item.kind === 'message') listener.message(item.message);
      else if (item.kind === 'problem') listener.problem(item.description);
      else listener.close(item.info);
    } catch (error) {
      if (item.kind === 'problem') return;
      try {
        listener.problem(`handling a server message failed: ${redact(error instanceof Error ? error.message : String(error))}`);
      } catch {
        // The listener cannot even report: swallowing keeps the process alive.
      }
    }
  }

  private send(action: () => void): boolean {
    if (!this.isOpen) return false;
    try {
      action();
      return true;
    } catch {
      return false;
    }
  }
}

/** A connect given up on purpose (the user asked to stop): never reported as a failure. */
export class ConnectAborted extends CliError {
  constructor() {
    super('internal', 'connecting was interrupted');
  }
}

/** Rejections from the SDK itself (before any socket): ADC failures, a URL it cannot build. */
function describeSdkFailure(error: unknown, config: LiveConfig): CloseDescription {
  const message = redact(error instanceof Error ? error.message : String(error));
  if (config.vertex && !config.apiKey && /credential|authenticat|token/i.test(message)) {
    return {
      code: 'auth',
      exitCode: exitCodeFor('auth'),
      fatal: true,
      quota: false,
      message: `Vertex AI credentials are not available (${message}): run "gcloud auth application-default login" or set an API key`,
    };
  }
  return describeNetworkError(message, config.endpoint);
}

/**
 * Opens one connection and waits for setupComplete, for at most `config.connectTimeoutMs`.
 * Rejects with a CliError (see close-codes.ts) when the socket closes or fails first, or on
 * timeout, and in every failure case leaves no socket behind. `signal` aborts the attempt (a
 * signal during a reconnect must not wait out the connect timeout): it rejects with
 * `ConnectAborted` and closes the socket.
 */
export function connectLive(config: LiveConfig, signal?: AbortSignal): Promise<LiveConnection> {
  // Normally registered by resolveLiveConfig already; a config built elsewhere (resume, tests)
  // must not be the one path where the key can reach an error message. The simulator's fixed key
  // is public: masking it would only hold back every streamed piece that ends in "s".
  if (config.apiKey !== SIM_API_KEY) registerSecret(config.apiKey);
  return new Promise<LiveConnection>((resolve, reject) => {
    let settled = false;
    let connection: LiveConnection | undefined;
    let pending: Delivery[] = [];
    let sessionId: string | undefined;
    let lastError: string | undefined;
    let setupDone = false;

    const deliver = (item: Delivery): void => {
      if (connection) connection.deliver(item);
      else pending.push(item);
    };

    const guard = new SocketGuard({
      message: (message) => deliver({ kind: 'message', message }),
      setupComplete: (message) => {
        setupDone = true;
        clearTimeout(timer);
        const setup = message.setupComplete as JsonObject;
        if (typeof setup.sessionId === 'string' && setup.sessionId) sessionId = setup.sessionId;
      },
      problem: (description) => deliver({ kind: 'problem', description }),
      error: (message) => {
        lastError = message;
        if (!setupDone) fail(describeNetworkError(message, config.endpoint));
      },
      close: (code, reason) => {
        if (!setupDone) {
          fail(describeClose(code, reason, 'setup', { model: config.model }), code);
          return;
        }
        deliver({
          kind: 'close',
          info: { code, reason: redact(reason), requested: false, ...(lastError ? { error: lastError } : {}) },
        });
      },
    });

    const fail = (description: CloseDescription, closeCode?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      guard.terminate();
      reject(closeError(description, closeCode));
    };

    const timer = setTimeout(() => fail(describeSetupTimeout(config.connectTimeoutMs)), config.connectTimeoutMs);
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      guard.terminate();
      reject(new ConnectAborted());
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    let ai: GoogleGenAI;
    try {
      ai = new GoogleGenAI(clientOptions(config));
      guard.install(ai.live);
    } catch (error) {
      settled = true;
      clearTimeout(timer);
      const message = redact(error instanceof Error ? error.message : String(error));
      reject(new CliError('internal', `could not set up the Live API client: ${message}`));
      return;
    }

    ai.live
      .connect({
        model: config.model,
        config: liveConnectConfig(config),
        // Frames are handled by the guard; the SDK only settles connect() with setupComplete.
        callbacks: { onmessage: () => undefined },
      })
      .then(
        (session) => {
          if (settled) {
            // Timed out in the meantime: make sure the late session does not linger.
            guard.terminate();
            return;
          }
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          connection = new LiveConnection(session, guard, sessionId, guard.setupRoundTripMs);
          const early = pending;
          pending = [];
          for (const item of early) connection.deliver(item);
          resolve(connection);
        },
        (error: unknown) => fail(describeSdkFailure(error, config)),
      );
  });
}
