import { WebSocket, type RawData } from 'ws';
import type { SimContext } from './context.js';
import { messageKindName, parseClientMessage, type ClientMessage, type FunctionResponse, type RealtimePart, type SetupSummary } from './messages.js';
import { intentForText, planReply, speechReplyText, toolReplyText, type ReplyPlan, type TurnIntent } from './reply.js';
import type { Route } from './routes.js';
import { cloneKeptState, type SessionConnection, type SimSession } from './session.js';
import { reportFeatures, setupRefusal, wantsThoughts } from './setup-features.js';
import { synthesizeSpeech, SYNTH_RATE } from './synth.js';
import { audioTokens, compressHistory, frameTokens, textTokens, usageFor, vertexUsage, type UsageMetadata } from './tokens.js';
import { EnergyVad, vadTuning, type VadEvent } from './vad.js';

/** Reply audio goes out faster than real time, as the service's does, but slow enough to barge in. */
const REPLY_SPEEDUP = 4;
const TEXT_STEP_MS = 10;
/** Stale frames follow the handoff a little later, so they land after the new connection's setup. */
const STALE_FRAME_DELAY_MS = 50;
const BAD_FRAME = Buffer.from('<html><body>502 Bad Gateway</body></html> {not json');

interface ActiveReply {
  plan: ReplyPlan;
  source: string;
  next: number;
  messagesSent: number;
  audioSecondsSent: number;
  textSent: string;
  thoughtSent: boolean;
  timer: NodeJS.Timeout | undefined;
  awaitingTool: { id: string; name: string } | undefined;
  /** The session's first reply: the one `bad-frame-after` corrupts. */
  first: boolean;
  badFrameSent: boolean;
}


/** `bad-audio`: reply audio with an odd byte count, or data that is not base64 at all. */
function corruptAudio(message: Record<string, unknown>, how: 'odd' | 'bad'): Record<string, unknown> {
  const content = message.serverContent as { modelTurn?: { parts?: Array<{ inlineData?: { mimeType: string; data: string } }> } } | undefined;
  const parts = content?.modelTurn?.parts;
  if (!parts?.some((part) => part.inlineData)) return message;
  const corrupted = parts.map((part) => {
    if (!part.inlineData) return part;
    const pcm = Buffer.from(part.inlineData.data, 'base64');
    const data = how === 'odd' ? pcm.subarray(0, pcm.length - 1).toString('base64') : `%%not base64%%${part.inlineData.data.slice(0, 8)}`;
    return { inlineData: { ...part.inlineData, data } };
  });
  return { ...message, serverContent: { ...content, modelTurn: { ...content?.modelTurn, parts: corrupted } } };
}

/**
 * One WebSocket connection: validates what the client sends, keeps the session's state, and plays
 * replies frame by frame so they can be interrupted, dropped or corrupted on schedule.
 */
export class SimConnection implements SessionConnection {
  startClock = 0;
  private phase: 'setup' | 'open' | 'closed' = 'setup';
  private session: SimSession | undefined;
  private setup: SetupSummary | undefined;
  private setupAnswered = false;
  /** Replaced by a resumed connection (allow-overlap): messages here no longer touch the session. */
  private detached = false;
  private serverClosing = false;
  private goingAway = false;
  private goAwayTimer: NodeJS.Timeout | undefined;
  private reply: ActiveReply | undefined;
  /** A client message is being consumed; handles wanted meanwhile wait for its end (handleOwed). */
  private consuming = false;
  private handleOwed = false;
  /** NON_BLOCKING calls sent and not yet answered: id → function name. */
  private readonly asyncCalls = new Map<string, string>();
  /** WHEN_IDLE results waiting for the current reply to end, as reply texts in arrival order. */
  private readonly idleReplies: string[] = [];
  /** Calls this connection cancelled: a late response to one is recorded as such. */
  private readonly cancelledCalls = new Set<string>();
  /**
   * `stop-reading-after`: the socket is paused. A paused socket does not see the client's reset
   * either, so from then on it counts as gone (a resume is not refused as an overlap).
   */
  private stoppedReading = false;

  constructor(
    private readonly ctx: SimContext,
    private readonly ws: WebSocket,
    readonly id: number,
    private readonly route: Route,
  ) {
    ws.on('message', (data) => this.onFrame(data));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    // 'error' is always followed by 'close'; without a listener ws would throw it.
    ws.on('error', () => undefined);
  }

