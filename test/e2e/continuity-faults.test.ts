import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli } from '../helpers/cli.js';
import { connNeverGoesBack, readReport, speechFile } from './continuity-helpers.js';

const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];
const work = mkdtempSync(join(tmpdir(), 'live-cli-continuity-faults-'));
const speech = speechFile(work, 20);

describe.concurrent('reconnection through the built binary against the simulator', () => {
  it('a drop mid-conversation is resumed with the newest handle and the unanswered turn is answered once', async () => {
    const report = join(work, 'drop-once.ndjson');
    const result = await runCli(['chat', `--sim=drop-after-messages=2,report=${report}`, ...textModel, '--text', 'one', '--text', 'two', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    const types = events.map((e) => e.type);
    expect(types).toContain('reconnecting');
    expect(events.find((e) => e.type === 'turn.complete' && e.reason === 'connection-lost')).toMatchObject({ conn: 1 });
    expect(events.find((e) => e.type === 'reconnecting')).toMatchObject({ attempt: 1, reason: 'connection-lost', closeCode: 1006 });
    expect(events.find((e) => e.type === 'session.open' && e.conn === 2)).toMatchObject({ resumed: true });
    expect(events.find((e) => e.type === 'resumed')).toMatchObject({ conn: 2, replayedTurns: 1 });
    const replies = events.filter((e) => e.type === 'text').map((e) => String(e.text)).join('');
    expect(replies.match(/You said: one/g)).toHaveLength(1);
    expect(replies.match(/You said: two/g)).toHaveLength(1);
    const records = readReport(report);
    expect(records.find((r) => r.type === 'handle' && r.action === 'accepted')).toMatchObject({ conn: 2, messageIndex: 1 });
    expect(records.find((r) => r.type === 'summary')).toMatchObject({ textTurnsKept: ['one', 'two'], resumes: 1 });
  });

  it('retries with backoff until the budget is spent, then exits 4; with no handle it suggests no resume', async () => {
    // Without a handle each reconnect starts a new session, which the simulator drops again.
    const result = await runCli(['chat', '--sim=drop-after-messages=1,close-code=1011', ...textModel, '--text', 'hi', '--json']);
    expect(result.code).toBe(4);
    const events = parseEvents(result.stdout);
    const attempts = events.filter((e) => e.type === 'reconnecting').map((e) => e.attempt);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'protocol', closeCode: 1011 });
    // No connection lived long enough to get a handle: there is nothing `resume` could continue.
    expect(String(error?.message)).toMatch(/gave up after 6 attempts to reconnect$/);
    expect(result.stderr).not.toMatch(/live-cli resume/);
    expect(result.stderr).toMatch(/reconnecting \(attempt 6\)/);
    expect(events.at(-1)?.type).toBe('session.end');
  });

  it('a rate limit is retried with a longer backoff and the session then goes ahead', async () => {
    const result = await runCli(['chat', '--sim=quota=2', ...textModel, '--text', 'hi', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting')).toMatchObject([
      { attempt: 1, reason: 'quota', closeCode: 1011 },
      { attempt: 2, reason: 'quota', closeCode: 1011 },
    ]);
    expect(events.some((e) => e.type === 'turn.complete')).toBe(true);
  });

  it('a rate limit that does not lift ends with exit 6 after the retries', async () => {
    const result = await runCli(['chat', '--sim=quota=50', ...textModel, '--text', 'hi', '--json']);
    expect(result.code).toBe(6);
    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting')).toHaveLength(4);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'quota' });
    expect(String(events.find((e) => e.type === 'error')?.message)).toMatch(/RESOURCE_EXHAUSTED.*gave up after 4 retries/);
  });

  it('a handle the service refuses on resume ends the run with exit 4 and says so', async () => {
    const result = await runCli(['chat', '--sim=drop-after-messages=2,reject-resume', ...textModel, '--text', 'one', '--text', 'two', '--json']);
    expect(result.code).toBe(4);
    const error = parseEvents(result.stdout).find((e) => e.type === 'error');
    expect(error).toMatchObject({ closeCode: 1008 });
    expect(String(error?.message)).toMatch(/handle/);
  });

  it('goAway: countdown on stderr, then a handoff to conn 2 with the newest handle, nothing lost', async () => {
    const report = join(work, 'goaway.ndjson');
    const result = await runCli([
      'chat',
      `--sim=go-away-every=8,go-away-time-left=2,transparent,report=${report}`,
      '--vertex',
      '--input',
      speech.path,
      '--pace',
      'fast',
      '--json',
    ], { env: { GOOGLE_API_KEY: 'vertex-express-key' } });
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    const sequence = events
      .filter((e) => ['goaway', 'reconnecting', 'session.open', 'resumed'].includes(e.type))
      .slice(0, 5)
      .map((e) => `${e.type}@${String(e.conn)}`);
    expect(sequence).toEqual(['session.open@1', 'goaway@1', 'reconnecting@1', 'session.open@2', 'resumed@2']);
    expect(events.find((e) => e.type === 'reconnecting')).toMatchObject({ attempt: 1, reason: 'goaway' });
    expect(result.stderr).toMatch(/will end connection 1 in 2\.0 s \(goAway\); handing over/);
    const records = readReport(report);
    expect(records.filter((r) => r.type === 'handle' && r.action === 'accepted').length).toBeGreaterThanOrEqual(1);
    const summary = records.find((r) => r.type === 'summary');
    expect(summary).toMatchObject({ audioBytesKept: speech.bytes, keptAudioSha256: speech.sha256 });
    expect(connNeverGoesBack(events)).toBe(true);
  });

  // The client closes the old connection before opening the next, so the simulator seldom gets to
  // send its stale frames here; test/live/session.test.ts injects late frames directly.
  it('with allow-overlap and stale-frames the handoffs still complete and no stale frame surfaces', async () => {
    const result = await runCli([
      'chat',
      // Handles come more often than goAways, and a goAway is further apart than what a handoff
      // re-sends (re-sent audio moves the simulator's clock too): each connection can confirm input.
      '--sim=go-away-every=8,go-away-time-left=2,handle-every=1,allow-overlap,stale-frames',
      '--input',
      speech.path,
      '--pace',
      'fast',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/stale frame/);
    const events = parseEvents(result.stdout);
    expect(events.some((e) => e.type === 'resumed')).toBe(true);
    expect(connNeverGoesBack(events)).toBe(true);
    // The stale handle the old connection sends is never used for a resume.
    expect(events.filter((e) => e.type === 'resumption').every((e) => !String(e.handle).startsWith('stale-'))).toBe(true);
  });
});
