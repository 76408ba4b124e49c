import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli, sharedAudio } from '../helpers/cli.js';

/**
 * Issue 11: a signal while the session is reconnecting, or while the first connection waits for
 * setupComplete, ends the run at once: the connect in flight is aborted (not waited out for the
 * 15 s connect timeout), session.end is written, and the exit code is 128 + the signal. How fast
 * is measured in bench/handoff.js, not here.
 */
const work = mkdtempSync(join(tmpdir(), 'live-cli-signals-'));
const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];

describe.concurrent('a signal while connecting or reconnecting', () => {
  it('SIGTERM during a reconnect that hangs: exit 143, session.end written', async () => {
    const report = join(work, 'stall.ndjson');
    let sent = false;
    const hello = join(sharedAudio, 'hello-16k.pcm');
    const result = await runCli(['chat', `--sim=drop-every=2,stall-reconnect,report=${report}`, '--input', hello, '--pace', 'fast', '--json'], {
      timeoutMs: 12_000,
      onSpawn: (child) => {
        child.stdout?.on('data', (data: Buffer) => {
          // The simulator never answers the reconnect's setup.
          if (!sent && data.toString().includes('"type":"reconnecting"')) {
            sent = true;
            setTimeout(() => child.kill('SIGTERM'), 300);
          }
        });
      },
    });
    expect(sent).toBe(true);
    expect(result.code, result.stderr.slice(-1000)).toBe(143);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)?.type).toBe('session.end');
    expect(events.some((e) => e.type === 'session.close')).toBe(true);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    // It was stopped inside the reconnect: the resumed connection never opened.
    expect(events.some((e) => e.type === 'session.open' && e.conn === 2)).toBe(false);
    expect(readFileSync(report, 'utf8')).toContain('"fault":"stall-reconnect"');
  });

  it('SIGINT while the first connection waits for setupComplete: exit 130, session.end written', async () => {
    const report = join(work, 'no-setup.ndjson');
    let sent = false;
    const result = await runCli(['chat', `--sim=no-setup-complete,report=${report}`, ...textModel, '--text', 'hi', '--json'], {
      timeoutMs: 12_000,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (existsSync(report) && readFileSync(report, 'utf8').includes('"fault":"no-setup-complete"')) {
            clearInterval(poll);
            sent = true;
            child.kill('SIGINT');
          }
        }, 50);
        child.on('exit', () => clearInterval(poll));
      },
    });
    expect(sent).toBe(true);
    expect(result.code, result.stderr.slice(-1000)).toBe(130);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)?.type).toBe('session.end');
    // Aborted on purpose: no setup-timeout error.
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect(result.stderr).not.toMatch(/timed out|timeout/i);
  });
});
