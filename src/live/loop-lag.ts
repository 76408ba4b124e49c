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
  /** The maximum of each earlier period, newest last: a message may have waited through several. */
  private readonly periods: Array<{ at: number; maxMs: number }> = [];

  /**
   * `horizonMs`: how far back a delay still counts. A handle can cover messages sent well before
   * the previous handle arrived (a queue the server had not worked through), and a delay they
   * waited through then matters as much as one since.
   */
  constructor(
    resolutionMs = 2,
    private readonly horizonMs = 2_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  /** The longest event-loop delay within the horizon (ms); starts a new period. */
  takeMaxMs(): number {
    const raw = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    this.histogram.reset();
    const at = this.now();
    this.periods.push({ at, maxMs: Number.isFinite(raw) ? raw : 0 });
    while ((this.periods[0]?.at ?? at) < at - this.horizonMs) this.periods.shift();
    return Math.max(...this.periods.map((period) => period.maxMs));
  }

  stop(): void {
    this.histogram.disable();
  }
}
