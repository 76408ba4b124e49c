import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli } from '../helpers/cli.js';
import { readReport, speechFile } from './continuity-helpers.js';

/**
 * Issue 11: the failure budget counts reconnects that make no progress with the user's input.
 * Model output is no progress: a server that answers the same re-sent audio before every drop
 * would otherwise keep the session reconnecting forever. (The converse, many more drops than the
 * budget that each let the input progress, is in continuity-dense.test.ts.)
 */
const work = mkdtempSync(join(tmpdir(), 'live-cli-continuity-budget-'));
const speech = speechFile(work, 20);

describe.concurrent('the failure budget counts reconnects without progress of the user input', () => {
  it('drop-every with fast input and no handle before each drop: exit 4 after the budget, not forever', async () => {
    // The first handle would come after the first reply (5 s of clock), but the reply runs past
    // 7 s: every connection is dropped before any of the user's audio is confirmed.
    const report = join(work, 'drop-every.ndjson');
    const result = await runCli(['chat', `--sim=drop-every=7,report=${report}`, '--input', speech.path, '--pace', 'fast', '--json'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr.slice(-1000)).toBe(4);
    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting').map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    // The model did answer on those connections: its output does not reset the count.
    expect(events.some((e) => e.type === 'transcript.output' || e.type === 'audio')).toBe(true);
    expect(String(events.find((e) => e.type === 'error')?.message)).toMatch(/gave up after 6 attempts to reconnect/);
    expect(events.at(-1)?.type).toBe('session.end');
    expect(readReport(report).filter((r) => r.type === 'handle' && r.action === 'issued')).toEqual([]);
  });

  it('a server that answers resumable:false forever, with drops: exit 4 after the budget', async () => {
    const report = join(work, 'never-resumable.ndjson');
    const result = await runCli(['chat', `--sim=never-resumable,handle-every=1,drop-every=3,report=${report}`, '--input', speech.path, '--pace', 'fast', '--json'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr.slice(-1000)).toBe(4);
    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'resumption')).toEqual([]);
    const records = readReport(report);
    expect(records.some((r) => r.type === 'handle' && r.action === 'not-resumable')).toBe(true);
    // Without a handle every reconnect is a fresh session that is sent everything again.
    expect(records.filter((r) => r.type === 'summary').length).toBe(7);
  });
});
