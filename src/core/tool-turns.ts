import type { EventStream, LiveEvent } from './events.js';

/** Events that mean the model is saying something (a turn has begun). */
const SPEAKING = new Set(['text', 'thought', 'audio', 'transcript.output', 'code', 'code.result']);

/**
 * What tools still owe a headless conversation, read from the event stream alone. A turn that
 * called a tool is not over while the call runs; and the result of a NON_BLOCKING call (sent with
 * `scheduling` INTERRUPT or WHEN_IDLE; SILENT expects nothing) is answered by a later model turn,
 * which must begin after the result was sent: the turn it cut (INTERRUPT) or the one that was
 * already under way (WHEN_IDLE) does not count.
 */
export class ToolTurnTracker {
  private readonly open = new Set<string>();
  /** `t` of each non-silent async result still waiting for a turn that began after it. */
  private owed: number[] = [];
  private turnBegan: number | undefined;
  private readonly off: () => void;

  constructor(events: EventStream) {
    this.off = events.on((event) => this.observe(event));
  }

  /** No call running and no async result waiting for its answer. */
  get idle(): boolean {
    return this.open.size === 0 && this.owed.length === 0;
  }

  /** A tool call is still running. */
  get running(): boolean {
    return this.open.size > 0;
  }

  observe(event: LiveEvent): void {
    switch (event.type) {
      case 'tool.call':
        this.open.add(event.id);
        // A call is the model acting: the turn has begun.
        this.turnBegan ??= event.t;
        return;
      case 'tool.result':
      case 'tool.error':
        this.open.delete(event.id);
        if (event.scheduling === 'INTERRUPT' || event.scheduling === 'WHEN_IDLE') this.owed.push(event.t);
        return;
      case 'tool.cancelled':
        this.open.delete(event.id);
        return;
      case 'turn.complete': {
        const began = this.turnBegan;
        this.turnBegan = undefined;
        if (began !== undefined) this.owed = this.owed.filter((sent) => sent >= began);
        return;
      }
      default:
        if (SPEAKING.has(event.type)) this.turnBegan ??= event.t;
    }
  }

  dispose(): void {
    this.off();
  }
}
