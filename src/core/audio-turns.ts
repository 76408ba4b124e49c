import { CompletionTracker } from './completion.js';
import type { EventStream, LiveEvent } from './events.js';

/**
 * Waits, on the live event stream, until the replies to an audio input are over. After
 * `audioStreamEnd` the server may still be transcribing, deciding that speech ended, or replying:
 * the CompletionTracker says what is still owed; this adds the subscription, the deadline and the
 * session's own busy state (a connection being replaced).
 */
export class ReplyTracker {
  private readonly completion: CompletionTracker;
  private readonly off: () => void;

  /** `settleMs`: quiet time with nothing owed before the replies count as over. */
  constructor(events: EventStream, settleMs: number) {
    // No quiet-period fallback here: a headless chat waits for what is owed until its deadline.
    this.completion = new CompletionTracker({ settleMs, quietMs: Number.POSITIVE_INFINITY });
    this.off = events.on((event: LiveEvent) => this.completion.observe(event));
  }

  /** Something is still owed: a reply under way, or speech not yet answered. */
  get pending(): boolean {
    return this.completion.pending;
  }

  /** Restarts the quiet period, e.g. when the audio input has just ended. */
  touch(): void {
    this.completion.touch();
  }

  /**
   * Resolves true when nothing is owed and the settle time passed quietly; false at the deadline.
   * `busy` (the session is replacing its connection, or input waits to be sent) counts as owed.
   */
  async settled(deadlineMs: number, signal: AbortSignal, busy?: () => boolean): Promise<boolean> {
    const deadline = performance.now() + deadlineMs;
    while (!signal.aborted) {
      const now = performance.now();
      if (now >= deadline) return false;
      if (busy?.()) this.completion.touch(now);
      else if (this.completion.state(now) === 'done') return true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - now)));
    }
    return true;
  }

  dispose(): void {
    this.off();
  }
}
