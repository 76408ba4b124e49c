/**
 * Sits between the SDK and its WebSocket. The SDK (2.x) gives us no socket until setupComplete
 * and does not survive a bad frame: a non-JSON frame makes its async message handler reject, an
 * unhandled rejection that kills Node. So we replace `ai.live`'s WebSocket factory with one that
 * (1) captures the socket, so a connect timeout can close it, and (2) parses every frame itself,
 * guarded, handing the SDK only the one message it needs (setupComplete, to settle `connect()`).
 *
 * The URL the factory receives carries the API key: it is passed through untouched and never
 * stored, printed or stringified here. Close and error events are reduced to code, reason and a
 * redacted message before they leave this file.
 */
import { redact } from '../core/redact.js';

/** The SDK's (unexported) WebSocketCallbacks. */
interface SdkSocketCallbacks {
  onopen: () => void;
  onerror: (event: unknown) => void;
  onmessage: (event: unknown) => void;
  onclose: (event: unknown) => void;
}

/** The `ws` socket the SDK's NodeWebSocket creates in `connect()`. */
interface RawSocket {
  readonly readyState: number;
  /** Bytes queued in `ws` that the kernel has not taken yet. */
  readonly bufferedAmount?: number;
  terminate(): void;
}

/** The SDK's NodeWebSocket wrapper. `ws` is set once its `connect()` has run. */
interface SdkSocket {
  connect(): void;
  send(message: string): void;
  ws?: RawSocket;
}

interface SdkSocketFactory {
  readonly supportsHeaders?: boolean;
  create(url: string, headers: Record<string, string>, callbacks: SdkSocketCallbacks): SdkSocket;
}

export const OPEN = 1;

export type JsonObject = Record<string, unknown>;

/** What the guard reports, in arrival order. Nothing here can throw into the socket. */
export interface SocketEvents {
  /** A frame that parsed as a JSON object. */
  message(message: JsonObject): void;
  /** The first message holding `setupComplete` (also delivered through `message`). */
  setupComplete(message: JsonObject): void;
  /** A frame that is not a JSON object, or an exception in our own handling. */
  problem(description: string): void;
  /** A socket error (redacted message). `close` follows. */
  error(message: string): void;
  close(code: number, reason: string): void;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a frame: `ws` hands text frames as strings and binary ones as Buffers. */
function frameText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data) && data.every((item) => Buffer.isBuffer(item))) return Buffer.concat(data).toString('utf8');
  return undefined;
}

function frameSize(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Buffer.isBuffer(data)) return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

function errorMessage(event: unknown): string {
  if (isObject(event)) {
    const error = event.error;
    if (error instanceof Error) return redact(error.message);
    if (typeof event.message === 'string') return redact(event.message);
  }
  return 'network error';
}

