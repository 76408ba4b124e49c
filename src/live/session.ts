/**
 * The resilient Live session: one conversation over a succession of connections (generations 1,
 * 2, …). It keeps the newest resumption handle, hands over to a new connection when the server
 * announces goAway, reconnects with backoff under a failure budget when a connection is lost, and
 * re-sends what the new connection has not seen (see replay-buffer.ts), so nothing the user said
 * is lost. Events of replaced connections are dropped (ConnectionGeneration.retire).
 *
 * Handoff: the service (and the simulator) refuse a handle while the session's old connection is
 * still open, so the old connection is closed first and the new one opened at once with the
 * newest handle; input sent meanwhile waits in the buffer and goes out after the replay.
 *
 * Ephemeral tokens: one created with `uses: 1` cannot open a second connection, so such a session
 * cannot reconnect: the final error says so.
 */
import type { PcmChunk } from '../audio/pcm.js';
import { CliError, exitCodeFor } from '../core/errors.js';
import { QUOTA_BACKOFF, RETRY_BACKOFF, type FailureKind, FailureBudget, backoffDelay } from './backoff.js';
import { type CloseDescription, closeError, describeClose } from './close-codes.js';
import { type ConnectionClose, ConnectAborted } from './connect.js';
import { ConnectionGeneration, type GenerationObserver } from './generation.js';
import { type BufferedMessage, type ClientMessageKind, ReplayBuffer } from './replay-buffer.js';
import type { MappedEvent } from './messages.js';
import { ReplayEcho } from './replay-echo.js';
import { LoopLag } from './loop-lag.js';
import type { LiveSessionHandle, LiveSessionOptions } from './types.js';

/**
 * Gemini API: a message counts as received by the server when it was sent at least this long
 * before a handle arrived. The window is twice the connection's measured setup round trip (a
 * network round trip plus the server's own delay), kept within these bounds.
 */
export const MIN_IN_FLIGHT_WINDOW_MS = 10;
export const MAX_IN_FLIGHT_WINDOW_MS = 1_500;
/**
 * Gemini API: a handle is taken to cover only messages sent at least this long (plus our own
 * event-loop delay, see loop-lag.ts) before it was read, however fast the setup round trip was.
 * A server reads a burst of messages at once and may issue a handle after the first of them; a
 * few milliseconds of round trip say nothing about how long the rest waited in its queue. 20 ms
 * lost one 100 ms message in one of six dense-fault runs on a loaded CI machine (the simulator in
 * the same process, three test files at once on two cores); 40 ms is the margin now. Each extra
 * millisecond doubles up to 20 ms of fast-paced audio per seam, which bench/dense.js measures.
 * (Taking the loop delay over a longer past than since the previous handle was tried: under load it
 * kept brief connections from ever confirming input, and the failure budget then ended the run.)
 */
export const MIN_COVERAGE_LAG_MS = 40;
/**
 * Flow control for input faster than real time (a file with `--pace fast`): at most this much
 * audio (or 1.25 × the window, so real-time input is never held back) is sent per in-flight
 * window, which bounds what a resume can double.
 */
