import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli, sharedAudio } from '../helpers/cli.js';

/**
 * A 40-minute input through the simulator with its default caps (a connection lasts 600 s of audio,
 * with goAway ahead of it) plus one forced drop, streamed fast in `time=audio`: every numbered
 * speech segment the simulator heard must appear in the transcript exactly once, in order.
 */
describe('transcribe: a 40-minute input across connections', () => {
  it('comes out whole through goAway handoffs and a dropped connection', async () => {
    const work = mkdtempSync(join(tmpdir(), 'live-cli-long-'));
    const hello = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
    const parts: Buffer[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 40 * 60 * 32_000; i++) {
      const silence = Buffer.alloc(32_000 * (1 + (i % 3) * 0.5));
      parts.push(hello, silence);
      bytes += hello.length + silence.length;
    }
    const input = join(work, 'long-40min.pcm');
    writeFileSync(input, Buffer.concat(parts));
    const speeches = parts.length / 2;

    const result = await runCli(['transcribe', '--sim=drop-after-messages=40000', input, '--json'], { timeoutMs: 240_000 });
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const done = events.find((e) => e.type === 'transcript.done');
    expect(Math.abs((done?.audioMs as number) - (bytes / 32_000) * 1000)).toBeLessThanOrEqual(20);
    // Whole segments only: a segment whose first piece was lost at a seam would still show its number's end.
    const text = String(done?.text);
    const whole = [...text.matchAll(/\[speech #(\d+) @\d+\.\d\ds \d+\.\d\ds\]/g)].map((m) => Number(m[1]));
    expect(whole).toEqual(Array.from({ length: speeches }, (_, i) => i + 1));
    expect(text.match(/\[/g)).toHaveLength(speeches);
    expect(text.match(/\]/g)).toHaveLength(speeches);
    const reasons = events.filter((e) => e.type === 'reconnecting').map((e) => e.reason);
    expect(reasons).toContain('goaway');
    expect(reasons).toContain('connection-lost');
  }, 300_000);
});
