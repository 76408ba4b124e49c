import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventStream, type EventInput } from '../../src/core/events.js';
import { formatAge, formatDuration, runSessions, type SessionsAction } from '../../src/cli/commands/sessions.js';
import { attachSessionLog } from '../../src/registry/log.js';
import type { SessionRegistry } from '../../src/registry/store.js';
import { captureRuntime, HOUR, tempRegistry } from '../registry/helpers.js';

const NOW = Date.parse('2026-11-30T18:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const MODEL = 'gemini-2.5-flash-native-audio-preview-12-2025';

/** Three finished sessions: one resumable, one expired, one without a handle or log. */
async function seed(registry: SessionRegistry): Promise<void> {
  const conversation = async (id: string, start: number, inputs: EventInput[], log = true): Promise<void> => {
    registry.create({ id, model: MODEL, endpoint: 'sim', startedAt: iso(start), log });
    const events = new EventStream();
    const session = attachSessionLog(events, registry, id, { log, now: () => start + 60_000 });
    for (const input of inputs) events.emit(input, 1);
    await session.close();
  };
  await conversation('20261130-100000-aaaaaa', NOW - 8 * HOUR, [
    { type: 'user.text', text: 'an old question' },
    { type: 'text', text: 'an old answer' },
    { type: 'turn.complete' },
    { type: 'resumption', handle: 'old-handle', resumable: true },
  ]);
  await conversation('20261130-173000-bbbbbb', NOW - 30 * 60_000, [
    { type: 'transcript.input', text: 'What is' },
    { type: 'transcript.input', text: ' the weather?' },
    { type: 'transcript.output', text: 'It is' },
    { type: 'transcript.output', text: ' sunny.' },
    { type: 'audio', bytes: 4800, sampleRate: 24000, ms: 100, pcm: Buffer.alloc(4800) } as EventInput,
    { type: 'turn.complete' },
    { type: 'resumption', handle: 'fresh-handle', resumable: true },
    { type: 'transcript.input', text: 'And tomorrow?' },
    { type: 'transcript.output', text: 'Rain.' },
    { type: 'turn.complete', reason: 'connection-lost' },
    { type: 'session.end', id: '20261130-173000-bbbbbb' },
  ]);
  await conversation('20261130-175700-cccccc', NOW - 3 * 60_000, [{ type: 'user.text', text: 'secret musings' }], false);
}

async function run(action: SessionsAction, arg: string | undefined, json: boolean, env: NodeJS.ProcessEnv) {
  const { runtime, stdout, stderr } = captureRuntime();
  const code = await runSessions(action, arg, json, runtime, { env, now: NOW });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('live-cli sessions', () => {
  it('list: newest first with id, age, model, handle state and first words', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const { code, stdout, stderr } = await run('list', undefined, false, env);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [
        `20261130-175700-cccccc  3m ago   ${MODEL}  no handle               (not logged)`,
        `20261130-173000-bbbbbb  30m ago  ${MODEL}  resumable (1h31m left)  What is the weather?`,
        `20261130-100000-aaaaaa  8h ago   ${MODEL}  expired                 an old question`,
        '',
      ].join('\n'),
    );
  });

  it('list --json: one object per session per line, with what follows from the record', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const { code, stdout } = await run('list', undefined, true, env);
    expect(code).toBe(0);
    const objects = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects.map((object) => object.id)).toEqual(['20261130-175700-cccccc', '20261130-173000-bbbbbb', '20261130-100000-aaaaaa']);
    expect(objects[1]).toMatchObject({
      type: 'session',
      model: MODEL,
      endpoint: 'sim',
      lastHandle: 'fresh-handle',
      handleValid: true,
      handleExpiresAt: iso(NOW - 30 * 60_000 + 60_000 + 2 * HOUR),
      running: false,
      firstWords: 'What is the weather?',
      log: true,
    });
    expect(objects[2]).toMatchObject({ handleValid: false, lastHandle: 'old-handle' });
    expect(objects[0]).toMatchObject({ handleValid: false, log: false });
    expect(objects[0]).not.toHaveProperty('handleExpiresAt');
  });

  it('list with nothing recorded: nothing on stdout, a hint on stderr, exit 0', async () => {
    const { env } = tempRegistry();
    expect(await run('list', undefined, false, env)).toEqual({ code: 0, stdout: '', stderr: expect.stringMatching(/no sessions recorded yet/) as unknown });
    expect(await run('list', undefined, true, env)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('show: the transcript, readable, by id or unique prefix', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const { code, stdout } = await run('show', '20261130-1730', false, env);
    expect(code).toBe(0);
    expect(stdout).toBe('you: What is the weather?\ngemini: It is sunny.\nyou: And tomorrow?\ngemini: Rain. [connection-lost]\n');
    expect((await run('show', '20261130-100000-aaaaaa', false, env)).stdout).toBe('you: an old question\ngemini: an old answer\n');
  });

  it('show --json: the transcript events, one per line, pieces as they arrived', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const { code, stdout } = await run('show', '20261130-173000-bbbbbb', true, env);
    expect(code).toBe(0);
    const events = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; text: string });
    expect(events.map((event) => `${event.type}:${event.text}`)).toEqual([
      'transcript.input:What is',
      'transcript.input: the weather?',
      'transcript.output:It is',
      'transcript.output: sunny.',
      'transcript.input:And tomorrow?',
      'transcript.output:Rain.',
    ]);
  });

  it('show of a --no-log session says there is no transcript', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const { code, stdout, stderr } = await run('show', '20261130-175700-cccccc', false, env);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--no-log: there is no transcript/);
  });

  it('an unknown, ambiguous or missing id is exit 2 with one line on stderr', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    for (const [action, arg, message] of [
      ['show', '20261130-999999-ffffff', /no session "20261130-999999-ffffff"/],
      ['rm', 'nope', /no session "nope"/],
      ['show', '20261130-1', /matches 3 sessions/],
      ['rm', undefined, /sessions rm needs a session id/],
    ] as const) {
      const result = await run(action, arg, false, env);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr.startsWith('live-cli: ')).toBe(true);
    }
  });

  it('rm: removes the record and its log', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const logPath = registry.logPath('20261130-173000-bbbbbb');
    expect(existsSync(logPath)).toBe(true);
    const { code, stdout } = await run('rm', '20261130-173000', false, env);
    expect(code).toBe(0);
    expect(stdout).toBe('removed 20261130-173000-bbbbbb\n');
    expect(existsSync(logPath)).toBe(false);
    expect(registry.list().map((record) => record.id)).toEqual(['20261130-175700-cccccc', '20261130-100000-aaaaaa']);
    const json = await run('rm', '20261130-100000-aaaaaa', true, env);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'session', id: '20261130-100000-aaaaaa', removed: true });
  });

  it('prune: removes what can no longer be resumed, keeps the rest', async () => {
    const { registry, env } = tempRegistry();
    await seed(registry);
    const { code, stdout } = await run('prune', undefined, false, env);
    expect(code).toBe(0);
    expect(stdout).toBe('removed 20261130-175700-cccccc  (no handle, 3m ago)\nremoved 20261130-100000-aaaaaa  (expired, 8h ago)\n');
    expect(registry.list().map((record) => record.id)).toEqual(['20261130-173000-bbbbbb']);
    const again = await run('prune', undefined, true, env);
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await run('prune', undefined, false, env)).stderr).toMatch(/nothing to prune/);
  });

  it('the log files hold no audio samples', async () => {
    const { registry } = tempRegistry();
    await seed(registry);
    const text = readFileSync(registry.logPath('20261130-173000-bbbbbb'), 'utf8');
    expect(text).toContain('"type":"audio"');
    expect(text).not.toContain('AAAAAAAA');
  });
});

describe('formatting', () => {
  it('ages and durations', () => {
    expect([5_000, 42_000, 3 * 60_000, 5 * HOUR, 50 * HOUR].map(formatAge)).toEqual(['just now', '42s ago', '3m ago', '5h ago', '2d ago']);
    expect([30_000, 42 * 60_000, HOUR + 57 * 60_000, 2 * HOUR].map(formatDuration)).toEqual(['30s', '42m', '1h57m', '2h00m']);
  });
});
