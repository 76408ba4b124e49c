import { micOffNotice } from '../audio/device-notices.js';
import { CliError } from '../core/errors.js';
import type { EventStream } from '../core/events.js';
import { InteractiveChat, type ChatCommand, type MicState } from '../core/interactive-chat.js';
import type { PcmChunk } from '../audio/pcm.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { LiveConfig, LiveSessionHandle } from '../live/types.js';
import type { TuiCommand, TuiStore } from '../ui/state/tui-store.js';
import type { ToolSet } from '../tools/index.js';
import { importWithoutCiFlags } from './load-ink.js';

/** `chat` draws its TUI when both ends are a terminal and nobody asked for machine output. */
export function wantsTui(flags: { json?: boolean; tui?: boolean }): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true && flags.json !== true && flags.tui !== false;
}

export interface ChatTuiOptions {
  events: EventStream;
  config: Pick<LiveConfig, 'model' | 'voice' | 'contextWindowTokens' | 'compression' | 'automaticActivityDetection'>;
  color: boolean;
}

/**
 * The terminal front end of `chat`: the store every event goes into, the Ink app drawing it, and
 * the keys, which become commands for the conversation. Keys pressed before the session is open are
 * held (a typed line) or acted on (quit) so nothing the user does while connecting is lost.
 */
export class ChatTui {
  private chat: InteractiveChat | undefined;
  private readonly heldTexts: string[] = [];
  private quitRequested = false;
  private readonly quitListeners = new Set<() => void>();
  private app: { unmount(): void } | undefined;

  private constructor(readonly store: TuiStore) {}

  /** Builds the store and draws the first frame (Ink and the UI load here, not before). */
  static async start(options: ChatTuiOptions): Promise<ChatTui> {
    const { TuiStore } = await import('../ui/state/tui-store.js');
    const { config } = options;
    const store = new TuiStore({
      model: config.model,
      ...(config.voice ? { voice: config.voice } : {}),
      ...(config.contextWindowTokens ? { contextWindowTokens: config.contextWindowTokens } : {}),
      ...(config.compression ? { compressionTriggerTokens: config.compression.triggerTokens } : {}),
      mic: 'off',
      pushToTalk: !config.automaticActivityDetection,
    });
    const tui = new ChatTui(store);
    options.events.on(store.handle);
    const { renderTui } = await importWithoutCiFlags(() => import('../ui/run-tui.js'));
    tui.app = renderTui({
      store,
      onCommand: (command) => tui.command(command),
      stdout: process.stdout,
      stdin: process.stdin,
      stderr: process.stderr,
      color: options.color,
    });
    return tui;
  }

  get quitting(): boolean {
    return this.quitRequested;
  }

  /** Resolves when the user quits (immediately if they already have). */
  whenQuit(): Promise<void> {
    if (this.quitRequested) return Promise.resolve();
    return new Promise((resolve) => this.quitListeners.add(resolve));
  }

  /** A turn to send as soon as the session is open (`--text` on a terminal), in order. */
  sendWhenOpen(text: string): void {
    if (this.chat) this.chat.handle({ type: 'send-text', text });
    else this.heldTexts.push(text);
  }

  /** Tools that may change things ask here: y/n in the TUI instead of the headless denial. */
  attachTools(tools: ToolSet): void {
    tools.policy.prompt = (request, signal) => this.store.requestApproval(request, signal);
  }

  warn(message: string): void {
    // The status line labels it already ("warn: …"); stderr's "warning: " prefix would say it twice.
    this.store.notice(message.replace(/^warning: /, ''), 'warn');
  }

  /**
   * Runs the conversation on an open session until the user quits, the signal aborts, or the
   * session is lost for good (rejects with its CliError).
   */
  async converse(options: {
    session: LiveSessionHandle;
    events: EventStream;
    source: AudioSource | undefined;
    pushToTalk: boolean;
    onAudio?: (chunk: PcmChunk) => void;
    signal: AbortSignal;
  }): Promise<void> {
    const { store } = this;
    const chat = new InteractiveChat({
      ...options,
      onAudio: (chunk) => {
        store.inputAudio(chunk);
        options.onAudio?.(chunk);
      },
      onMicState: (state: MicState) => store.setMic(state),
      onVoiceLost: (reason: CliError, ended: boolean) =>
        ended ? store.notice(`${reason.message}; type to go on (t)`, 'info') : store.notice(micOffNotice(reason.message), 'warn'),
      onNotice: (message) => store.notice(message, 'warn'),
    });
    this.chat = chat;
    store.setMic(chat.micState);
    for (const text of this.heldTexts.splice(0)) chat.handle({ type: 'send-text', text });
    if (this.quitRequested) chat.handle({ type: 'quit' });
    await chat.run();
  }

  /** Takes the app off the screen; what it printed into scrollback stays. */
  close(): void {
    this.app?.unmount();
    this.app = undefined;
  }

  private command(command: TuiCommand): void {
    if (command.type === 'approve') {
      this.store.answerApproval(command.run);
      return;
    }
    this.chatCommand(command);
  }

  private chatCommand(command: ChatCommand): void {
    if (command.type === 'quit') {
      this.quitRequested = true;
      for (const listener of this.quitListeners) listener();
      this.quitListeners.clear();
    }
    if (this.chat) {
      this.chat.handle(command);
      return;
    }
    if (command.type === 'send-text') {
      this.heldTexts.push(command.text);
      this.store.notice('connecting: your message goes out as soon as the session is open', 'info');
    }
  }
}
