import { renderToString } from 'ink';
import { describe, expect, it } from 'vitest';
import { progressSnapshot } from '../../src/transcribe/progress.js';
import { ProgressBar } from '../../src/ui/progress-bar.js';

describe('ProgressBar (Ink)', () => {
  it('draws the bar and the label from a snapshot', () => {
    const snapshot = progressSnapshot([{ sentMs: 90_000, totalMs: 180_000, done: false }], 6_000);
    const text = renderToString(<ProgressBar snapshot={snapshot} width={10} />, { columns: 100 });
    expect(text).toBe('[█████░░░░░] 1:30 / 3:00 audio · 0:06 elapsed · 15.0× real time');
  });

  it('has no bar when the total is unknown (stdin)', () => {
    const text = renderToString(<ProgressBar snapshot={progressSnapshot([{ sentMs: 1_000, done: false }], 1_000)} />, { columns: 100 });
    expect(text).toBe('0:01 audio · 0:01 elapsed · 1.0× real time');
  });
});
