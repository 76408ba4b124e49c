import type { LiveEvent } from './events.js';

export interface CompletionTiming {
  /** Nothing owed and this long quiet: done (default 1500 ms). */
  settleMs: number;
  /** Quiet this long even though something seems owed (a model that never ends its turn): done. */
  quietMs: number;
}

export const DEFAULT_COMPLETION: CompletionTiming = { settleMs: 1_500, quietMs: 8_000 };

export type CompletionState = 'waiting' | 'done';

/**
 * Knows when the replies to an audio input are over once `audioStreamEnd` has gone out (a
 * transcription, or the audio turn of a headless chat): the last input
 * transcription has arrived and the model's turn that answers it has ended (then a short quiet
 * period), or, failing that, nothing at all has arrived for a longer quiet period. Pure: events
 * and the clock are fed in, so tests drive it without timers.
 */
export class CompletionTracker {
  private inputSinceTurn = false;
  private replyOpen = false;
  private lastActivity: number;

  constructor(
    private readonly timing: CompletionTiming = DEFAULT_COMPLETION,
    now: number = performance.now(),
  ) {
    this.lastActivity = now;
  }

  observe(event: LiveEvent, now: number = performance.now()): void {
    switch (event.type) {
      case 'transcript.input':
        this.inputSinceTurn = true;
        break;
      case 'text':
      case 'audio':
      case 'transcript.output':
      case 'thought':
      case 'generation.complete':
        this.replyOpen = event.type !== 'generation.complete';
        break;
      case 'turn.complete':
      case 'interrupted':
        this.replyOpen = false;
        this.inputSinceTurn = false;
        break;
      default:
        return;
    }
    this.lastActivity = now;
  }

  /** Restarts the quiet period (the stream has just ended; the session is busy reconnecting). */
  touch(now: number = performance.now()): void {
    this.lastActivity = now;
  }

  /** Something is still owed: speech heard since the last turn ended, or a reply under way. */
  get pending(): boolean {
    return this.inputSinceTurn || this.replyOpen;
  }

  state(now: number = performance.now()): CompletionState {
    const quiet = now - this.lastActivity;
    if (!this.pending && quiet >= this.timing.settleMs) return 'done';
    if (quiet >= this.timing.quietMs) return 'done';
    return 'waiting';
  }
}
