import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openStdinSource } from '../../src/audio/sources/stdin.js';
import { buildWav } from './wav-fixtures.js';

/**
 * A WAV of `seconds` of 48 kHz stereo, generated as it is read (never held whole), with sox's pipe
 * placeholder size. Counts what it has produced, so the test can see how far the reader runs ahead.
 */
function generatedWav(seconds: number): { stream: Readable; produced: () => number; audioBytes: number } {
  const header = buildWav(Buffer.alloc(0), { channels: 2, sampleRate: 48000, bitsPerSample: 16, dataSize: 0x7ffff000 });
  const audioBytes = seconds * 48000 * 4;
  const block = Buffer.alloc(65_536);
  for (let i = 0; i < block.length; i += 2) block.writeInt16LE(((i / 2) % 2000) - 1000, i);
  let produced = 0;
  let sentHeader = false;
  const stream = new Readable({
    read() {
      if (!sentHeader) {
        sentHeader = true;
        this.push(header);
        return;
      }
      const remaining = audioBytes - (produced - header.length);
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      const piece = Buffer.from(block.subarray(0, Math.min(block.length, remaining)));
      produced += piece.length;
      this.push(piece);
    },
  });
  produced = header.length;
  return { stream, produced: () => produced, audioBytes };
}

describe('streaming keeps memory bounded', () => {
  it('10 minutes of 48 kHz stereo (115 MB) streams with the reader never more than a few reads ahead', async () => {
    const { stream, produced, audioBytes } = generatedWav(600);
    const source = await openStdinSource(stream, { pace: 'fast' });
    let consumed = 0;
    let maxAhead = 0;
    let chunks = 0;
    for await (const chunk of source.chunks()) {
      consumed += chunk.data.length;
      chunks++;
      maxAhead = Math.max(maxAhead, produced() - 44 - consumed);
    }
    expect(consumed).toBe(audioBytes);
    expect(chunks).toBe(30_000);
    // Read-ahead is bounded by one 64 KiB read (measured: 65280 bytes), not by the input's length.
    expect(maxAhead).toBeLessThan(256 * 1024);
  });
});
