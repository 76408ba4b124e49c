// The Gemini API's coverage rule steps back by how late our loop is: the stall that is still under
// way when a handle is read (the stall is why the handle is late) must count, for every handle read
// in it, not only once the histogram's timer runs again.
import { describe, expect, it } from 'vitest';
import { LoopLag } from '../../src/live/loop-lag.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a stall: the event loop runs nothing meanwhile
  }
}

describe('LoopLag', () => {
  it('counts the stall in progress, for each handle read in it', async () => {
    const lag = new LoopLag();
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      lag.takeMaxMs();
      busy(80);
      // Two handles read at the end of one stall, in the same tick.
      expect(lag.takeMaxMs()).toBeGreaterThanOrEqual(60);
      expect(lag.takeMaxMs()).toBeGreaterThanOrEqual(60);
    } finally {
      lag.stop();
    }
  });
});
