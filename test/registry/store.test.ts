import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { newSessionId } from '../../src/core/session-id.js';
import { firstWordsOf, handleExpiresAt, handleValid, type SessionRecord } from '../../src/registry/record.js';
import type { SessionRegistry } from '../../src/registry/store.js';
import { HOUR, tempRegistry } from './helpers.js';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** A finished session started at `start`, with a handle issued at `handleAt` when given. */
function addSession(registry: SessionRegistry, id: string, start: number, handleAt?: number, extra: Partial<SessionRecord> = {}): SessionRecord {
  registry.create({ id, model: 'gemini-live-2.5-flash-preview', endpoint: 'sim', startedAt: iso(start) });
  return registry.update(id, {
    endedAt: iso(Math.max(start, handleAt ?? start) + 1000),
    ...(handleAt !== undefined ? { lastHandle: `handle-${id}`, handleIssuedAt: iso(handleAt), resumable: true } : {}),
    ...extra,
  });
}

function usageError(action: () => unknown): CliError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    const cliError = error as CliError;
    expect(cliError.code).toBe('usage');
    expect(cliError.exitCode).toBe(2);
    expect(cliError.message).not.toContain('\n');
    return cliError;
  }
  throw new Error('expected a usage error');
}

describe('SessionRegistry records', () => {
  it('creates a 0600 record in a 0700 directory, with defaults filled in', () => {
    const { registry, stateHome } = tempRegistry();
    const id = newSessionId(new Date(T0));
    const created = registry.create({ id, model: 'm', endpoint: 'gemini', systemInstruction: 'be brief' });
    expect(created).toMatchObject({ schema: 1, id, model: 'm', endpoint: 'gemini', resumable: false, log: true, pid: process.pid, systemInstruction: 'be brief' });
    expect(Date.parse(created.startedAt)).not.toBeNaN();
    expect(registry.get(id)).toEqual(created);
    expect(statSync(join(stateHome, 'live-cli')).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateHome, 'live-cli', 'sessions')).mode & 0o777).toBe(0o700);
    expect(statSync(registry.recordPath(id)).mode & 0o777).toBe(0o600);
  });

  it('updates by merging, atomically (no temp files left, the old file replaced not rewritten)', () => {
    const { registry } = tempRegistry();
    registry.create({ id: 'a1', model: 'm', endpoint: 'sim', firstWords: 'hello' });
    const before = statSync(registry.recordPath('a1')).ino;
    const updated = registry.update('a1', { lastHandle: 'h1', resumable: true, firstWords: undefined });
    expect(updated).toMatchObject({ id: 'a1', model: 'm', lastHandle: 'h1', resumable: true });
    expect(updated).not.toHaveProperty('firstWords');
    expect(JSON.parse(readFileSync(registry.recordPath('a1'), 'utf8'))).toEqual(updated);
    expect(statSync(registry.recordPath('a1')).ino).not.toBe(before); // a new file renamed into place
    expect(readdirSync(registry.paths.sessions)).toEqual(['a1.json']);
    expect(usageError(() => registry.update('nope', { resumable: true })).message).toContain('nope');
  });

  it('reads nothing and creates nothing when there is no state directory yet', () => {
    const { registry } = tempRegistry();
    expect(registry.list()).toEqual([]);
    expect(registry.get('x')).toBeUndefined();
    expect(registry.prune()).toEqual([]);
  });

  it('refuses ids that are not file names', () => {
    const { registry } = tempRegistry();
    for (const id of ['../escape', 'a/b', '.hidden', '']) usageError(() => registry.create({ id, model: 'm', endpoint: 'sim' }));
  });

  it('lists newest first and skips unreadable records', () => {
    const { registry } = tempRegistry();
    addSession(registry, 'b', T0 + 1000);
    addSession(registry, 'a', T0 + 3000);
    addSession(registry, 'c', T0 + 2000);
    addSession(registry, 'd', T0 + 2000);
    writeFileSync(join(registry.paths.sessions, 'broken.json'), '{"id": "broken", "mod');
    writeFileSync(join(registry.paths.sessions, 'other.json'), '[1, 2]');
    expect(registry.list().map((record) => record.id)).toEqual(['a', 'd', 'c', 'b']);
  });

  it('removes a record with its log', () => {
    const { registry } = tempRegistry();
    addSession(registry, 'gone', T0);
    writeFileSync(registry.logPath('gone'), '{}\n');
    expect(registry.remove('gone')).toBe(true);
    expect(readdirSync(registry.paths.sessions)).toEqual([]);
    expect(registry.remove('gone')).toBe(false);
  });
});

describe('handle validity', () => {
  const base: SessionRecord = { schema: 1, id: 'x', model: 'm', endpoint: 'sim', startedAt: iso(T0), resumable: true, log: true };

  it('lasts ~2 hours from the later of the handle and the end of the session', () => {
    const record = { ...base, lastHandle: 'h', handleIssuedAt: iso(T0 + HOUR), endedAt: iso(T0 + 3 * HOUR) };
    expect(handleExpiresAt(record)).toBe(T0 + 5 * HOUR);
    expect(handleValid(record, T0 + 5 * HOUR - 1)).toBe(true);
    expect(handleValid(record, T0 + 5 * HOUR)).toBe(false);
  });

  it('counts from the handle when the session never recorded its end (a killed process)', () => {
    const record = { ...base, lastHandle: 'h', handleIssuedAt: iso(T0 + HOUR) };
    expect(handleValid(record, T0 + 2.9 * HOUR)).toBe(true);
    expect(handleValid(record, T0 + 3.1 * HOUR)).toBe(false);
  });

  it('is never valid without a handle or once known not resumable', () => {
    expect(handleValid({ ...base }, T0)).toBe(false);
    expect(handleValid({ ...base, lastHandle: 'h', handleIssuedAt: iso(T0), resumable: false }, T0)).toBe(false);
  });
});