function describeThrown(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

/**
 * A guard for one connection attempt. `install` swaps the factory on one `ai.live` object; the
 * guard then owns the socket that `connect()` creates.
 */
export class SocketGuard {
  private socket: SdkSocket | undefined;
  private setupSeen = false;
  private setupSent = false;
  /** A setupComplete that arrived before the SDK sent its setup: see `onFrame`. */
  private heldSetupComplete: (() => void) | undefined;
  private closed = false;
  private setupSentAt: number | undefined;
  private setupRtt: number | undefined;

  constructor(private readonly events: SocketEvents) {}

  /** Replaces `live.webSocketFactory`. Throws when the SDK no longer has one (an SDK upgrade). */
  install(live: object): void {
    const holder = live as { webSocketFactory?: SdkSocketFactory };
    const original = holder.webSocketFactory;
    if (!original || typeof original.create !== 'function') {
      throw new Error('the @google/genai SDK has no webSocketFactory to guard; live-cli needs @google/genai 2.x');
    }
    const factory: SdkSocketFactory = {
      ...(original.supportsHeaders === undefined ? {} : { supportsHeaders: original.supportsHeaders }),
      create: (url, headers, callbacks) => {
        const socket = original.create.call(original, url, headers, this.guard(callbacks));
        this.socket = socket;
        this.watchFirstSend(socket);
        return socket;
      },
    };
    holder.webSocketFactory = factory;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket?.ws?.readyState === OPEN;
  }

  /** From sending the setup to receiving setupComplete: one round trip plus the server's delay. */
  get setupRoundTripMs(): number | undefined {
    return this.setupRtt;
  }

  /** Bytes we sent that are still queued in our process (the peer is not reading). */
  get bufferedAmount(): number {
    return this.socket?.ws?.bufferedAmount ?? 0;
  }

  get hasClosed(): boolean {
    return this.closed;
  }

  /** Drops the socket at once (no close handshake): for timeouts and unanswered closes. */
  terminate(): void {
    try {
      this.socket?.ws?.terminate();
    } catch {
      // Already gone: nothing left to release.
    }
  }

  private guard(sdk: SdkSocketCallbacks): SdkSocketCallbacks {
    return {
      onopen: () => {
        try {
          sdk.onopen();
        } catch (error) {
          this.report(`opening the connection failed: ${describeThrown(error)}`);
        }
      },
      onmessage: (event: unknown) => {
        try {
          this.onFrame(event, sdk);
        } catch (error) {
          this.report(`handling a server message failed: ${describeThrown(error)}`);
        }
      },
      onerror: (event: unknown) => {
        try {
          this.events.error(errorMessage(event));
        } catch {
          // A listener failing on an error report has nowhere further to report to.
        }
      },
      onclose: (event: unknown) => {
        this.closed = true;
        const code = isObject(event) && typeof event.code === 'number' ? event.code : 1006;
        const reason = isObject(event) && typeof event.reason === 'string' ? event.reason : '';
        try {
          this.events.close(code, reason);
        } catch {
          // As above.
        }
      },
    };
  }

  private onFrame(event: unknown, sdk: SdkSocketCallbacks): void {
    const data = isObject(event) ? event.data : undefined;
    const text = frameText(data);
    let message: unknown;
    try {
      message = text === undefined ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (!isObject(message)) {
      this.report(`the service sent a frame that is not a JSON object (${frameSize(data)} bytes); ignored it`);
      return;
    }
    if (!this.setupSeen && isObject(message.setupComplete)) {
      this.setupSeen = true;
      if (this.setupSentAt !== undefined) this.setupRtt = performance.now() - this.setupSentAt;
      // The SDK only needs this one message (to settle connect()); everything else we handle
      // ourselves, so a later bad frame can never reach its unguarded JSON.parse. We hand it the
      // text we already know parses.
      const frame = { data: JSON.stringify({ setupComplete: message.setupComplete }) };
      const forward = (): void => sdk.onmessage(frame);
      // The SDK's handler reads a `session` variable it only declares just before sending the
      // setup; a server that answers before that (a hasty test double) would hit it
      // uninitialised and crash Node with an unhandled rejection. Hold it until the setup is out.
      if (this.setupSent) forward();
      else this.heldSetupComplete = forward;
      this.events.setupComplete(message);
    }
    this.events.message(message);
  }

  /** The SDK's first send on a socket is its setup message. */
  private watchFirstSend(socket: SdkSocket): void {
    const send = socket.send.bind(socket);
    socket.send = (message: string): void => {
      send(message);
      if (this.setupSent) return;
      this.setupSent = true;
      this.setupSentAt = performance.now();
      socket.send = send;
      const held = this.heldSetupComplete;
      this.heldSetupComplete = undefined;
      if (held) {
        try {
          held();
        } catch (error) {
          this.report(`handling setupComplete failed: ${describeThrown(error)}`);
        }
      }
    };
  }

  private report(description: string): void {
    try {
      this.events.problem(description);
    } catch {
      // The listener itself failed: swallowing is the only way to keep the process alive.
    }
  }
}
