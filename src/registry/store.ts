/**
 * The session registry: one small JSON record per session under `$XDG_STATE_HOME/live-cli/sessions/`
 * (see record.ts), next to its JSONL log (see log.ts). Records are replaced atomically, so a reader
 * or a crash never sees half of one. Synchronous on purpose: the log listener runs inside the event
 * stream's synchronous fan-out, and the files are a few hundred bytes.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { ensurePrivateDir, statePaths, writePrivateFileAtomic, type StatePaths } from './paths.js';
import {
  handleValid,
  isSafeId,
  lastActivityAt,
  parseRecord,
  type NewSessionRecord,
  type SessionPatch,
  type SessionRecord,
} from './record.js';

/** What `resume <handle|id|last>` continues: a handle, and the session it belongs to when known. */
export interface ResolvedSession {
  handle: string;
  id?: string;
  record?: SessionRecord;
}

export interface PruneOptions {
  /** Keep sessions whose last activity is more recent than this, resumable or not. Default 0. */
  olderThanMs?: number;
  now?: number;
}

/** A session id as `newSessionId` makes them (`20261130-142522-3f9a1c`), or a beginning of one. */
const ID_SHAPED = /^(?:\d{1,8}|\d{8}-\d{0,6}|\d{8}-\d{6}-[0-9a-f]{0,6})$/;