describe('resolve', () => {
  it('says there are no sessions yet, for last and for an id', () => {
    const { registry } = tempRegistry();
    expect(usageError(() => registry.resolve('last')).message).toMatch(/no sessions recorded yet/);
    expect(usageError(() => registry.resolve('20261130-1200')).message).toMatch(/no sessions recorded yet/);
  });

  it('last: the newest session with a handle, expired or not', () => {
    const { registry } = tempRegistry();
    addSession(registry, '20261130-100000-aaaaaa', T0, T0 + 1000);
    addSession(registry, '20261130-110000-bbbbbb', T0 + HOUR, T0 + HOUR + 1000);
    addSession(registry, '20261130-120000-cccccc', T0 + 2 * HOUR); // newest, but no handle
    const resolved = registry.resolve('last');
    expect(resolved).toMatchObject({ id: '20261130-110000-bbbbbb', handle: 'handle-20261130-110000-bbbbbb' });
    expect(resolved.record?.model).toBe('gemini-live-2.5-flash-preview');
  });

  it('last with sessions but no handle anywhere is a usage error', () => {
    const { registry } = tempRegistry();
    addSession(registry, 's1', T0);
    expect(usageError(() => registry.resolve('last')).message).toMatch(/no recorded session has a resumption handle/);
  });

  it('an id, a unique prefix of one, or a handle a record holds', () => {
    const { registry } = tempRegistry();
    addSession(registry, '20261130-100000-aaaaaa', T0, T0);
    addSession(registry, '20261130-110000-bbbbbb', T0 + HOUR, T0 + HOUR);
    expect(registry.resolve('20261130-100000-aaaaaa')).toMatchObject({ id: '20261130-100000-aaaaaa', handle: 'handle-20261130-100000-aaaaaa' });
    expect(registry.resolve('20261130-11')).toMatchObject({ id: '20261130-110000-bbbbbb' });
    expect(registry.resolve('handle-20261130-100000-aaaaaa')).toMatchObject({ id: '20261130-100000-aaaaaa', handle: 'handle-20261130-100000-aaaaaa' });
    expect(usageError(() => registry.resolve('20261130-1')).message).toMatch(/matches 2 sessions/);
    expect(usageError(() => registry.resolve('20261130-130000-cccccc')).message).toMatch(/no session "20261130-130000-cccccc"/);
  });

  it('anything else is a raw handle, passed through', () => {
    const { registry } = tempRegistry();
    expect(registry.resolve('sim-abc-3-deadbeef')).toEqual({ handle: 'sim-abc-3-deadbeef' });
    addSession(registry, 's1', T0, T0);
    expect(registry.resolve('  CjQKQmFzZTY0LWlzaC1oYW5kbGU= ')).toEqual({ handle: 'CjQKQmFzZTY0LWlzaC1oYW5kbGU=' });
  });

  it('an id whose session has no handle is a usage error that says so', () => {
    const { registry } = tempRegistry();
    addSession(registry, '20261130-100000-aaaaaa', T0);
    expect(usageError(() => registry.resolve('20261130-100000')).message).toMatch(/has no resumption handle/);
  });
});

describe('prune', () => {
  it('removes sessions that can no longer be resumed, keeps valid and running ones', () => {
    const { registry } = tempRegistry();
    const now = T0 + 10 * HOUR;
    addSession(registry, 'expired', T0, T0 + HOUR);
    addSession(registry, 'valid', now - HOUR, now - HOUR);
    addSession(registry, 'no-handle', now - 60_000);
    addSession(registry, 'rejected', now - HOUR, now - HOUR, { resumable: false });
    registry.create({ id: 'running', model: 'm', endpoint: 'sim', startedAt: iso(T0) }); // our own pid: alive
    registry.create({ id: 'killed', model: 'm', endpoint: 'sim', startedAt: iso(T0), pid: 2 ** 22 + 12345 });
    writeFileSync(registry.logPath('expired'), '{"type":"user.text","text":"hi"}\n');
    writeFileSync(registry.logPath('orphan'), '{}\n');
    writeFileSync(join(registry.paths.sessions, 'broken.json'), '{');

    const removed = registry.prune({ now });
    expect(removed.map((record) => record.id).sort()).toEqual(['expired', 'killed', 'no-handle', 'rejected']);
    expect(readdirSync(registry.paths.sessions).sort()).toEqual(['running.json', 'valid.json']);
  });

  it('with olderThanMs, keeps what is more recent whatever its handle', () => {
    const { registry } = tempRegistry();
    const now = T0 + 30 * 24 * HOUR;
    addSession(registry, 'old', T0);
    addSession(registry, 'recent', now - 3 * HOUR);
    expect(registry.prune({ now, olderThanMs: 7 * 24 * HOUR }).map((record) => record.id)).toEqual(['old']);
    expect(registry.list().map((record) => record.id)).toEqual(['recent']);
  });
});

describe('firstWordsOf', () => {
  it('collapses whitespace and cuts near 60 characters at a word boundary', () => {
    expect(firstWordsOf('  hello\n  there ')).toBe('hello there');
    const long = 'what is the weather going to be like tomorrow in the north of Scotland, please';
    const words = firstWordsOf(long);
    expect(words.length).toBeLessThanOrEqual(61);
    expect(words).toBe('what is the weather going to be like tomorrow in the north…');
  });
});
