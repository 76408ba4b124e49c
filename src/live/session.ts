/**
 * A Live session over a single connection (generation 1). Until the continuity issue adds a
 * ResilientSession that opens generation 2, 3, … with the newest resumption handle, a connection
 * lost after open ends the session: `closed` rejects with a CliError that says so (exit 4, or the
 * close code's own exit code when it is fatal or a rate limit).
 *
 * Ephemeral tokens: one created with `uses: 1` cannot open a second connection, so such a session
 * can never be resumed or reconnected, whatever the handle.
 */
import type { PcmChunk } from '../audio/pcm.js';
import { CliError } from '../core/errors.js';
import { closeError, describeClose } from './close-codes.js';
import type { ConnectionClose } from './connect.js';
import { ConnectionGeneration } from './generation.js';
import type { LiveSessionHandle, LiveSessionOptions } from './types.js';

export const NO_RECONNECT_YET = 'the connection was lost and automatic reconnection is not available yet';

export class LiveSession implements LiveSessionHandle {
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private rejectClosed!: (error: CliError) => void;
  private current: ConnectionGeneration | undefined;
  private generations = 0;
  private closing = false;
  private ended = false;

  constructor(private readonly options: LiveSessionOptions) {
    this.closed = new Promise<void>((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    // Whoever holds the handle awaits `closed`; until then a rejection must not count as unhandled.
    this.closed.catch(() => undefined);
  }

  /** Opens the first connection. Rejects with a CliError (auth, usage, timeout, protocol, quota). */
  async open(): Promise<void> {
    this.current = await ConnectionGeneration.open({
      config: this.options.config,
      events: this.options.events,
      id: this.options.id,
      generation: ++this.generations,
      onEnd: (info, generation) => this.onEnd(info, generation),
    });
  }

  get conn(): number {
    return this.current?.number ?? 0;
  }

  /** The connection in use, for a caller that needs its resumption state. */
  get connection(): ConnectionGeneration | undefined {
    return this.current;
  }

  sendText(text: string): void {
    this.current?.sendText(text);
  }

  sendAudio(chunk: PcmChunk): void {
    if (chunk.channels !== 1) {
      throw new RangeError(`the Live API takes mono audio; got ${chunk.channels} channels (resample first)`);
    }
    this.current?.sendAudio(chunk.data.toString('base64'), `audio/pcm;rate=${chunk.sampleRate}`);
  }

  sendAudioStreamEnd(): void {
    this.current?.sendAudioStreamEnd();
  }

  /** Push-to-talk (automatic activity detection off): the user started talking. */
  sendActivityStart(): void {
    this.current?.sendActivityStart();
  }

  /** Push-to-talk: the user stopped talking. */
  sendActivityEnd(): void {
    this.current?.sendActivityEnd();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.current && !this.ended) await this.current.close();
    await this.closed.catch(() => undefined);
  }

  private onEnd(info: ConnectionClose, generation: ConnectionGeneration): void {
    if (this.ended) return;
    this.ended = true;
    const unexpected = !info.requested && !this.closing;
    if (unexpected && generation.replyPending) {
      generation.emit({ type: 'turn.complete', reason: 'connection-lost' });
    }
    generation.emit({ type: 'session.close', code: info.code, reason: info.reason });
    if (!unexpected) {
      this.resolveClosed();
      return;
    }
    const description = describeClose(info.code, info.reason || info.error || '', 'session', {
      model: this.options.config.model,
    });
    const message = description.fatal || description.quota ? description.message : `${description.message}; ${NO_RECONNECT_YET}`;
    const error = closeError({ ...description, message }, info.code);
    generation.emit({ type: 'error', code: error.code, message, closeCode: info.code });
    this.rejectClosed(error);
  }
}

/** Connects, emits `session.open`, and returns the open session. */
export async function openLiveSession(options: LiveSessionOptions): Promise<LiveSessionHandle> {
  const session = new LiveSession(options);
  await session.open();
  return session;
}
