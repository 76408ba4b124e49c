/**
 * Where the registry lives and how its files are written: `$XDG_STATE_HOME/live-cli/` (falling back
 * to `~/.local/state/live-cli/`), directories 0700 and files 0600 whatever the umask, records
 * replaced atomically (a temp file renamed over the old one), logs opened for appending.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface StatePaths {
  /** `$XDG_STATE_HOME/live-cli` */
  root: string;
  /** `<root>/sessions`: one `<id>.json` record and one `<id>.jsonl` log per session. */
  sessions: string;
}

/** The XDG spec says a relative or empty `XDG_STATE_HOME` is to be ignored. */
export function statePaths(env: NodeJS.ProcessEnv = process.env): StatePaths {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  const root = join(base, 'live-cli');
  return { root, sessions: join(root, 'sessions') };
}

/**
 * Creates the directory (and missing parents) and makes it 0700. Only the directory named is
 * chmod'd: a parent such as `~/.local/state` belongs to the user, not to us.
 */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(path, PRIVATE_DIR_MODE);
}

/**
 * Replaces `path` with `text` atomically: readers see the old file or the new one, never a part.
 * Not fsync'd: a killed process cannot tear it, and the records are cheap to lose on power failure
 * compared to an fsync on the event path.
 */
export function writePrivateFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE); // the umask may have taken bits away; we want exactly 0600
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Opens (creating when missing) a file for appending, mode 0600 even when it already existed.
 * Readable too (`a+`), so the caller can look at how the file ends.
 */
export function openPrivateAppend(path: string): number {
  const fd = openSync(path, 'a+', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}