/** Temp files older than this are leftovers of a killed writer. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export class SessionRegistry {
  readonly paths: StatePaths;

  constructor(paths: StatePaths) {
    this.paths = paths;
  }

  recordPath(id: string): string {
    return join(this.paths.sessions, `${checkedId(id)}.json`);
  }

  logPath(id: string): string {
    return join(this.paths.sessions, `${checkedId(id)}.jsonl`);
  }

  /** Creates the state directories (0700). Reading never creates them; writing calls this. */
  ensureDirs(): void {
    ensurePrivateDir(this.paths.root);
    ensurePrivateDir(this.paths.sessions);
  }

  /** Writes a new record; `startedAt` defaults to now, `resumable` to false, `log` to true, `pid` to ours. */
  create(record: NewSessionRecord): SessionRecord {
    const full: SessionRecord = {
      schema: 1,
      pid: process.pid,
      ...record,
      startedAt: record.startedAt ?? new Date().toISOString(),
      resumable: record.resumable ?? false,
      log: record.log ?? true,
    };
    checkedId(full.id);
    this.ensureDirs();
    this.write(full);
    return full;
  }

  /** Merges `patch` into the stored record and writes it back atomically. Unknown id: CliError('usage'). */
  update(id: string, patch: SessionPatch): SessionRecord {
    const current = this.get(id);
    if (!current) throw unknownSession(id);
    const next = { ...current, ...patch, id: current.id, schema: 1 } as SessionRecord;
    for (const key of Object.keys(next) as Array<keyof SessionRecord>) if (next[key] === undefined) delete next[key];
    this.write(next);
    return next;
  }

  get(id: string): SessionRecord | undefined {
    let text: string;
    try {
      text = readFileSync(this.recordPath(id), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const record = parseRecord(text);
    return record?.id === id ? record : undefined;
  }

  /** Every readable record, newest first (by start time, then id). Unreadable records are skipped. */
  list(): SessionRecord[] {
    const records: SessionRecord[] = [];
    for (const name of this.fileNames()) {
      const id = name.slice(0, -'.json'.length);
      if (!name.endsWith('.json') || !isSafeId(id)) continue;
      const record = this.get(id);
      if (record) records.push(record);
    }
    return records.sort((a, b) => compareDesc(Date.parse(a.startedAt) || 0, Date.parse(b.startedAt) || 0) || compareDesc(a.id, b.id));
  }

  /** A session by exact id or unique id prefix; one-line CliError('usage') otherwise. */
  find(ref: string): SessionRecord {
    const records = this.list();
    if (ref.length === 0) throw new CliError('usage', 'no session id given: `live-cli sessions` lists them');
    if (records.length === 0) throw noSessions();
    const exact = records.find((record) => record.id === ref);
    if (exact) return exact;
    const matches = records.filter((record) => record.id.startsWith(ref));
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1) throw ambiguous(ref, matches);
    throw unknownSession(ref);
  }

  /** Removes the record and the log. Returns whether there was anything to remove. */
  remove(id: string): boolean {
    const paths = [this.recordPath(id), this.logPath(id)];
    const existed = paths.some((path) => existsSync(path));
    for (const path of paths) rmSync(path, { force: true });
    return existed;
  }

  /**
   * Removes every session that can no longer be resumed (no handle, a handle past its ~2-hour
   * validity, or one known to be rejected) and is not running, once its last activity is older
   * than `olderThanMs` (default 0: as soon as it cannot be resumed). Also removes what no listing
   * shows: unreadable records, logs without a record, and temp files of killed writers.
   * Returns the removed records, newest first.
   */
  prune(options: PruneOptions = {}): SessionRecord[] {
    const now = options.now ?? Date.now();
    const olderThanMs = options.olderThanMs ?? 0;
    const removed: SessionRecord[] = [];
    for (const record of this.list()) {
      if (handleValid(record, now) || isRunning(record)) continue;
      if (now - lastActivityAt(record) < olderThanMs) continue;
      this.remove(record.id);
      removed.push(record);
    }
    const names = new Set(this.fileNames());
    for (const name of names) {
      const path = join(this.paths.sessions, name);
      if (name.startsWith('.')) {
        if (name.endsWith('.tmp') && now - mtimeOf(path) > STALE_TEMP_MS) rmSync(path, { force: true });
      } else if (name.endsWith('.json')) {
        const id = name.slice(0, -'.json'.length);
        if (!isSafeId(id) || !this.get(id)) rmSync(path, { force: true });
      } else if (name.endsWith('.jsonl')) {
        if (!names.has(`${name.slice(0, -'.jsonl'.length)}.json`)) rmSync(path, { force: true });
      }
    }
    return removed;
  }

  /**
   * What `resume <ref>` continues. `last`: the newest session with a handle. A session id or a
   * unique prefix of one: that session's handle. Anything else is taken as a raw handle (matched to
   * its session when a record holds it). One-line CliError('usage') when there are no sessions, the
   * id is unknown or ambiguous, or the session has no handle. Whether the handle is still within its
   * validity is for the caller to say (`handleValid`): the estimate is approximate, and the server
   * has the last word.
   */
  resolve(ref: string): ResolvedSession {
    const trimmed = ref.trim();
    if (trimmed.length === 0) throw new CliError('usage', 'resume needs a handle, a session id or `last`');
    const records = this.list();
    if (trimmed === 'last') {
      if (records.length === 0) throw noSessions();
      const newest = records.find((record) => record.lastHandle);
      if (!newest) throw new CliError('usage', 'no recorded session has a resumption handle yet: start one with `live-cli chat`');
      return withHandle(newest);
    }
    const exact = records.find((record) => record.id === trimmed);
    if (exact) return withHandle(exact);
    const holder = records.find((record) => record.lastHandle === trimmed);
    if (holder) return { handle: trimmed, id: holder.id, record: holder };
    const matches = records.filter((record) => record.id.startsWith(trimmed));
    if (matches.length === 1 && matches[0]) return withHandle(matches[0]);
    if (matches.length > 1) throw ambiguous(trimmed, matches);
    if (ID_SHAPED.test(trimmed)) throw records.length === 0 ? noSessions() : unknownSession(trimmed);
    return { handle: trimmed };
  }

  private write(record: SessionRecord): void {
    // The key never reaches a record through our code; redact anyway, in case a user pasted it
    // into a system instruction.
    writePrivateFileAtomic(this.recordPath(record.id), redact(JSON.stringify(record, null, 2)) + '\n');
  }

  private fileNames(): string[] {
    try {
      return readdirSync(this.paths.sessions);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }
}

/** The registry of this user (`$XDG_STATE_HOME/live-cli`). Creates nothing until something is written. */
export function openRegistry(env: NodeJS.ProcessEnv = process.env): SessionRegistry {
  return new SessionRegistry(statePaths(env));
}

/** A record without `endedAt` whose process still exists: a session running now (on this machine). */
export function isRunning(record: SessionRecord): boolean {
  if (record.endedAt !== undefined || record.pid === undefined) return false;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function withHandle(record: SessionRecord): ResolvedSession {
  if (!record.lastHandle) {
    throw new CliError('usage', `session ${record.id} has no resumption handle (the server issued none before it ended): start a new one with \`live-cli chat\``);
  }
  return { handle: record.lastHandle, id: record.id, record };
}

function checkedId(id: string): string {
  if (!isSafeId(id)) throw new CliError('usage', `"${id}" is not a session id: \`live-cli sessions\` lists them`);
  return id;
}

function noSessions(): CliError {
  return new CliError('usage', 'no sessions recorded yet: start one with `live-cli chat`');
}

function unknownSession(ref: string): CliError {
  return new CliError('usage', `no session "${ref}": \`live-cli sessions\` lists them`);
}

function ambiguous(ref: string, matches: SessionRecord[]): CliError {
  const shown = matches.slice(0, 3).map((record) => record.id).join(', ');
  return new CliError('usage', `"${ref}" matches ${matches.length} sessions (${shown}${matches.length > 3 ? ', …' : ''}): give more of the id`);
}

function compareDesc(a: number | string, b: number | string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}
