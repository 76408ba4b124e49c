/**
 * What the user said that the server might not have kept: every client message since the newest
 * resumption handle certainly covered it, in order, so that a resumed connection can be sent
 * exactly what it is missing. Pure bookkeeping (no I/O, no timers): the session supplies the
 * clock readings.
 *
 * Which messages a handle covers:
 * - `transparent` (Vertex): the update says `lastConsumedClientMessageIndex`, so messages up to
 *   that server index are covered, and the rest are re-sent. Nothing is doubled.
 * - Gemini API: the update says nothing. A handle captures the session as of the last message the
 *   server had received when it issued the handle, and messages still in flight at that moment may
 *   or may not be in it. The buffer counts a message as covered when it was sent at least the
 *   in-flight window before the handle arrived (`cutoff`) and is not among the newest sends (the
 *   last `inFlightAudioBytes` of audio before the handle: a burst waits in the server's queue
 *   however old it is), or when it is a text turn the model had
 *   already answered before the handle arrived (the answer proves the server had it, and the
 *   service issues handles in order). Everything later is re-sent: nothing is lost, and at most the
 *   audio in flight (sent between the cutoff and the handle's arrival) is doubled; `replay()`
 *   reports that amount as `inFlightBytes`.
 * A text turn that was answered is never re-sent (its reply was delivered), whatever the handle.
 */

export type ClientMessageKind = 'audio' | 'audioStreamEnd' | 'text' | 'activityStart' | 'activityEnd' | 'video';

export interface BufferedMessage {
  /** Client-side order, from 1, over the whole session. */
  readonly seq: number;
  readonly kind: ClientMessageKind;
  /** Base64 PCM for audio, the text for a text turn, a base64 JPEG/PNG for a video frame. */
  readonly payload?: string;
  readonly mimeType?: string;
  /** Decoded PCM bytes (audio only). */
  readonly audioBytes: number;
  /** `performance.now()` of the latest send; undefined while it waits for a connection. */
  sentAt?: number;
  /** The connection (generation) it was last sent on. */
  conn?: number;
  /** Its message index on the connection it was last sent on, counted as the server counts. */
  serverIndex?: number;
  /** Sent at least once (a re-send of it is a replay). */
  everSent: boolean;
  /** Text turns: a model turn completed after it was sent. */
  answered: boolean;
}

export interface ReplayPlan {
  /** To send on the new connection, in this order. */
  messages: BufferedMessage[];
  /** Audio bytes among them that had been sent before. */
  replayedBytes: number;
  /** Text turns among them that had been sent before. */
  replayedTurns: number;
  /**
   * Of `replayedBytes`, the audio that was in flight when the newest handle arrived (Gemini API
   * only): the handle may already hold it, so at most this much is doubled. 0 in transparent mode.
   */
  inFlightBytes: number;
}

export interface Confirmation {
  /** The connection the handle came on: only what was sent on it can be covered. */
  conn: number;
  /** When the handle arrived (`performance.now()`). */
  now: number;
  /** Gemini API: messages sent at or before this time are covered… */
  cutoff?: number;
  /**
   * …except the last this-many bytes of audio sent before the handle arrived, whenever they were
   * sent: a burst (a replay, or input faster than real time) can sit in the server's queue longer
   * than any time window, and a handle issued in the middle of it covers only its start.
   */
  inFlightAudioBytes?: number;
  /** Transparent mode: the server's `lastConsumedClientMessageIndex`. */
  lastConsumedIndex?: number;
}

/**
 * At 16 kHz s16le mono: five minutes of audio (9.6 MB). More than a server that stopped reading
 * can have taken into the socket buffers on loopback (about two minutes of base64 audio) plus
 * what queues in our process before the connection is given up (MAX_UNSENT_BYTES), so that input
 * is re-sent rather than dropped from here.
 */
export const DEFAULT_MAX_AUDIO_BYTES = 5 * 60 * 16_000 * 2;