export const IN_FLIGHT_AUDIO_MS = 200;
/** Input audio of the Live API: 16 kHz s16le mono. */
const BYTES_PER_MS = 32;
/** After goAway, hand over no later than this long before the deadline (or half the time left). */
const GO_AWAY_MARGIN_MS = 2_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Input queued in our process beyond this (after the kernel's buffers filled): the server stopped reading. */
export const MAX_UNSENT_BYTES = 2 * 1_048_576;
/** After the model turn that goAway waited for, how long to wait for the handle that follows it. */
const HANDLE_AFTER_TURN_MS = 250;

type State = 'idle' | 'open' | 'switching' | 'closing' | 'ended';

export class LiveSession implements LiveSessionHandle {
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private rejectClosed!: (error: CliError) => void;
  private state: State = 'idle';
  private current: ConnectionGeneration | undefined;
  /** Number of the newest connection that opened (its events carry it). */
  private generations = 0;
  private readonly buffer = new ReplayBuffer();
  /** Drops what a resumed connection repeats of what the user already got. */
  private readonly echo = new ReplayEcho();
  private readonly budget = new FailureBudget();
  /** The newest resumable handle, and the server index it covers when known (transparent). */
  private handle: string | undefined;
  private handleIndex: number | undefined;
  /** The connection whose impossible message index was already reported. */
  private badIndexConn = 0;
  /** Server message index of the message before this connection's first, when known. */
  private indexBase: number | undefined = 0;
  /** The server has said which message each handle covers (transparent mode honoured). */
  private exact: boolean;
  private windowMs = MAX_IN_FLIGHT_WINDOW_MS;
  /** When the current switch began (connection lost or handoff started). */
  private lostAt = 0;
  private switchReason = '';
  private goAwayFrom: ConnectionGeneration | undefined;
  private goAwayTurnDone = false;
  /** A goAway that arrived before its connection was adopted (it came with setupComplete). */
  private earlyGoAway: { generation: ConnectionGeneration; deadline: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readyTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];
  private readonly random: () => number;
  private readonly loopLag = new LoopLag();
  /** Aborted by close() or the caller's signal: a connect in flight gives up at once. */
  private readonly connecting = new AbortController();

  constructor(private readonly options: LiveSessionOptions) {
    this.closed = new Promise<void>((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    // Whoever holds the handle awaits `closed`; until then a rejection must not count as unhandled.
    this.closed.catch(() => undefined);
    this.exact = options.config.vertex;
    this.random = options.random ?? Math.random;
    if (options.config.resumeHandle) this.indexBase = undefined;
    options.signal?.addEventListener(
      'abort',
      () => {
        this.connecting.abort();
        // Sources waiting to send must see the signal now, not when the session closes later.
        this.wakeReady();
      },
      { once: true },
    );
  }

  /**
   * Opens the first connection. Rejects with a CliError (auth, usage, timeout, protocol, quota).
   * A rate limit is retried with the longer backoff, and a server-side close during setup that
   * the contract retries (1011, 1001, 1006: a passing outage) with the normal one; every other
   * first-connection failure (1007, 1008, the setup timeout, auth) is final.
   */
  async open(): Promise<void> {
    for (;;) {
      try {
        this.adopt(await this.connect(this.options.config.resumeHandle));
        return;
      } catch (error) {
        const kind = error instanceof CliError ? firstSetupRetry(error) : undefined;
        if (!(error instanceof CliError) || kind === undefined || this.options.reconnect === false) throw error;
        if (this.connecting.signal.aborted) throw error;
        const attempt = this.budget.fail(kind);
        if (attempt === undefined) throw withNote(error, this.budgetNote(kind));
        const reason = kind === 'quota' ? 'quota' : 'connect-failed';
        this.options.events.emit({ type: 'reconnecting', attempt, reason, ...closeCodeOf(error) }, 0);
        await this.pause(backoffDelay(attempt, kind === 'quota' ? QUOTA_BACKOFF : RETRY_BACKOFF, this.random()));
        if (this.connecting.signal.aborted) throw new ConnectAborted();
        if (this.state !== 'idle') throw error;
      }
    }
  }

  get conn(): number {
    return this.generations;
  }

  /** The connection in use, for a caller that needs its resumption state. */
  get connection(): ConnectionGeneration | undefined {
    return this.current;
  }

  /** The newest resumable handle, for the registry and `resume`. */
  get resumptionHandle(): string | undefined {
    return this.handle;
  }

  /** True while a connection is being replaced or input waits to be sent. */
  get busy(): boolean {
    return this.state === 'switching' || (this.state === 'open' && this.buffer.unsentCount > 0);
  }

  sendText(text: string): void {
    this.enqueue('text', text);
  }

  sendAudio(chunk: PcmChunk): void {
    if (chunk.channels !== 1) {
      throw new RangeError(`the Live API takes mono audio; got ${chunk.channels} channels (resample first)`);
    }
    this.enqueue('audio', chunk.data.toString('base64'), `audio/pcm;rate=${chunk.sampleRate}`, chunk.data.length);
  }

  sendAudioStreamEnd(): void {
    this.enqueue('audioStreamEnd');
  }

  /** An image or a video frame (JPEG or PNG) as realtimeInput.video. */
  sendImage(data: Buffer, mimeType: string): void {
    this.enqueue('video', data.toString('base64'), mimeType);
  }

  /** Push-to-talk (automatic activity detection off): the user started talking. */
  sendActivityStart(): void {
    this.enqueue('activityStart');
  }

  /** Push-to-talk: the user stopped talking. */
  sendActivityEnd(): void {
    this.enqueue('activityEnd');
  }

  /**
   * Resolves when more input may be sent: at once (undefined) normally; later while a connection
   * is being replaced, or when input faster than real time has filled the in-flight window.
   * Waiting sources keep their audio (a live source queues it), so nothing is lost.
   */
  whenReady(): Promise<void> | undefined {
    if (this.state === 'closing' || this.state === 'ended' || this.connecting.signal.aborted) return undefined;
    if (this.state === 'open' && this.buffer.unsentCount === 0 && !this.windowFull()) return undefined;
    return new Promise<void>((resolve) => {
      this.readyWaiters.push(resolve);
      this.armReadyTimer();
    });
  }

  async close(): Promise<void> {
    if (this.state === 'ended') return this.closed.catch(() => undefined);
    this.state = 'closing';
    clearTimeout(this.timer);
    this.connecting.abort();
    this.wakeReady();
    const current = this.current;
    if (current) await current.close();
    // A connection that was already gone (mid-switch) leaves nothing to close.
    if (!this.ended) this.finish({ code: 1000, reason: 'closed by the client', requested: true });
    await this.closed.catch(() => undefined);
  }

  private get ended(): boolean {
    return this.state === 'ended';
  }

  // ---- connections -------------------------------------------------------------------------------

  private async connect(handle: string | undefined): Promise<ConnectionGeneration> {
    const number = this.generations + 1;
    const config = { ...this.options.config };
    if (handle === undefined) delete config.resumeHandle;
    else config.resumeHandle = handle;
    const generation = await ConnectionGeneration.open({
      config,
      events: this.options.events,
      id: this.options.id,
      generation: number,
      onEnd: (info, ended) => this.onEnd(info, ended),
      observer: this.observer(number),
      ...(this.options.toolHost ? { toolHost: this.options.toolHost } : {}),
      signal: this.connecting.signal,
      ...(this.options.dropRepeats === false ? {} : { filter: (event: MappedEvent) => this.echo.filter(event) }),
    });
    this.windowMs = inFlightWindow(generation.setupRoundTripMs);
    return generation;
  }

  /** Makes a freshly opened connection the current one. */
  private adopt(generation: ConnectionGeneration): void {
    this.generations = generation.number;
    this.current = generation;
    this.state = 'open';
    const early = this.earlyGoAway;
    this.earlyGoAway = undefined;
    if (early?.generation === generation) this.goAwayOnArrival(generation, early.deadline);
  }

  /**
   * A goAway that came with setupComplete. The connection is used until shortly before the
   * deadline, not left at once; and since a server that does this on every connection would keep
   * the session switching forever, it counts against the failure budget like a failed attempt.
   */
  private goAwayOnArrival(generation: ConnectionGeneration, deadline: number): void {
    if (!this.buffer.hasPendingInput) this.budget.reset();
    const attempt = this.budget.fail('retry');
    if (attempt === undefined) {
      const message = `the service announced goAway as each connection opened; ${this.budgetNote('retry')}`;
      void generation.retire();
      this.fail({ code: 'protocol', exitCode: exitCodeFor('protocol'), fatal: true, quota: false, message }, undefined, generation.number);
      return;
    }
    const left = Math.max(0, deadline - performance.now());
    this.goAwayFrom = generation;
    this.goAwayTurnDone = false;
    this.schedule(() => this.handOff(), Math.max(0, left - Math.min(GO_AWAY_MARGIN_MS, left / 2)));
  }

  private observer(number: number): GenerationObserver {
    const mine = (generation: ConnectionGeneration): boolean =>
      generation.number === number && (this.current === undefined || this.current === generation);
    return {
      resumption: (handle, index, generation) => {
        if (!mine(generation)) return;
        this.handle = handle;
        this.echo.handle();
        const now = performance.now();
        const exact = index !== undefined && this.indexBase !== undefined && this.validIndex(index, generation);
        this.exact = exact;
        this.handleIndex = exact ? index : undefined;
        const covered = this.buffer.confirm(
          exact
            ? { conn: number, now, lastConsumedIndex: index }
            : { conn: number, now, cutoff: now - Math.max(this.windowMs, MIN_COVERAGE_LAG_MS) - this.loopLag.takeMaxMs(), inFlightAudioBytes: this.windowBudget },
        );
        // The failure budget counts reconnects without progress of the user's input: a handle
        // that covers more of it is progress; so is one that finds nothing of the user's waiting.
        if (covered > 0 || !this.buffer.hasPendingInput) this.budget.reset();
        // goAway was waiting for the turn to end, or for a first handle: this one is the newest.
        if (this.goAwayFrom === generation && this.goAwayTurnDone) this.handOff();
      },
      turnComplete: (generation) => {
        if (!mine(generation)) return;
        // An answered text turn is one the server certainly took (it is never re-sent).
        if (this.buffer.turnComplete() > 0) this.budget.reset();
        if (this.goAwayFrom === generation && !this.goAwayTurnDone) {
          // The model turn goAway waited for is over; the handle that follows it covers it. (With
          // no handle at all yet, keep waiting for one until the fallback deadline.)
          this.goAwayTurnDone = true;
          if (this.handle !== undefined) this.schedule(() => this.handOff(), HANDLE_AFTER_TURN_MS);
        }
      },
      // Model output alone is no progress: a server that answers the same re-sent audio before
      // every drop would otherwise keep the session reconnecting forever.
      modelActivity: () => undefined,
      goAway: (timeLeftMs, generation) => {
        if (!mine(generation) || this.options.reconnect === false) return;
        if (this.current !== generation) {
          // With setupComplete (before connect() returns): act on it once the connection is adopted.
          this.earlyGoAway = { generation, deadline: performance.now() + timeLeftMs };
          return;
        }
        if (this.state !== 'open') return;
        this.goAwayFrom = generation;
        this.goAwayTurnDone = !generation.replyPending;
        if (this.goAwayTurnDone && this.handle !== undefined) {
          this.handOff();
          return;
        }
        // Let the current model turn finish (and a first handle come, if none has) if that happens
        // in time; hand over before the deadline anyway (without a handle: a fresh session that
        // is sent everything held).
        const margin = Math.min(GO_AWAY_MARGIN_MS, timeLeftMs / 2);
        this.schedule(() => this.handOff(), Math.max(0, timeLeftMs - margin));
      },
    };
  }

  /**
   * A `lastConsumedClientMessageIndex` must lie between the index this connection started from
   * and the last message sent on it: trusting one beyond would drop input the server never had.
   * An impossible index is reported once per connection and that handle falls back to the
   * time-based rule.
   */
  private validIndex(index: number, generation: ConnectionGeneration): boolean {
    const base = this.indexBase ?? 0;
    const last = base + generation.messagesSent;
    if (Number.isSafeInteger(index) && index >= base && index <= last) return true;
    if (this.badIndexConn !== generation.number) {
      this.badIndexConn = generation.number;
      generation.emit({
        type: 'error',
        code: 'protocol',
        message: `the service said it consumed client message ${String(index)}, but this connection sent messages ${base + 1}-${last}; ignored the index (nothing is dropped on its word)`,
      });
    }
    return false;
  }

  /** A planned switch (goAway): close the old connection, open the next at once. */
  private handOff(): void {
    const old = this.current;
    if (this.state !== 'open' || !old) return;
    // A handoff is no failure, but one that follows another with no progress of the user's input
    // in between (a server that says goAway before any handle, every time) counts like one. With
    // nothing of the user's waiting there is nothing to make progress with: an idle session is
    // never ended by handoffs.
    if (!this.buffer.hasPendingInput) this.budget.reset();
    const attempt = this.budget.fail('retry');
    this.leave(old, 'goaway');
    if (attempt === undefined) {
      void old.retire();
      const message = `the service kept announcing goAway before any of the input was confirmed; ${this.budgetNote('retry')}`;
      this.fail({ code: 'protocol', exitCode: exitCodeFor('protocol'), fatal: true, quota: false, message }, undefined, old.number);
      return;
    }
    this.options.events.emit({ type: 'reconnecting', attempt, reason: 'goaway' }, old.number);
    void old.retire();
    void this.reconnect();
  }

  /** Stops using `old`: its reply (if any) is cut, and its late frames will be dropped. */
  private leave(old: ConnectionGeneration, reason: string): void {
    clearTimeout(this.timer);
    this.goAwayFrom = undefined;
    this.state = 'switching';
    this.switchReason = reason;
    this.lostAt = performance.now();
    this.current = undefined;
    if (old.replyPending) old.emit({ type: 'turn.complete', reason: 'connection-lost' });
  }

  private onEnd(info: ConnectionClose, generation: ConnectionGeneration): void {
    if (generation !== this.current || this.state === 'ended') return;
    if (info.requested || this.state === 'closing') {
      this.finish(info, generation);
      return;
    }
    const description = describeClose(info.code, info.reason || info.error || '', 'session', {
      model: this.options.config.model,
    });
    this.leave(generation, 'connection-lost');
    if (description.fatal || this.options.reconnect === false) {
      this.fail(description, info.code, generation.number);
      return;
    }
    this.retry(description.quota ? 'quota' : 'retry', description, info.code);
  }

  /** Counts a failure and schedules the next attempt, or gives up when the budget is spent. */
  private retry(kind: FailureKind, description: CloseDescription, closeCode: number | undefined): void {
    const attempt = this.budget.fail(kind);
    if (attempt === undefined) {
      this.fail({ ...description, message: `${description.message}; ${this.budgetNote(kind)}` }, closeCode, this.generations);
      return;
    }
    const reason = kind === 'quota' ? 'quota' : this.switchReason;
    this.options.events.emit(
      { type: 'reconnecting', attempt, reason, ...(closeCode === undefined ? {} : { closeCode }) },
      this.generations,
    );
    const delay = backoffDelay(attempt, kind === 'quota' ? QUOTA_BACKOFF : RETRY_BACKOFF, this.random());
    this.schedule(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    if (this.state !== 'switching') return;
    let generation: ConnectionGeneration;
    const handle = this.handle ?? this.options.config.resumeHandle;
    // Frames of the new connection can arrive before connect() returns: expect the echo first.
    if (handle === undefined) this.echo.restarted();
    else this.echo.resumed();
    try {
      generation = await this.connect(handle);
    } catch (error) {
      // Closed meanwhile, or the caller's signal aborted the attempt: teardown stays silent.
      if (this.state !== 'switching' || error instanceof ConnectAborted) return;
      this.onConnectFailure(error);
      return;
    }
    if (this.state !== 'switching') {
      void generation.retire();
      return;
    }
    this.adopt(generation);
    this.indexBase = this.handle === undefined && !this.options.config.resumeHandle ? 0 : this.handleIndex;
    const plan = this.buffer.replay();
    // Reconnected with nothing of the user's to re-send: nothing could make progress, so an idle
    // session that keeps losing its connection is not counted out.
    if (!this.buffer.hasPendingInput) this.budget.reset();
    // Replayed input goes out under the same flow control as new input: a burst would sit in the
    // server's queue longer than the in-flight window, and a handle issued meanwhile would seem to
    // cover it.
    this.drain();
    this.options.events.emit(
      {
        type: 'resumed',
        gapMs: Math.round(performance.now() - this.lostAt),
        replayedBytes: plan.replayedBytes,
        replayedTurns: plan.replayedTurns,
        inFlightBytes: plan.inFlightBytes,
      },
      generation.number,
    );
    if (this.buffer.unsentCount === 0) this.wakeReady();
  }

  private onConnectFailure(error: unknown): void {
    const failure =
      error instanceof CliError ? error : new CliError('internal', `reconnecting failed: ${String(error)}`);
    const description: CloseDescription = {
      code: failure.code,
      exitCode: failure.exitCode,
      message: failure.message,
      quota: failure.code === 'quota',
      // Only the first connection's setup timeout is final; a later one may be a passing outage.
      fatal: failure.code === 'auth' || failure.code === 'usage' || failure.code === 'internal' || isFatalClose(failure.closeCode),
    };
    if (description.fatal) {
      this.fail(description, failure.closeCode, this.generations);
      return;
    }
    this.switchReason = 'connect-failed';
    this.retry(description.quota ? 'quota' : 'retry', description, failure.closeCode);
  }

  /** Gives up: error event, session.close, and `closed` rejects with the CliError. */
  private fail(description: CloseDescription, closeCode: number | undefined, conn: number): void {
    let message = description.message;
    if (this.options.config.ephemeralToken) {
      message += '; note: an ephemeral token created with uses: 1 cannot open a second connection, so this session cannot be resumed with it';
    }
    const error = closeError({ ...description, message }, closeCode);
    this.options.events.emit(
      { type: 'error', code: error.code, message, ...(closeCode === undefined ? {} : { closeCode }) },
      conn,
    );
    this.finish({ code: closeCode ?? 1006, reason: message, requested: false }, undefined, error);
  }

  private finish(info: ConnectionClose, generation?: ConnectionGeneration, error?: CliError): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.loopLag.stop();
    clearTimeout(this.timer);
    this.current = undefined;
    this.wakeReady();
    this.options.events.emit({ type: 'session.close', code: info.code, reason: info.reason }, generation?.number ?? this.generations);
    if (error) this.rejectClosed(error);
    else this.resolveClosed();
  }

  private budgetNote(kind: FailureKind): string {
    const attempts = this.budget.failures - 1;
    const command = this.options.resumeCommand === undefined ? `live-cli resume ${this.options.id}` : this.options.resumeCommand;
    // Without a handle (none arrived, or a resumed session's was refused) there is nothing to continue.
    const resume = command === null || (this.handle === undefined && this.options.config.resumeHandle === undefined) ? '' : `; continue the conversation later with: ${command}`;
    return kind === 'quota' ? `gave up after ${attempts} retries${resume}` : `gave up after ${attempts} attempts to reconnect${resume}`;
  }

  /** Waits `ms`, or less when the session is closed or the caller's signal fires. */
  private pause(ms: number): Promise<void> {
    const signal = this.connecting.signal;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private schedule(action: () => void, ms: number): void {
    clearTimeout(this.timer);
    // setTimeout fires after 1 ms for anything beyond 2^31 − 1 ms: never hand it such a value.
    this.timer = setTimeout(action, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
  }

  // ---- sending -----------------------------------------------------------------------------------

  private enqueue(kind: ClientMessageKind, payload?: string, mimeType?: string, audioBytes = 0): void {
    if (this.state === 'closing' || this.state === 'ended') return;
    this.buffer.add(kind, payload, mimeType, audioBytes);
    this.drain();
  }

  /** Sends what waits, in order, as far as the connection and the in-flight window allow. */
  private drain(): void {
    while (this.state === 'open') {
      const message = this.buffer.nextUnsent();
      if (!message) break;
      if (message.audioBytes > 0 && this.windowFull()) {
        this.armReadyTimer();
        return;
      }
      // A failed send means the socket is closing: the close handler takes it from there.
      if (!this.transmit(message)) return;
    }
    if (this.buffer.unsentCount === 0) this.wakeReady();
  }

  private transmit(message: BufferedMessage): boolean {
    const generation = this.current;
    if (!generation) return false;
    let sent: boolean;
    switch (message.kind) {
      case 'audio':
        sent = generation.sendAudio(message.payload ?? '', message.mimeType ?? 'audio/pcm;rate=16000');
        break;
      case 'text':
        sent = generation.sendText(message.payload ?? '');
        break;
      case 'audioStreamEnd':
        sent = generation.sendAudioStreamEnd();
        break;
      case 'activityStart':
        sent = generation.sendActivityStart();
        break;
      case 'activityEnd':
        sent = generation.sendActivityEnd();
        break;
      case 'video':
        sent = generation.sendVideo(message.payload ?? '', message.mimeType ?? 'image/jpeg');
        break;
    }
    if (sent) {
      this.buffer.markSent(message, performance.now(), generation.number, (this.indexBase ?? 0) + generation.messagesSent);
      if (generation.unsentBytes > MAX_UNSENT_BYTES) {
        // The kernel's buffers are full and ours keep growing: the server has stopped reading.
        // Waiting would only end in a turn timeout with nothing said; this connection is lost.
        generation.emit({
          type: 'error',
          code: 'protocol',
          message: `the service stopped reading our input (${(generation.unsentBytes / 1_048_576).toFixed(1)} MB waiting to be sent); dropping the connection`,
        });
        generation.abandon();
        return false;
      }
    }
    return sent;
  }

  /** Audio bytes that may be sent per in-flight window (Gemini API). */
  private get windowBudget(): number {
    return Math.max(IN_FLIGHT_AUDIO_MS, 1.25 * this.windowMs) * BYTES_PER_MS;
  }

  /**
   * Has input faster than real time filled the in-flight window? On the Gemini API this bounds
   * what a resume can double. With transparent resumption nothing is doubled, but input must
   * still not run far ahead of the server: a server that closes with much of it unread resets
   * the connection, and the handles it had sent meanwhile are lost with it.
   */
  private windowFull(): boolean {
    return this.buffer.sentSince(performance.now() - this.windowMs) >= this.windowBudget;
  }

  private armReadyTimer(): void {
    if (this.readyTimer || this.state !== 'open') return;
    // Wait until half the budget is free, so that one timer lets a few chunks through.
    const leaving = this.buffer.sendTimeLeaving(this.windowBudget / 2) ?? performance.now();
    const wait = Math.max(1, leaving + this.windowMs - performance.now());
    this.readyTimer = setTimeout(() => {
      this.readyTimer = undefined;
      if (this.state !== 'open') return;
      this.drain();
      if (this.windowFull()) this.armReadyTimer();
      else if (this.buffer.unsentCount === 0) this.wakeReady();
    }, wait);
  }

  private wakeReady(): void {
    clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}

/** The in-flight window for a connection whose setup took `setupRoundTripMs`: two round trips. */
export function inFlightWindow(setupRoundTripMs: number): number {
  return Math.min(MAX_IN_FLIGHT_WINDOW_MS, Math.max(MIN_IN_FLIGHT_WINDOW_MS, 2 * setupRoundTripMs));
}

/** Which failures of the first connection are retried, and under which budget. */
function firstSetupRetry(error: CliError): FailureKind | undefined {
  if (error.code === 'quota') return 'quota';
  if (error.code === 'protocol' && (error.closeCode === 1011 || error.closeCode === 1001 || error.closeCode === 1006)) return 'retry';
  return undefined;
}

function isFatalClose(code: number | undefined): boolean {
  return code === 1007 || code === 1008;
}

function closeCodeOf(error: CliError): { closeCode?: number } {
  return error.closeCode === undefined ? {} : { closeCode: error.closeCode };
}

function withNote(error: CliError, note: string): CliError {
  return new CliError(error.code, `${error.message}; ${note}`, {
    exitCode: error.exitCode,
    ...closeCodeOf(error),
  });
}

/** Connects, emits `session.open`, and returns the open session. */
export async function openLiveSession(options: LiveSessionOptions): Promise<LiveSessionHandle> {
  const session = new LiveSession(options);
  await session.open();
  return session;
}
