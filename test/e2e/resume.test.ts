import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesContaining, parseEvents, runCli, SECRET_KEY } from '../helpers/cli.js';
import { startSimProcess, type SimProcess } from '../helpers/sim-process.js';

const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];

async function killOnceRecorded(child: import('node:child_process').ChildProcess, record: string): Promise<void> {
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    try {
      if ((JSON.parse(readFileSync(record, 'utf8')) as { lastHandle?: string }).lastHandle) break;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
}

describe('the session registry and resume, through the built binary', () => {
  const work = mkdtempSync(join(tmpdir(), 'live-cli-resume-'));
  const state = join(work, 'state');
  const report = join(work, 'report.ndjson');
  let sim: SimProcess;
  const env = { XDG_STATE_HOME: state };

  beforeAll(async () => {
    sim = await startSimProcess(['--report', report]);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('a session killed with SIGKILL mid-session resumes with `resume last`, showing the earlier transcript', async () => {
    // First run: one answered turn, then SIGKILL while it waits for more input.
    const killed = await runCli(['chat', '--endpoint', sim.url, ...textModel, '--json'], {
      env,
      keepStdinOpen: true,
      onSpawn: (child) => {
        child.stdin?.write('remember the number 42\n');
        let seen = '';
        child.stdout?.on('data', (data: Buffer) => {
          seen += data.toString();
          const id = /"type":"session.open","id":"([^"]+)"/.exec(seen)?.[1];
          // Once the registry holds the handle that followed the answered turn, kill it mid-session.
          if (id && /"type":"resumption"/.test(seen)) void killOnceRecorded(child, join(state, 'live-cli', 'sessions', `${id}.json`));
        });
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const first = parseEvents(killed.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n'));
    const id = first.find((e) => e.type === 'session.open')?.id as string;

    const listed = await runCli(['sessions', '--json'], { env });
    expect(listed.code).toBe(0);
    const sessions = parseEvents(listed.stdout);
    expect(sessions[0]).toMatchObject({ id, handleValid: true, firstWords: 'remember the number 42' });

    const resumed = await runCli(['resume', 'last', '--endpoint', sim.url, '--text', 'what was the number?', '--json'], { env });
    expect(resumed.stderr).toContain(`live-cli resume ${id}`);
    expect(resumed.code).toBe(0);
    const events = parseEvents(resumed.stdout);
    const history = events.filter((e) => e.history === true);
    expect(history.map((e) => e.text as string).join('')).toContain('remember the number 42');
    const open = events.findIndex((e) => e.type === 'session.open');
    expect(events.findIndex((e) => e.history === true)).toBeLessThan(open);
    expect(events[open]).toMatchObject({ id, resumed: true });
    expect(events.filter((e) => e.type === 'text' && e.history !== true).map((e) => e.text as string).join('')).toContain('what was the number?');
    expect(events.at(-1)).toMatchObject({ type: 'session.end', id, resume: `live-cli resume ${id}` });

    // The simulator accepted the handle and kept both turns in one session.
    const records = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const accepted = records.filter((r) => r.type === 'handle' && r.action === 'accepted');
    expect(accepted).toHaveLength(1);
    const turns = records.filter((r) => r.type === 'text-turn' && r.session === accepted[0]?.session).map((r) => r.text);
    expect(turns).toEqual(['remember the number 42', 'what was the number?']);

    const shown = await runCli(['sessions', 'show', id], { env });
    expect(shown.stdout).toMatch(/^you: remember the number 42$/m);
    expect(shown.stdout).toMatch(/^you: what was the number\?$/m);
    expect(filesContaining(state, SECRET_KEY)).toEqual([]);
  });

  it('says plainly when the service rejects a handle, and remembers it', async () => {
    const resumed = await runCli(['resume', 'not-a-known-handle', '--endpoint', sim.url, ...textModel, '--text', 'hi'], { env });
    expect(resumed.code).toBe(4);
    expect(resumed.stderr).toMatch(/handle was rejected/);
  });

  it('an unknown session id is a usage error (exit 2)', async () => {
    const result = await runCli(['resume', '20991231-000000-abcdef', '--endpoint', sim.url], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--no-log keeps no transcript, only what resuming needs', async () => {
    const quiet = join(work, 'quiet-state');
    const result = await runCli(['chat', '--endpoint', sim.url, ...textModel, '--text', 'secret plans', '--no-log', '--json'], {
      env: { XDG_STATE_HOME: quiet },
    });
    expect(result.code).toBe(0);
    expect(filesContaining(quiet, 'secret plans')).toEqual([]);
    const listed = parseEvents((await runCli(['sessions', '--json'], { env: { XDG_STATE_HOME: quiet } })).stdout);
    expect(listed[0]).toMatchObject({ log: false, handleValid: true });
  });
});

describe('resume with --sim, and honest hints', () => {
  const state = mkdtempSync(join(tmpdir(), 'live-cli-resume-sim-'));
  const env = { XDG_STATE_HOME: state };

  it('a chat --sim session resumes with `resume last --sim` in a new process: its simulator kept the handle', async () => {
    const first = await runCli(['chat', '--sim', ...textModel, '--text', 'remember the blue door', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    const id = parseEvents(first.stdout).find((e) => e.type === 'session.open')?.id as string;
    // The hint names --sim: without it, resume would go to the real service, which never saw the handle.
    expect(first.stderr.split('\n')).toContain(`live-cli resume ${id} --sim`);
    expect(parseEvents(first.stdout).at(-1)).toMatchObject({ type: 'session.end', resume: `live-cli resume ${id} --sim` });

    const resumed = await runCli(['resume', 'last', '--sim', '--text', 'what door?', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const events = parseEvents(resumed.stdout);
    expect(events.find((e) => e.type === 'session.open')).toMatchObject({ id, resumed: true });
    expect(events.filter((e) => e.history === true).map((e) => String(e.text)).join('')).toContain('remember the blue door');
    expect(events.filter((e) => e.type === 'text' && e.history !== true).map((e) => String(e.text)).join('')).toContain('what door?');
  });

  it('a refused handle gets no resume hint, and a failed run with nothing said leaves no record', async () => {
    const first = await runCli(['chat', '--sim', ...textModel, '--text', 'hello', '--json'], { env });
    const id = parseEvents(first.stdout).find((e) => e.type === 'session.open')?.id as string;
    const refused = await runCli(['resume', id, '--sim=reject-resume', '--text', 'again', '--json'], { env });
    expect(refused.code).toBe(4);
    expect(refused.stderr).not.toMatch(/^live-cli resume /m);
    const end = parseEvents(refused.stdout).at(-1);
    expect(end?.type).toBe('session.end');
    expect(end && 'resume' in end).toBe(false);

    const before = parseEvents((await runCli(['sessions', '--json'], { env })).stdout).map((s) => s.id);
    const failed = await runCli(['chat', '--sim=reject-key', '--text', 'hi', '--json'], { env });
    expect(failed.code).toBe(3);
    expect(failed.stderr).not.toMatch(/^live-cli resume /m);
    const after = parseEvents((await runCli(['sessions', '--json'], { env })).stdout).map((s) => s.id);
    expect(after).toEqual(before);
  });
});
