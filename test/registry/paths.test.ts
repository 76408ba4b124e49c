import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, openPrivateAppend, statePaths, writePrivateFileAtomic } from '../../src/registry/paths.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('statePaths', () => {
  it('uses $XDG_STATE_HOME/live-cli', () => {
    expect(statePaths({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' })).toEqual({ root: '/x/state/live-cli', sessions: '/x/state/live-cli/sessions' });
  });

  it('falls back to ~/.local/state when XDG_STATE_HOME is unset, empty or relative (as the XDG spec says)', () => {
    for (const xdg of [undefined, '', 'relative/state']) {
      expect(statePaths({ XDG_STATE_HOME: xdg, HOME: '/home/u' }).root).toBe('/home/u/.local/state/live-cli');
    }
  });
});

describe('private files and directories', () => {
  const previousUmask = process.umask();
  afterEach(() => {
    process.umask(previousUmask);
  });

  it('creates directories 0700 and tightens an existing looser one', () => {
    const base = mkdtempSync(join(tmpdir(), 'live-cli-paths-'));
    process.umask(0);
    const fresh = join(base, 'a', 'b');
    ensurePrivateDir(fresh);
    expect(mode(fresh)).toBe(0o700);
    const loose = join(base, 'loose');
    mkdirSync(loose, { mode: 0o755 });
    chmodSync(loose, 0o755);
    ensurePrivateDir(loose);
    expect(mode(loose)).toBe(0o700);
  });

  it('writes files 0600 whatever the umask, replacing an existing file atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-cli-paths-'));
    const path = join(dir, 'record.json');
    for (const umask of [0, 0o022, 0o277]) {
      process.umask(umask);
      writePrivateFileAtomic(path, `umask ${umask}`);
      expect(mode(path)).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toBe(`umask ${umask}`);
    }
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    writePrivateFileAtomic(path, 'new');
    expect(mode(path)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['record.json']); // no temp file left behind
  });

  it('opens logs for appending as 0600, tightening an existing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-cli-paths-'));
    const path = join(dir, 'log.jsonl');
    writeFileSync(path, 'first\n');
    chmodSync(path, 0o666);
    process.umask(0);
    const fd = openPrivateAppend(path);
    writeSync(fd, 'second\n');
    closeSync(fd);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
  });
});
