import { whenAborted } from './abort.js';
import { CliError } from './errors.js';
import type { EventStream } from './events.js';
import { pumpAudio } from './audio-pump.js';
import { readImageFile } from './image-file.js';
import type { PcmChunk } from '../audio/pcm.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { LiveSessionHandle } from '../live/types.js';

/** What the mic is doing, as the status line shows it. `off`: no voice input (text mode). */
export type MicState = 'live' | 'muted' | 'ptt-idle' | 'ptt-talking' | 'off';

/** What a person at the keyboard can ask for; the TUI maps keys to these. */
export type ChatCommand =
  | { type: 'send-text'; text: string }
  | { type: 'toggle-mute' }
  | { type: 'toggle-talk' }
  | { type: 'quit' };

/** A source that can drop its audio while muted without stopping (the mic). */
interface MutableSource extends AudioSource {
  setMuted(muted: boolean): void;
}

function isMutable(source: AudioSource): source is MutableSource {
  return typeof (source as Partial<MutableSource>).setMuted === 'function';
}

export interface InteractiveChatOptions {
  session: LiveSessionHandle;
  events: EventStream;
  /** Voice input; undefined = text mode. */
  source?: AudioSource;
  /** Automatic activity detection is off: Space brackets each utterance with activityStart/End. */
  pushToTalk: boolean;
  /** Every converted 16 kHz chunk that was sent (the level meter, the recording). */
  onAudio?: (chunk: PcmChunk) => void;
  /** Mic state changes, for the status line. */
  onMicState?: (state: MicState) => void;
  /**
   * Voice input stopped: it failed (`ended` false) or its source ended by itself (a file, the
   * recorder's `--duration`). The conversation goes on in text.
   */
  onVoiceLost?: (reason: CliError, ended: boolean) => void;
  /** Something the user should read that does not end the conversation (a bad `/image` path). */
  onNotice?: (message: string) => void;
  signal: AbortSignal;
}

/**
 * The keyboard-driven conversation behind the TUI, with no UI in it: commands in, session calls
 * out. Voice streams continuously while the mic is live (the server's activity detection finds the
 * turns) or, under push-to-talk, only between activityStart and activityEnd. `run()` resolves when
 * the user quits or the signal aborts, and rejects when the session is lost for good.
 */
export class InteractiveChat {
  private mic: MicState;
  private stopping = false;
  /** Ends the voice pump when the conversation ends (quit, signal, lost session), without a stream end. */
  private readonly voiceStop = new AbortController();
  private readonly quit: Promise<void>;
  private requestQuit = (): void => undefined;

  constructor(private readonly options: InteractiveChatOptions) {
    this.mic = options.source ? (options.pushToTalk ? 'ptt-idle' : 'live') : 'off';
    this.quit = new Promise((resolve) => (this.requestQuit = resolve));
    if (options.source && isMutable(options.source)) options.source.setMuted(this.mic !== 'live');
  }

  get micState(): MicState {
    return this.mic;
  }

  handle(command: ChatCommand): void {
    switch (command.type) {
      case 'send-text':
        this.sendText(command.text);
        return;
      case 'toggle-mute':
        this.toggleMute();
        return;
      case 'toggle-talk':
        this.toggleTalk();
        return;
      case 'quit':
        this.requestQuit();
        return;
    }
  }

  async run(): Promise<void> {
    const { session, signal } = this.options;
    // Closing on purpose resolves `closed`; a session lost for good rejects with its CliError.
    const lost = session.closed.then(() => {
      throw new CliError('protocol', 'the session closed');
    });
    const voice = this.runVoice();
    await Promise.race([this.quit, whenAborted(signal), lost]);
    this.stopping = true;
    // The pump stops its source when this aborts, and returns.
    this.voiceStop.abort();
    await voice;
  }

  private sendText(text: string): void {
    const trimmed = text.trim();
    if (trimmed.length === 0) return;
    const image = /^\/image\s+(.+)$/.exec(trimmed);
    if (image?.[1]) {
      this.sendImage(image[1].trim());
      return;
    }
    this.options.events.emit({ type: 'user.text', text: trimmed, conn: this.options.session.conn });
    this.options.session.sendText(trimmed);
  }

  /** `/image PATH` typed in the TUI: the image goes out now; speak or type about it next. */
  private sendImage(path: string): void {
    const { session, events } = this.options;
    try {
      if (!session.sendImage) throw new CliError('usage', 'this session cannot send images');
      const image = readImageFile(path, '/image');
      events.emit({ type: 'user.image', name: image.name, mimeType: image.mimeType, bytes: image.data.length, conn: session.conn });
      session.sendImage(image.data, image.mimeType);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      // A typo in a path is no reason to end the conversation: say so and go on.
      this.options.onNotice?.(error.message);
    }
  }

  private toggleMute(): void {
    const { session } = this.options;
    switch (this.mic) {
      case 'off':
        return;
      case 'live':
        this.setMic('muted');
        // The server's detector would otherwise wait for more audio to close the user's turn.
        session.sendAudioStreamEnd();
        return;
      case 'ptt-talking':
        // Under push-to-talk, muting ends the utterance instead of the stream.
        this.setMic('muted');
        session.sendActivityEnd?.();
        return;
      case 'muted':
        this.setMic(this.options.pushToTalk ? 'ptt-idle' : 'live');
        return;
      case 'ptt-idle':
        this.setMic('muted');
        return;
    }
  }

  private toggleTalk(): void {
    if (!this.options.pushToTalk || this.mic === 'off') return;
    const { session } = this.options;
    if (this.mic === 'ptt-talking') {
      this.setMic('ptt-idle');
      session.sendActivityEnd?.();
    } else {
      // activityStart goes before the first chunk of the utterance: unmute after sending it.
      session.sendActivityStart?.();
      this.setMic('ptt-talking');
    }
  }

  private setMic(state: MicState): void {
    this.mic = state;
    const { source } = this.options;
    if (source && isMutable(source)) source.setMuted(!this.sending());
    this.options.onMicState?.(state);
  }

  private sending(): boolean {
    return this.mic === 'live' || this.mic === 'ptt-talking';
  }

  /** Streams the voice source while the conversation lasts; its failure turns voice off, not the chat. */
  private async runVoice(): Promise<void> {
    const { source, session, signal, onAudio } = this.options;
    if (!source) return;
    const stop = this.voiceStop;
    signal.addEventListener('abort', () => stop.abort(), { once: true });
    try {
      await pumpAudio(source, session, stop.signal, onAudio, () => this.sending());
      if (this.stopping || signal.aborted) return;
      // The recorder ended by itself (`--duration`, or it was closed): text goes on.
      this.voiceOff(new CliError('device', `${source.label} ended`), true);
    } catch (error) {
      if (this.stopping || signal.aborted) return;
      this.voiceOff(error instanceof CliError ? error : new CliError('device', `voice input failed: ${String(error)}`), false);
    }
  }

  private voiceOff(reason: CliError, ended: boolean): void {
    this.mic = 'off';
    this.options.onMicState?.('off');
    this.options.onVoiceLost?.(reason, ended);
  }
}