  isOpen(): boolean {
    return this.phase !== 'closed' && !this.serverClosing && !this.stoppedReading && this.ws.readyState === WebSocket.OPEN;
  }

  // ---- transport -------------------------------------------------------------------------------

  /** Every server frame (and a server close) waits `latency` ms; equal delays keep their order. */
  private deliver(action: () => void): void {
    if (this.ctx.options.latency > 0) this.ctx.later(action, this.ctx.options.latency);
    else action();
  }

  /** JSON as the service sends it: pretty-printed, in a binary frame. */
  private sendJson(message: Record<string, unknown>): void {
    if (this.serverClosing) return;
    const frame = Buffer.from(JSON.stringify(message, null, 2));
    this.deliver(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame, { binary: true });
    });
  }

  closeWith(code: number, reason: string): void {
    if (this.serverClosing || this.phase === 'closed') return;
    this.serverClosing = true;
    this.stopReply('server-close');
    this.ctx.cancel(this.goAwayTimer);
    this.ctx.recorder.record({ type: 'server-close', conn: this.id, session: this.session?.id ?? null, code, reason });
    this.ctx.recorder.info(`conn ${this.id}: closing ${code} ${reason}`);
    this.deliver(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    });
  }

  /** The network dies: no close frame (the client sees 1006), unless `close-code` names one. */
  drop(fault: string): void {
    if (this.serverClosing || this.phase === 'closed') return;
    this.serverClosing = true;
    this.stopReply('drop');
    this.ctx.cancel(this.goAwayTimer);
    const code = this.ctx.options.closeCode;
    this.fault(fault, { code: code ?? 1006 });
    if (code !== undefined) this.ws.close(code, this.ctx.options.closeReason ?? 'Simulated connection drop');
    else this.ws.terminate();
  }

  goAway(fault: string): void {
    if (this.goingAway || !this.isOpen() || !this.setupAnswered) return;
    this.goingAway = true;
    const timeLeft = this.ctx.options.goAwayTimeLeft;
    const raw = this.ctx.options.goAwayRaw;
    this.sendJson({ goAway: { timeLeft: raw ?? `${timeLeft}s` } });
    this.fault(fault, { timeLeft: raw ?? timeLeft });
    // time-left is wall-clock even in time=audio: the client needs real time to hand off.
    this.goAwayTimer = this.ctx.later(() => this.closeWith(1011, 'Deadline expired'), timeLeft * 1000);
  }

  handOff(): void {
    this.detached = true;
    this.stopReply('handoff');
    if (!this.ctx.options.staleFrames) return;
    this.fault('stale-frames', {});
    this.ctx.later(() => {
      const late: Record<string, unknown>[] =
        this.setup?.modality === 'TEXT'
          ? [{ serverContent: { modelTurn: { parts: [{ text: `(stale frame from connection ${this.id})` }] } } }]
          : [
              { serverContent: { outputTranscription: { text: ` (stale frame from connection ${this.id})` } } },
              {
                serverContent: {
                  modelTurn: {
                    parts: [{ inlineData: { mimeType: `audio/pcm;rate=${SYNTH_RATE}`, data: synthesizeSpeech('stale', 0).toString('base64') } }],
                  },
                },
              },
            ];
      // A handle no session knows: a client that takes it from the old connection fails to resume.
      late.push({ serverContent: { turnComplete: true } }, { sessionResumptionUpdate: { newHandle: `stale-${this.ctx.randomHex()}`, resumable: true } });
      for (const message of late) this.sendJson(message);
    }, STALE_FRAME_DELAY_MS);
  }

  private fault(fault: string, details: Record<string, unknown>): void {
    this.session?.faults.push(fault);
    this.ctx.recorder.record({ type: 'fault', fault, conn: this.id, session: this.session?.id ?? null, clock: this.session?.clock() ?? 0, ...details });
    this.ctx.recorder.info(`conn ${this.id}: fault ${fault}`);
  }

  private onClose(code: number, reason: string): void {
    this.phase = 'closed';
    this.ctx.cancel(this.goAwayTimer);
    this.stopReply('connection-closed');
    if (this.session?.current === this) this.session.current = undefined;
    this.ctx.recorder.record({ type: 'disconnect', conn: this.id, session: this.session?.id ?? null, code, reason });
    this.ctx.recorder.info(`conn ${this.id}: closed ${code}${reason ? ` ${reason}` : ''}`);
  }

  // ---- client messages -------------------------------------------------------------------------

  private onFrame(data: RawData): void {
    if (this.serverClosing || this.phase === 'closed') return;
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    let value: unknown;
    try {
      value = JSON.parse(frame.toString('utf8'));
    } catch {
      this.recordClient('invalid-json', frame.length, null);
      this.closeWith(1007, 'Invalid JSON payload received.');
      return;
    }
    const message = parseClientMessage(value);
    if (message.kind === 'invalid') {
      this.recordClient('invalid', frame.length, null, { reason: message.reason });
      this.closeWith(1007, message.reason);
      return;
    }
    if (message.kind === 'setup') {
      this.recordClient('setup', frame.length, null);
      if (this.phase === 'setup') this.onSetup(message.setup);
      else this.closeWith(1007, 'setup may only be sent once, as the first message.');
      return;
    }
    if (this.phase === 'setup') {
      this.recordClient(messageKindName(message), frame.length, null);
      this.closeWith(1007, 'The first message must be setup.');
      return;
    }
    const session = this.session;
    if (!session || this.detached || !this.setupAnswered) {
      // Not part of the session: after a handoff, or before a setupComplete that never comes.
      this.recordClient(messageKindName(message), frame.length, null, { ignored: this.detached ? 'detached' : 'no-setup-complete' });
      return;
    }
    this.consume(session, message, frame.length);
  }

  private recordClient(kind: string, bytes: number, index: number | null, extra: Record<string, unknown> = {}): void {
    this.ctx.recorder.record({ type: 'client', conn: this.id, session: this.session?.id ?? null, kind, bytes, index, ...extra });
  }

  private onSetup(setup: SetupSummary): void {
    const options = this.ctx.options;
    // What the model cannot take is refused as the service does, before any session exists.
    const refusal = setupRefusal(setup.model, setup.modality, setup.features, this.route.version, this.route.api === 'vertex');
    if (refusal !== undefined) {
      this.ctx.recorder.record({
        type: 'setup-refused',
        conn: this.id,
        model: setup.model,
        modality: setup.modality,
        apiVersion: this.route.version,
        reason: refusal,
        ...reportFeatures(setup.features),
      });
      this.closeWith(1007, refusal);
      return;
    }
    let session: SimSession;
    if (setup.handle !== undefined) {
      const entry = this.ctx.findHandle(setup.handle);
      const refusal = options.rejectResume ? 'reject-resume' : !entry ? 'unknown-handle' : entry.session.ended ? 'session-ended' : undefined;
      if (refusal !== undefined || !entry) {
        this.ctx.recorder.record({ type: 'handle', action: 'rejected', handle: setup.handle, conn: this.id, session: entry?.session.id ?? null, reason: refusal });
        this.closeWith(1008, 'session not found');
        return;
      }
      const other = entry.session.current;
      if (other && other !== this && other.isOpen()) {
        if (!options.allowOverlap) {
          this.ctx.recorder.record({ type: 'handle', action: 'rejected', handle: setup.handle, conn: this.id, session: entry.session.id, reason: 'overlap', openConn: other.id });
          this.closeWith(1011, 'Session resumption refused: the session is still open on another connection.');
          return;
        }
        other.handOff();
      }
      session = entry.session;
      session.kept = cloneKeptState(entry.kept);
      session.resumes++;
      this.ctx.recorder.record({
        type: 'handle',
        action: 'accepted',
        handle: setup.handle,
        conn: this.id,
        session: session.id,
        messageIndex: session.kept.messageIndex,
        audioBytesKept: session.kept.audioBytes,
        textTurnsKept: session.kept.textTurns.length,
      });
    } else {
      session = this.ctx.createSession();
    }
    this.session = session;
    this.setup = setup;
    this.phase = 'open';
    this.startClock = session.clock();
    session.connections++;
    session.current = this;
    session.compressed = setup.compression !== undefined;
    if (setup.modality === 'AUDIO') session.usesAudio = true;
    this.ctx.recorder.record({
      type: 'setup',
      conn: this.id,
      session: session.id,
      resumed: setup.handle !== undefined,
      model: setup.model,
      modality: setup.modality,
      inputTranscription: setup.inputTranscription,
      outputTranscription: setup.outputTranscription,
      resumption: setup.resumption,
      transparent: setup.transparent,
      compression: setup.compression ?? null,
      manualActivity: setup.manualActivity,
      functions: setup.functionNames,
      nonBlockingFunctions: setup.nonBlockingFunctions,
      googleSearch: setup.googleSearch,
      codeExecution: setup.codeExecution,
      voice: setup.voice ?? null,
      temperature: setup.temperature ?? null,
      systemInstruction: setup.systemText,
      apiVersion: this.route.version,
      ...reportFeatures(setup.features),
    });
    this.ctx.recorder.info(`conn ${this.id}: setup ${setup.model} ${setup.modality}${setup.handle !== undefined ? ' (resumed)' : ''} session ${session.id}`);
    if (options.noSetupComplete || (options.stallReconnect && this.id > 1)) {
      this.fault(options.noSetupComplete ? 'no-setup-complete' : 'stall-reconnect', {});
      return;
    }
    const setupComplete = this.route.api === 'vertex' ? { sessionId: session.sessionId } : {};
    const withSetup = options.goAwayWithSetup;
    if (withSetup !== undefined) this.fault('go-away-with-setup', { timeLeft: withSetup });
    this.sendJson(withSetup === undefined ? { setupComplete } : { setupComplete, goAway: { timeLeft: withSetup } });
    this.setupAnswered = true;
    this.ctx.checkSchedules(session);
  }

  private consume(session: SimSession, message: ClientMessage, bytes: number): void {
    this.consuming = true;
    try {
      this.consumeMessage(session, message, bytes);
    } finally {
      this.consuming = false;
    }
    if (this.handleOwed) {
      this.handleOwed = false;
      if (!this.serverClosing && this.isOpen()) this.issueHandle(session);
    }
  }

  private consumeMessage(session: SimSession, message: ClientMessage, bytes: number): void {
    session.receivedMessages++;
    session.kept.messageIndex++;
    const audio = message.kind === 'realtimeInput' ? message.parts.find((part) => part.kind === 'audio') : undefined;
    if (audio?.kind === 'audio') this.accountAudio(session, audio.data, audio.sampleRate);
    this.recordClient(messageKindName(message), bytes, session.kept.messageIndex, {
      ...(audio?.kind === 'audio'
        ? { audioBytes: audio.data.length, audioBytesReceived: session.receivedAudioBytes, audioBytesKept: session.kept.audioBytes }
        : {}),
    });
    switch (message.kind) {
      case 'clientContent':
        this.onClientContent(session, message.turns, message.turnComplete);
        break;
      case 'realtimeInput':
        for (const part of message.parts) {
          if (this.serverClosing) return;
          this.onRealtimePart(session, part);
        }
        break;
      case 'toolResponse':
        this.onToolResponse(session, message.responses);
        break;
      default:
        break;
    }
    if (this.serverClosing) return;
    const stopAfter = this.ctx.options.stopReadingAfter;
    if (stopAfter !== undefined && session.receivedMessages === stopAfter) {
      // The socket stays open and nothing more is read: the client's sends pile up in its buffers.
      this.fault('stop-reading', {});
      this.stoppedReading = true;
      this.ws.pause();
    }
    const dropAfter = this.ctx.options.dropAfterMessages;
    if (dropAfter !== undefined && !session.dropAfterMessagesFired && session.receivedMessages >= dropAfter) {
      session.dropAfterMessagesFired = true;
      this.drop('drop-after-messages');
      return;
    }
    if (audio) {
      this.ctx.checkSchedules(session);
      if (this.setup?.resumption && !this.reply && this.isOpen() && session.clock() - session.lastHandleClock >= this.ctx.options.handleEvery) {
        this.issueHandle(session);
      }
    }
  }

  private accountAudio(session: SimSession, data: Buffer, sampleRate: number): void {
    const seconds = data.length / 2 / sampleRate;
    session.usesAudio = true;
    session.receivedAudioBytes += data.length;
    session.receivedAudioSeconds += seconds;
    session.kept.audioBytes += data.length;
    session.kept.audioSeconds += seconds;
    session.kept.audioHash.update(data);
    session.kept.audioChunks?.push(data);
  }

  private onClientContent(session: SimSession, turns: { role: string; text: string }[], turnComplete: boolean): void {
    let lastUserText: string | undefined;
    for (const turn of turns) {
      if (turn.text === '') continue;
      if (turn.role === 'model') {
        session.kept.history.push({ role: 'model', modality: 'TEXT', tokens: textTokens(turn.text) });
        continue;
      }
      this.addUserText(session, turn.text, 'clientContent');
      lastUserText = turn.text;
    }
    if (turnComplete) this.startTurn(session, intentForText(lastUserText ?? ''), 'text');
  }

  private addUserText(session: SimSession, text: string, source: string): void {
    session.kept.history.push({ role: 'user', modality: 'TEXT', tokens: textTokens(text) });
    session.kept.textTurns.push(text);
    session.textTurnsReceived++;
    this.ctx.recorder.record({
      type: 'text-turn',
      conn: this.id,
      session: session.id,
      source,
      text,
      received: session.textTurnsReceived,
      kept: session.kept.textTurns.length,
    });
  }

  private onRealtimePart(session: SimSession, part: RealtimePart): void {
    const manual = this.setup?.manualActivity === true;
    switch (part.kind) {
      case 'audio':
        if (manual) {
          if (session.kept.speech) {
            session.kept.speech.seconds += part.data.length / 2 / part.sampleRate;
            session.kept.pendingAudioSeconds += part.data.length / 2 / part.sampleRate;
          }
          return;
        }
        session.kept.pendingAudioSeconds += part.data.length / 2 / part.sampleRate;
        if (!session.kept.vad || session.kept.vad.sampleRate !== part.sampleRate) {
          this.flushVad(session);
          session.kept.vad = new EnergyVad(part.sampleRate, vadTuning(this.setup?.features.vad));
          // accountAudio already counted this chunk: the detector's time zero is where it began.
          session.kept.vadBaseSeconds = session.kept.audioSeconds - part.data.length / 2 / part.sampleRate;
        }
        for (const event of session.kept.vad.push(part.data)) this.onVadEvent(session, event);
        return;
      case 'audioStreamEnd':
        // With manual activity it means nothing to the turn structure; it is only recorded.
        if (!manual) this.flushVad(session);
        return;
      case 'text':
        this.addUserText(session, part.text, 'realtimeInput');
        this.startTurn(session, intentForText(part.text), 'text');
        return;
      case 'activityStart':
      case 'activityEnd':
        if (!manual) {
          this.closeWith(1007, 'Explicit activity control is not supported when automatic activity detection is enabled.');
          return;
        }
        if (part.kind === 'activityStart') {
          if (!session.kept.speech) this.beginSpeech(session, session.kept.audioSeconds);
        } else if (session.kept.speech) {
          this.endSpeech(session, session.kept.speech.seconds, 'activity');
        }
        return;
      case 'video':
        // A frame joins the prompt like any input; the next turn's usage counts it under IMAGE.
        session.kept.history.push({ role: 'user', modality: 'IMAGE', tokens: frameTokens(this.setup?.features.mediaResolution) });
        this.ctx.recorder.record({ type: 'frame', conn: this.id, session: session.id, mimeType: part.mimeType, bytes: part.bytes });
        return;
    }
  }

  private flushVad(session: SimSession): void {
    if (!session.kept.vad) return;
    for (const event of session.kept.vad.flush()) this.onVadEvent(session, event);
  }

  private onVadEvent(session: SimSession, event: VadEvent): void {
    if (event.type === 'start') this.beginSpeech(session, session.kept.vadBaseSeconds + event.startSeconds);
    else this.endSpeech(session, event.durationSeconds, 'vad');
  }

  /** Speech (or manual activity) begins: it barges in on any reply, and is announced as measured. */
  private beginSpeech(session: SimSession, startSeconds: number): void {
    session.kept.speechCount++;
    session.kept.speech = { number: session.kept.speechCount, startSeconds, seconds: 0 };
    if (this.reply) this.interrupt(session, 'speech');
    if (this.setup?.inputTranscription) {
      const separator = session.kept.speech.number > 1 ? ' ' : '';
      this.sendJson({ serverContent: { inputTranscription: { text: `${separator}[speech #${session.kept.speech.number} @${startSeconds.toFixed(2)}s` } } });
    }
  }

  private endSpeech(session: SimSession, durationSeconds: number, source: 'vad' | 'activity'): void {
    const speech = session.kept.speech;
    if (!speech) return;
    session.kept.speech = undefined;
    if (this.setup?.inputTranscription) {
      this.sendJson({ serverContent: { inputTranscription: { text: ` ${durationSeconds.toFixed(2)}s]` } } });
    }
    this.ctx.recorder.record({
      type: 'speech',
      conn: this.id,
      session: session.id,
      number: speech.number,
      startSeconds: Number(speech.startSeconds.toFixed(3)),
      durationSeconds: Number(durationSeconds.toFixed(3)),
      source,
    });
    session.kept.history.push({ role: 'user', modality: 'AUDIO', tokens: audioTokens(session.kept.pendingAudioSeconds) });
    session.kept.pendingAudioSeconds = 0;
    this.startTurn(session, { kind: 'answer', text: speechReplyText(speech.number, durationSeconds) }, 'speech');
  }

  private onToolResponse(session: SimSession, responses: FunctionResponse[]): void {
    const waiting = this.reply?.awaitingTool;
    for (const response of responses) {
      const asyncName = response.id === undefined ? undefined : this.asyncCalls.get(response.id);
      const matched = asyncName !== undefined || (waiting !== undefined && response.id === waiting.id);
      this.ctx.recorder.record({
        type: 'tool-response',
        conn: this.id,
        session: session.id,
        id: response.id ?? null,
        name: response.name ?? null,
        matched,
        cancelled: response.id !== undefined && this.cancelledCalls.has(response.id),
        scheduling: response.scheduling ?? null,
        response: response.response ?? null,
      });
      if (asyncName !== undefined && response.id !== undefined) {
        this.asyncCalls.delete(response.id);
        this.onAsyncResult(session, asyncName, response);
        continue;
      }
      if (!matched || !this.reply || !waiting) continue;
      const json = JSON.stringify(response.response ?? null);
      session.kept.history.push({ role: 'user', modality: 'TEXT', tokens: textTokens(json) });
      this.reply.awaitingTool = undefined;
      const setup = this.setup;
      if (!setup) return;
      this.reply.plan = planReply({ text: toolReplyText(waiting.name, response.response) }, setup.modality, setup.outputTranscription, this.ctx.options.seed, undefined, this.ctx.options.pieceChars);
      this.reply.next = 0;
      this.scheduleStep(this.reply, 0);
      return;
    }
  }

  /**
   * A NON_BLOCKING call's result, taken as its `scheduling` says: INTERRUPT cuts the current reply
   * and answers now, WHEN_IDLE (the default) answers once the current reply has ended, SILENT only
   * adds it to the context.
   */
  private onAsyncResult(session: SimSession, name: string, response: FunctionResponse): void {
    session.kept.history.push({ role: 'user', modality: 'TEXT', tokens: textTokens(JSON.stringify(response.response ?? null)) });
    const scheduling = response.scheduling ?? 'WHEN_IDLE';
    if (scheduling === 'SILENT') return;
    const text = toolReplyText(name, response.response);
    if (scheduling === 'WHEN_IDLE' && this.reply) {
      this.idleReplies.push(text);
      return;
    }
    this.startTurn(session, { kind: 'answer', text }, 'tool');
  }

  /** `tool-cancel-after`: the model gives up on a call nobody answered; the reply goes on without it. */
  private cancelToolCall(session: SimSession, reply: ActiveReply, cause: string): void {
    const waiting = reply.awaitingTool;
    const setup = this.setup;
    if (this.reply !== reply || !waiting || !setup || this.serverClosing) return;
    reply.awaitingTool = undefined;
    this.sendCancellation(session, waiting, cause);
    reply.plan = planReply({ text: `Tool ${waiting.name} was cancelled.` }, setup.modality, setup.outputTranscription, this.ctx.options.seed, undefined, this.ctx.options.pieceChars);
    reply.next = 0;
    this.scheduleStep(reply, 0);
  }

  private sendCancellation(session: SimSession, call: { id: string; name: string }, cause: string): void {
    this.cancelledCalls.add(call.id);
    this.sendJson({ toolCallCancellation: { ids: [call.id] } });
    this.ctx.recorder.record({ type: 'tool-cancelled', conn: this.id, session: session.id, id: call.id, name: call.name, cause });
  }

  // ---- replies ---------------------------------------------------------------------------------

  private startTurn(session: SimSession, intent: TurnIntent, source: string): void {
    const setup = this.setup;
    if (!setup) return;
    // A new user turn while the model talks cuts the old reply, as on the service.
    if (this.reply) this.interrupt(session, source);
    const dropped = compressHistory(session.kept.history, textTokens(setup.systemText), setup.compression);
    if (dropped > 0) this.ctx.recorder.record({ type: 'compression', conn: this.id, session: session.id, turnsDropped: dropped });
    const first = !session.firstReplyStarted;
    session.firstReplyStarted = true;
    session.replies++;
    let plan: ReplyPlan;
    let awaitingTool: ActiveReply['awaitingTool'];
    if (intent.kind === 'tool') {
      const id = `function-call-${this.ctx.randomHex()}${this.ctx.randomHex()}`;
      const nonBlocking = setup.nonBlockingFunctions.includes(intent.name);
      const call = { message: { toolCall: { functionCalls: [{ id, name: intent.name, args: intent.args }] } }, audioSeconds: 0 };
      this.ctx.recorder.record({ type: 'tool-call', conn: this.id, session: session.id, id, name: intent.name, args: intent.args, behavior: nonBlocking ? 'NON_BLOCKING' : 'BLOCKING' });
      if (nonBlocking) {
        // The model goes on talking while the call runs; the result comes back as its scheduling says.
        this.asyncCalls.set(id, intent.name);
        const said = planReply({ text: `Calling ${intent.name} in the background.` }, setup.modality, setup.outputTranscription, this.ctx.options.seed, undefined, this.ctx.options.pieceChars);
        plan = { ...said, steps: [call, ...said.steps] };
      } else {
        plan = { steps: [call], text: '', thought: undefined, modality: setup.modality, audioBytes: 0 };
        awaitingTool = { id, name: intent.name };
      }
    } else {
      // includeThoughts on a thinking model: every answer starts with a thought summary.
      const thought = intent.thought ?? (wantsThoughts(setup.model, setup.features) ? `Thinking about how to answer: ${intent.text}` : undefined);
      plan = planReply({ ...intent, ...(thought === undefined ? {} : { thought }) }, setup.modality, setup.outputTranscription, this.ctx.options.seed, setup, this.ctx.options.pieceChars);
    }
    const reply: ActiveReply = {
      plan,
      source,
      next: 0,
      messagesSent: 0,
      audioSecondsSent: 0,
      textSent: '',
      thoughtSent: false,
      timer: undefined,
      awaitingTool,
      first,
      badFrameSent: false,
    };
    this.reply = reply;
    this.scheduleStep(reply, 0);
    const cancelAfter = this.ctx.options.toolCancelAfter;
    if (awaitingTool && cancelAfter !== undefined) this.ctx.later(() => this.cancelToolCall(session, reply, 'tool-cancel-after'), cancelAfter);
  }

  private scheduleStep(reply: ActiveReply, ms: number): void {
    reply.timer = this.ctx.later(() => this.step(reply), ms);
  }

  private step(reply: ActiveReply): void {
    const session = this.session;
    if (this.reply !== reply || !session || this.serverClosing) return;
    reply.timer = undefined;
    const step = reply.plan.steps[reply.next];
    if (!step) {
      if (!reply.awaitingTool) this.finishReply(session, reply);
      return;
    }
    reply.next++;
    this.sendReplyMessage(reply, step.message);
    if (step.text !== undefined) reply.textSent += step.text;
    if (reply.next === 1 && reply.plan.thought !== undefined) reply.thoughtSent = true;
    if (step.audioSeconds > 0) {
      reply.audioSecondsSent += step.audioSeconds;
      session.replyAudioSeconds += step.audioSeconds;
      this.ctx.checkSchedules(session);
      if (this.reply !== reply || this.serverClosing) return;
    }
    this.scheduleStep(reply, step.audioSeconds > 0 ? (step.audioSeconds * 1000) / REPLY_SPEEDUP : TEXT_STEP_MS);
  }

  private sendReplyMessage(reply: ActiveReply, message: Record<string, unknown>): void {
    this.sendJson(this.ctx.options.badAudio ? corruptAudio(message, this.ctx.options.badAudio) : message);
    reply.messagesSent++;
    const after = this.ctx.options.badFrameAfter;
    if (after === undefined || !reply.first || reply.badFrameSent || reply.messagesSent < after) return;
    reply.badFrameSent = true;
    this.fault('bad-frame', { afterMessage: reply.messagesSent });
    this.deliver(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(BAD_FRAME, { binary: true });
    });
  }

  private usage(session: SimSession, reply: ActiveReply): UsageMetadata {
    const setup = this.setup;
    const response =
      reply.plan.modality === 'AUDIO'
        ? { modality: 'AUDIO' as const, tokens: audioTokens(reply.audioSecondsSent) }
        : { modality: 'TEXT' as const, tokens: textTokens(reply.textSent) };
    const thoughts = reply.thoughtSent ? textTokens(reply.plan.thought ?? '') : 0;
    return usageFor(textTokens(setup?.systemText ?? ''), session.kept.history, response, thoughts);
  }

  private wireUsage(usage: UsageMetadata): Record<string, unknown> {
    return this.route.api === 'vertex' ? vertexUsage(usage) : { ...usage };
  }

  private finishReply(session: SimSession, reply: ActiveReply): void {
    this.sendReplyMessage(reply, { serverContent: { generationComplete: true } });
    const usage = this.usage(session, reply);
    this.sendReplyMessage(reply, { serverContent: { turnComplete: true }, usageMetadata: this.wireUsage(usage) });
    this.reply = undefined;
    session.kept.history.push({ role: 'model', modality: reply.plan.modality, tokens: usage.responseTokenCount });
    this.recordReply(session, reply, 'complete', usage);
    if (this.setup?.resumption) this.issueHandle(session);
    const idle = this.idleReplies.shift();
    if (idle !== undefined && !this.serverClosing) this.startTurn(session, { kind: 'answer', text: idle }, 'tool');
  }

  /** Barge-in: the reply stops where it is; the service says so and closes the turn. */
  private interrupt(session: SimSession, cause: string): void {
    const reply = this.reply;
    if (!reply) return;
    this.ctx.cancel(reply.timer);
    this.reply = undefined;
    if (reply.awaitingTool) this.sendCancellation(session, reply.awaitingTool, cause);
    this.sendJson({ serverContent: { interrupted: true } });
    const usage = this.usage(session, reply);
    this.sendJson({ serverContent: { turnComplete: true }, usageMetadata: this.wireUsage(usage) });
    if (usage.responseTokenCount > 0) session.kept.history.push({ role: 'model', modality: reply.plan.modality, tokens: usage.responseTokenCount });
    session.interruptions++;
    this.ctx.recorder.record({ type: 'interrupted', conn: this.id, session: session.id, cause, audioSecondsSent: Number(reply.audioSecondsSent.toFixed(3)) });
    this.recordReply(session, reply, 'interrupted', usage);
    if (!this.setup?.resumption) return;
    // Barge-in happens while a client message is being consumed (speech began in it). The handle
    // captures the state after that whole message, so it must also follow everything the message
    // caused on the wire (the new segment's first transcription piece): otherwise a client that
    // resumes from it drops that piece as "after the handle" while the handle already holds it.
    if (this.consuming) this.handleOwed = true;
    else this.issueHandle(session);
  }

  /** The connection is going away under the reply: nothing more is sent for it. */
  private stopReply(cause: string): void {
    const reply = this.reply;
    if (!reply) return;
    this.ctx.cancel(reply.timer);
    this.reply = undefined;
    if (this.session) this.recordReply(this.session, reply, cause, undefined);
  }

  private recordReply(session: SimSession, reply: ActiveReply, outcome: string, usage: UsageMetadata | undefined): void {
    this.ctx.recorder.record({
      type: 'reply',
      conn: this.id,
      session: session.id,
      source: reply.source,
      outcome,
      modality: reply.plan.modality,
      text: reply.plan.text,
      thought: reply.plan.thought ?? null,
      messages: reply.messagesSent,
      audioBytes: Math.round(reply.audioSecondsSent * SYNTH_RATE) * 2,
      usage: usage ?? null,
    });
  }

  private issueHandle(session: SimSession): void {
    if (this.ctx.options.neverResumable) {
      // As the service does while it cannot be resumed (e.g. mid-generation): an update, no handle.
      session.lastHandleClock = session.clock();
      this.sendJson({ sessionResumptionUpdate: { resumable: false } });
      this.ctx.recorder.record({ type: 'handle', action: 'not-resumable', conn: this.id, session: session.id, messageIndex: session.kept.messageIndex });
      return;
    }
    session.handlesIssued++;
    const handle = `sim-${session.id}-${session.handlesIssued}-${this.ctx.randomHex()}`;
    this.ctx.storeHandle(handle, { session, kept: cloneKeptState(session.kept) });
    session.lastHandleClock = session.clock();
    const update: Record<string, unknown> = { newHandle: handle, resumable: true };
    const transparent = this.ctx.options.transparent && this.setup?.transparent === true;
    if (transparent) update.lastConsumedClientMessageIndex = String(session.kept.messageIndex + this.ctx.options.consumedIndexOffset);
    this.sendJson({ sessionResumptionUpdate: update });
    this.ctx.recorder.record({
      type: 'handle',
      action: 'issued',
      handle,
      conn: this.id,
      session: session.id,
      messageIndex: session.kept.messageIndex,
      audioBytesKept: session.kept.audioBytes,
      textTurnsKept: session.kept.textTurns.length,
    });
  }
}
