import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLE_TTL_MS, HandleStore } from '../../src/sim/handle-store.js';
import { emptyKeptState } from '../../src/sim/session.js';

const dir = mkdtempSync(join(tmpdir(), 'live-cli-handles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HandleStore (sim handle-dir)', () => {
  it('restores what a handle kept, in private files whose names do not reveal the handle', () => {
    const store = new HandleStore(join(dir, 'a'));
    const kept = emptyKeptState();
    Object.assign(kept, { messageIndex: 7, audioBytes: 3200, audioSeconds: 0.1, textTurns: ['remember 42'], history: [{ role: 'user', modality: 'TEXT', tokens: 3 }], speechCount: 2 });
    store.save('sim-s1-3-deadbeef', 'sim-session-1-abc', kept);
    const restored = store.load('sim-s1-3-deadbeef');
    expect(restored?.sessionId).toBe('sim-session-1-abc');
    expect(restored?.kept).toMatchObject({ messageIndex: 7, audioBytes: 3200, textTurns: ['remember 42'], speechCount: 2, vadBaseSeconds: 0.1 });
    expect(store.load('sim-s1-3-other')).toBeUndefined();
    const [name] = readdirSync(join(dir, 'a'));
    expect(name).not.toContain('deadbeef');
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'a', name ?? '')).mode & 0o777).toBe(0o600);
  });

  it('forgets a handle after two hours, as the service does, and prune() removes it', () => {
    let now = Date.now();
    const store = new HandleStore(join(dir, 'b'), () => now);
    store.save('h', 'sid', emptyKeptState());
    expect(store.load('h')).toBeDefined();
    now += HANDLE_TTL_MS + 1000;
    expect(store.load('h')).toBeUndefined();
    store.prune();
    expect(readdirSync(join(dir, 'b'))).toEqual([]);
  });
});
