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
  /** When our own tick last ran: the stall still under way when a handle is read shows as now − this. */
  private lastTick = performance.now();
  private readonly ticker: NodeJS.Timeout;

  constructor(
    resolutionMs = 2,
    private readonly tickMs = 10,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.ticker = setInterval(() => {
      this.lastTick = performance.now();
    }, tickMs);
    this.ticker.unref();
  }

  /**
   * The longest event-loop delay since the previous call (ms), and starts a new period. The
   * histogram records a delay only once its timer runs again, so a handle read at the end of a
   * stall (the usual case: the stall is why it is late) would miss that very stall, and so would
   * every other handle read in the same stall: the stall in progress is added from our own tick.
   */
  takeMaxMs(): number {
    const recorded = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    this.histogram.reset();
    const current = performance.now() - this.lastTick - this.tickMs;
    const max = Math.max(Number.isFinite(recorded) ? recorded : 0, current);
    return max > 0 ? max : 0;
  }

  stop(): void {
    clearInterval(this.ticker);
    this.histogram.disable();
  }
}