export class ReplayBuffer {
  private messages: BufferedMessage[] = [];
  private nextSeq = 1;
  private audioBytes = 0;
  /** When the newest handle arrived, for the in-flight account; undefined before any handle. */
  private handleAt: number | undefined;
  private exact = false;
  /** Audio dropped because the buffer was full (no handle for too long). */
  private overflowBytes = 0;
  /** Recent sends (time, audio bytes), for the in-flight window; trimmed by `sentSince`. */
  private recent: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly maxAudioBytes = DEFAULT_MAX_AUDIO_BYTES) {}

  /** Messages held, oldest first (for tests and diagnostics). */
  get held(): readonly BufferedMessage[] {
    return this.messages;
  }

  get heldAudioBytes(): number {
    return this.audioBytes;
  }

  /** Audio dropped from the buffer because it was full; a resume cannot restore it. */
  get droppedAudioBytes(): number {
    return this.overflowBytes;
  }

  /** Messages waiting to be sent. */
  get unsentCount(): number {
    let count = 0;
    for (const message of this.messages) if (message.sentAt === undefined) count++;
    return count;
  }

  /** The oldest message waiting to be sent (messages go out in order). */
  nextUnsent(): BufferedMessage | undefined {
    return this.messages.find((message) => message.sentAt === undefined);
  }

  /** Adds a message (not yet sent). */
  add(kind: ClientMessageKind, payload?: string, mimeType?: string, audioBytes = 0): BufferedMessage {
    const message: BufferedMessage = {
      seq: this.nextSeq++,
      kind,
      ...(payload === undefined ? {} : { payload }),
      ...(mimeType === undefined ? {} : { mimeType }),
      audioBytes,
      everSent: false,
      answered: false,
    };
    this.messages.push(message);
    this.audioBytes += audioBytes;
    this.trim();
    return message;
  }

  markSent(message: BufferedMessage, now: number, conn: number, serverIndex: number): void {
    message.sentAt = now;
    message.conn = conn;
    message.serverIndex = serverIndex;
    message.everSent = true;
    if (message.audioBytes > 0) this.recent.push({ at: now, bytes: message.audioBytes });
  }

  /** Audio bytes sent after `since` (the in-flight window's worth, for flow control). */
  sentSince(since: number): number {
    let start = 0;
    while (start < this.recent.length && (this.recent[start]?.at ?? Infinity) <= since) start++;
    if (start > 0) this.recent = this.recent.slice(start);
    let bytes = 0;
    for (const entry of this.recent) bytes += entry.bytes;
    return bytes;
  }

  /**
   * The send time after whose leaving the window at most `bytes` of audio remain in it (the recent
   * sends up to and including it must age out); undefined when already at or below.
   */
  sendTimeLeaving(bytes: number): number | undefined {
    let total = 0;
    for (const entry of this.recent) total += entry.bytes;
    for (const entry of this.recent) {
      if (total <= bytes) return undefined;
      total -= entry.bytes;
      if (total <= bytes) return entry.at;
    }
    return undefined;
  }

  /**
   * A model turn completed: every text turn sent so far has had its answer. Returns how many
   * text turns were answered just now (the server has certainly taken them: progress).
   */
  turnComplete(): number {
    let answered = 0;
    for (const message of this.messages) {
      if (message.kind === 'text' && message.sentAt !== undefined && !message.answered) {
        message.answered = true;
        answered++;
      }
    }
    return answered;
  }

  /** Held input the server may still need: anything but a text turn it has answered. */
  get hasPendingInput(): boolean {
    return this.messages.some((message) => !(message.kind === 'text' && message.answered));
  }

  /** A new resumable handle arrived: drop what it certainly covers. Returns how many messages that was. */
  confirm(confirmation: Confirmation): number {
    this.handleAt = confirmation.now;
    let covered: (message: BufferedMessage) => boolean;
    if (confirmation.lastConsumedIndex !== undefined) {
      this.exact = true;
      const last = confirmation.lastConsumedIndex;
      covered = (message) =>
        message.conn === confirmation.conn && message.serverIndex !== undefined && message.serverIndex <= last;
    } else {
      this.exact = false;
      let boundary = 0;
      const cutoff = confirmation.cutoff ?? -Infinity;
      // The newest sends, back to `inFlightAudioBytes` of audio, stay in flight whatever the clock says.
      let tailStart = Infinity;
      let tailBytes = 0;
      const tailLimit = confirmation.inFlightAudioBytes ?? 0;
      for (let i = this.messages.length - 1; i >= 0 && tailLimit > 0; i--) {
        const message = this.messages[i];
        if (!message || message.sentAt === undefined || message.conn !== confirmation.conn) continue;
        if (tailBytes >= tailLimit) break;
        tailBytes += message.audioBytes;
        tailStart = message.seq;
      }
      for (const message of this.messages) {
        if (message.sentAt === undefined || message.conn !== confirmation.conn) break;
        const answered = message.kind === 'text' && message.answered;
        if (answered || (message.sentAt <= cutoff && message.seq < tailStart)) boundary = message.seq;
      }
      covered = (message) => message.seq <= boundary;
    }
    const kept: BufferedMessage[] = [];
    let dropped = 0;
    for (const message of this.messages) {
      if (covered(message)) {
        this.audioBytes -= message.audioBytes;
        dropped++;
      } else kept.push(message);
    }
    this.messages = kept;
    return dropped;
  }

  /**
   * What a resumed connection needs, in order; answered text turns are dropped for good. (With no
   * handle at all the new connection starts a fresh session, and everything held is replayed.)
   */
  replay(): ReplayPlan {
    const plan: ReplayPlan = { messages: [], replayedBytes: 0, replayedTurns: 0, inFlightBytes: 0 };
    const kept: BufferedMessage[] = [];
    for (const message of this.messages) {
      if (message.kind === 'text' && message.answered) {
        this.audioBytes -= message.audioBytes;
        continue;
      }
      kept.push(message);
      plan.messages.push(message);
      if (!message.everSent) continue;
      if (message.kind === 'text') plan.replayedTurns++;
      plan.replayedBytes += message.audioBytes;
      if (!this.exact && this.handleAt !== undefined && message.sentAt !== undefined && message.sentAt <= this.handleAt) {
        plan.inFlightBytes += message.audioBytes;
      }
    }
    this.messages = kept;
    // Everything held is to be sent afresh on the new connection.
    for (const message of kept) {
      delete message.sentAt;
      delete message.conn;
      delete message.serverIndex;
    }
    this.recent = [];
    return plan;
  }

  /** Keeps at most `maxAudioBytes` of audio: the oldest audio goes first (text turns stay). */
  private trim(): void {
    if (this.audioBytes <= this.maxAudioBytes) return;
    const kept: BufferedMessage[] = [];
    for (const message of this.messages) {
      if (this.audioBytes > this.maxAudioBytes && message.kind === 'audio' && message.sentAt !== undefined) {
        this.audioBytes -= message.audioBytes;
        this.overflowBytes += message.audioBytes;
        continue;
      }
      kept.push(message);
    }
    this.messages = kept;
  }
}
