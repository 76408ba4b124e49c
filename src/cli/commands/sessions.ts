import type { Runtime } from '../runtime.js';
import { CliError, ExitCode } from '../../core/errors.js';
import type { LiveEvent } from '../../core/events.js';
import { redact } from '../../core/redact.js';
import { serializeEvent } from '../../output/ndjson.js';
import { createTextConsumer } from '../../output/text.js';
import { handleExpiresAt, handleValid, type SessionRecord } from '../../registry/record.js';
import { isRunning, openRegistry, type SessionRegistry } from '../../registry/store.js';
import { isTranscriptEvent, readSessionLog } from '../../registry/transcript.js';

export type SessionsAction = 'list' | 'show' | 'rm' | 'prune';

export interface SessionsOptions {
  /** Where the registry is (`XDG_STATE_HOME`, `HOME`); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The wall clock, ms since the epoch (tests). */
  now?: number;
}

/**
 * `live-cli sessions [list|show ID|rm ID|prune]`: the session registry. `--json` prints one JSON
 * object per session per line (`show --json`: the transcript's events, one per line). An unknown
 * or ambiguous id is a one-line usage error (exit 2).
 */
export async function runSessions(
  action: SessionsAction,
  arg: string | undefined,
  json: boolean,
  runtime: Runtime,
  options: SessionsOptions = {},
): Promise<number> {
  const registry = openRegistry(options.env ?? process.env);
  const now = options.now ?? Date.now();
  try {
    switch (action) {
      case 'list':
        listSessions(registry, json, runtime, now);
        break;
      case 'show':
        showSession(registry, registry.find(requireId(action, arg)), json, runtime);
        break;
      case 'rm': {
        const record = registry.find(requireId(action, arg));
        registry.remove(record.id);
        runtime.stdout.write(json ? sessionLine(record, now, { removed: true }) : `removed ${record.id}\n`);
        break;
      }
      case 'prune': {
        const removed = registry.prune({ now });
        for (const record of removed) {
          runtime.stdout.write(json ? sessionLine(record, now, { removed: true }) : `removed ${record.id}  (${handleState(record, now)}, ${formatAge(now - Date.parse(record.startedAt))})\n`);
        }
        if (!json && removed.length === 0) runtime.stderr.write('live-cli: nothing to prune: every recorded session can still be resumed\n');
        break;
      }
      default:
        throw new CliError('usage', `unknown sessions action "${String(action)}": use list, show ID, rm ID or prune`);
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    runtime.stderr.write(`live-cli: ${redact(error.message)}\n`);
    return error.exitCode;
  }
  await runtime.stdout.drain();
  return ExitCode.ok;
}

function requireId(action: SessionsAction, arg: string | undefined): string {
  if (!arg) throw new CliError('usage', `sessions ${action} needs a session id: \`live-cli sessions\` lists them`);
  return arg;
}

function listSessions(registry: SessionRegistry, json: boolean, runtime: Runtime, now: number): void {
  const records = registry.list();
  if (json) {
    for (const record of records) runtime.stdout.write(sessionLine(record, now));
    return;
  }
  if (records.length === 0) {
    runtime.stderr.write('live-cli: no sessions recorded yet: start one with `live-cli chat`\n');
    return;
  }
  const rows = records.map((record) => [
    record.id,
    formatAge(now - Date.parse(record.startedAt)),
    record.model,
    handleState(record, now),
    record.firstWords ?? (record.log ? '' : '(not logged)'),
  ]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of rows) {
    const line = row.map((cell, column) => (column < 4 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ');
    runtime.stdout.write(line.trimEnd() + '\n');
  }
}

/** The record as scripts see it: every stored field, plus what follows from it now. */
function sessionLine(record: SessionRecord, now: number, more: Record<string, unknown> = {}): string {
  const expires = handleExpiresAt(record);
  const object = {
    type: 'session',
    ...record,
    handleValid: handleValid(record, now),
    ...(expires !== undefined ? { handleExpiresAt: new Date(expires).toISOString() } : {}),
    running: isRunning(record),
    ...more,
  };
  return redact(JSON.stringify(object)) + '\n';
}

/** Shown in the listing: what `resume` would meet. */
function handleState(record: SessionRecord, now: number): string {
  if (isRunning(record)) return 'running';
  const expires = handleExpiresAt(record);
  if (expires !== undefined && now < expires) return `resumable (${formatDuration(expires - now)} left)`;
  if (expires !== undefined) return 'expired';
  return record.lastHandle ? 'not resumable' : 'no handle';
}

/** Events `show` needs for a readable transcript: the conversation and where its turns end. */
const SHOWN: ReadonlySet<LiveEvent['type']> = new Set<LiveEvent['type']>(['turn.complete', 'interrupted']);

function showSession(registry: SessionRegistry, record: SessionRecord, json: boolean, runtime: Runtime): void {
  const events = readSessionLog(registry, record.id);
  const transcript = events.filter(isTranscriptEvent);
  if (json) {
    for (const event of transcript) runtime.stdout.write(redact(serializeEvent(event)) + '\n');
  } else {
    const print = createTextConsumer(runtime.stdout, runtime.stderr);
    for (const event of events) if (isTranscriptEvent(event) || SHOWN.has(event.type)) print(event);
    print({ type: 'session.end', id: record.id, t: 0, conn: 0 }); // ends an open line
  }
  if (transcript.length === 0) {
    runtime.stderr.write(
      record.log ? `live-cli: session ${record.id} has no transcript yet\n` : `live-cli: session ${record.id} was recorded with --no-log: there is no transcript\n`,
    );
  }
}

/** "just now", "42s ago", "3m ago", "5h ago", "2d ago". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** "1h57m", "42m", "30s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${seconds}s`;
}
