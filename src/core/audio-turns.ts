import type { EventStream, LiveEvent } from './events.js';

/**
 * Decides when the replies to an audio input are over. After `audioStreamEnd` the server may still
 * be transcribing, deciding that speech ended, or replying. We wait while a reply is under way or
 * speech was heard since the last completed turn; otherwise we allow `settleMs` for something to
 * start, and stop at `deadline` whatever happens.
 */
export class ReplyTracker {
  private replyOpen = false;
  private inputSinceTurn = false;
  private lastActivity = performance.now();
  private readonly off: () => void;

  constructor(events: EventStream) {
    this.off = events.on((event: LiveEvent) => this.observe(event));
  }

  /** Something is still owed: a reply under way, or speech not yet answered. */
  get pending(): boolean {
    return this.replyOpen || this.inputSinceTurn;
  }

  /** Restarts the quiet period, e.g. when the audio input has just ended. */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /**
   * Resolves true when nothing is owed and `settleMs` passed quietly; false at the deadline.
   * `busy` (the session is replacing its connection, or input waits to be sent) counts as owed.
   */
  async settled(settleMs: number, deadlineMs: number, signal: AbortSignal, busy?: () => boolean): Promise<boolean> {
    const deadline = performance.now() + deadlineMs;
    while (!signal.aborted) {
      const now = performance.now();
      if (now >= deadline) return false;
      if (busy?.()) this.lastActivity = now;
      else if (!this.pending && now - this.lastActivity >= settleMs) return true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - now)));
    }
    return true;
  }

  dispose(): void {
    this.off();
  }

  private observe(event: LiveEvent): void {
    switch (event.type) {
      case 'transcript.input':
        this.inputSinceTurn = true;
        break;
      case 'text':
      case 'audio':
      case 'transcript.output':
      case 'thought':
        this.replyOpen = true;
        break;
      case 'turn.complete':
        this.replyOpen = false;
        this.inputSinceTurn = false;
        break;
      default:
        return;
    }
    this.lastActivity = performance.now();
  }
}
