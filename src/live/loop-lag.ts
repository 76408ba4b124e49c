import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * How late this process is in reading what arrived. A resumption handle is "received" when our
 * event loop gets to it, which can be well after the frame reached the socket (the loop was busy
 * encoding audio, printing events, or — with the in-process simulator — running the server). A
 * message we sent during that delay may have left after the server issued the handle, so the
 * Gemini API's time-based coverage rule must step back by the worst recent delay as well.
 */
export class LoopLag {
  private readonly histogram: IntervalHistogram;

  constructor(resolutionMs = 2) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  /** The longest event-loop delay since the previous call (ms), and starts a new period. */
  takeMaxMs(): number {
    const max = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    this.histogram.reset();
    return Number.isFinite(max) ? max : 0;
  }

  stop(): void {
    this.histogram.disable();
  }
}
