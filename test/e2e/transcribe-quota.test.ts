import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli, sharedAudio } from '../helpers/cli.js';

/**
 * Rate limits (the simulator's `quota=N`: the first N connection attempts close 1011
 * "RESOURCE_EXHAUSTED"). The session retries them with the quota backoff (500 ms doubling, 4
 * retries, about 7.5 s in all) and then gives up with exit 6; these runs wait through it for real,
 * so there are only two.
 */
const work = mkdtempSync(join(tmpdir(), 'live-cli-transcribe-quota-'));

function readReport(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('live-cli transcribe under rate limits', () => {
  it('a quota close on every connect: retried with backoff, then exit 6, one line naming quota and what to do, the partial left', async () => {
    const input = join(sharedAudio, 'hello.wav');
    const out = join(work, 'never.txt');
    const report = join(work, 'always-quota.ndjson');
    const started = performance.now();
    const result = await runCli(['transcribe', `--sim=quota=100,report=${report}`, '--json', '--out', out, input], { timeoutMs: 40_000 });
    const elapsedMs = performance.now() - started;
    expect(result.code).toBe(6);

    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([expect.any(String), `live-cli: what was transcribed so far is in ${out}.partial`]);
    expect(lines[0]).toMatch(new RegExp(`^live-cli: ${input}: the service is rate limiting this key \\(close 1011: RESOURCE_EXHAUSTED[^)]*\\)`));
    expect(lines[0]).toMatch(/wait a minute and retry, or check the project's Live API quota; gave up after 4 retries$/);
    // Transcribe sessions are not in the registry: no `live-cli resume` hint that could not work.
    expect(result.stderr).not.toMatch(/live-cli resume/);

    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting').map((e) => [e.attempt, e.reason, e.closeCode])).toEqual([
      [1, 'quota', 1011],
      [2, 'quota', 1011],
      [3, 'quota', 1011],
      [4, 'quota', 1011],
    ]);
    expect(events.filter((e) => e.type === 'error')).toEqual([expect.objectContaining({ code: 'quota', closeCode: 1011, message: lines[0]?.slice('live-cli: '.length) })]);
    expect(events.some((e) => e.type === 'transcript.done' || e.type === 'session.open')).toBe(false);
    // Backoff 500 + 1000 + 2000 + 4000 ms, ±20 % jitter each: at least 6 s of waiting.
    expect(elapsedMs).toBeGreaterThan(6000);
    expect(readReport(report).filter((r) => r.type === 'fault' && r.fault === 'quota')).toHaveLength(5);

    // Nothing was transcribed, so nothing is lost: the partial is there and empty, the final name is not.
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(`${out}.partial`, 'utf8')).toBe('');
  }, 45_000);

  it('a quota close on the first two connects: the retries succeed and the transcript is whole', async () => {
    const hello = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
    const input = join(work, 'three-segments.pcm');
    writeFileSync(input, Buffer.concat([hello, Buffer.alloc(32_000), hello, Buffer.alloc(32_000), hello]));
    const out = join(work, 'after-quota.txt');
    const report = join(work, 'quota-2.ndjson');
    const result = await runCli(['transcribe', `--sim=quota=2,report=${report}`, '--json', '--out', out, input]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting').map((e) => [e.attempt, e.reason])).toEqual([
      [1, 'quota'],
      [2, 'quota'],
    ]);
    const done = events.filter((e) => e.type === 'transcript.done');
    expect(done).toHaveLength(1);
    expect(Math.abs((done[0]?.audioMs as number) - (hello.length * 3 + 64_000) / 32)).toBeLessThanOrEqual(20);
    const segments = done[0]?.segments as Array<{ text: string }>;
    // Each simulator segment exactly once, in order (pieces as received: later ones start with a space).
    expect(segments).toHaveLength(3);
    segments.forEach((segment, i) => expect(segment.text.trim()).toMatch(new RegExp(`^\\[speech #${i + 1} @\\d+\\.\\d\\ds 3\\.6\\ds\\]$`)));
    expect(done[0]?.text).toBe(segments.map((s) => s.text).join(''));
    expect(readFileSync(out, 'utf8')).toBe(segments.map((s) => `${s.text.trim()}\n`).join(''));
    expect(existsSync(`${out}.partial`)).toBe(false);

    // Two refused attempts, then one connection that received the whole file, once.
    const records = readReport(report);
    expect(records.filter((r) => r.type === 'fault' && r.fault === 'quota')).toHaveLength(2);
    const summary = records.find((r) => r.type === 'summary');
    expect(summary).toMatchObject({ connections: 1, audioBytesReceived: hello.length * 3 + 64_000 });
  });
});
