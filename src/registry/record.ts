/**
 * One session's record (`sessions/<id>.json`): what `sessions` lists and what `resume` needs. Pure
 * functions only: parsing at the file boundary, handle validity, the first words.
 */

/** Which kind of service the session talked to. Never a URL: a URL can carry a key. */
export type EndpointKind = 'gemini' | 'vertex' | 'sim';

export interface SessionRecord {
  /** Format version of this file. */
  schema: 1;
  id: string;
  model: string;
  endpoint: EndpointKind;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; missing while the session runs, or when its process was killed. */
  endedAt?: string;
  /** The newest resumption handle the server issued while the session was resumable. */
  lastHandle?: string;
  /** ISO 8601: when `lastHandle` arrived. */
  handleIssuedAt?: string;
  /** False once the handle is known to be unusable (the server rejected it, or ended the session for good). */
  resumable: boolean;
  modality?: 'audio' | 'text';
  systemInstruction?: string;
  /** The user's first words (typed or transcribed), about 60 characters; absent with `--no-log`. */
  firstWords?: string;
  /** The id of the session this one resumed. */
  resumedFrom?: string;
  /** Whether `<id>.jsonl` is written (false with `--no-log`). */
  log: boolean;
  /** The process that runs (or ran) the session: a record without `endedAt` whose pid lives is running. */
  pid?: number;
}

/** What a caller supplies to create a record; the registry fills in the rest. */
export type NewSessionRecord = Omit<SessionRecord, 'schema' | 'startedAt' | 'resumable' | 'log'> &
  Partial<Pick<SessionRecord, 'startedAt' | 'resumable' | 'log'>>;

/** Fields to change; a field set to `undefined` is removed. */
export type SessionPatch = Partial<Omit<SessionRecord, 'schema' | 'id'>>;

/**
 * The Gemini API keeps a session's state for about 2 hours after the session ends, and a handle
 * restores the state as of when it was issued. The estimate below counts from the later of the two
 * moments we know, so it can err short (a killed process ended after its last handle), never long.
 */
export const HANDLE_VALIDITY_MS = 2 * 60 * 60 * 1000;

/** Ids are file names: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id);
}

/** When the record's handle stops being usable (ms since the epoch), or undefined without one. */
export function handleExpiresAt(record: SessionRecord): number | undefined {
  if (!record.lastHandle || !record.resumable) return undefined;
  const issued = Date.parse(record.handleIssuedAt ?? record.startedAt);
  const ended = record.endedAt ? Date.parse(record.endedAt) : Number.NaN;
  const from = Number.isNaN(ended) ? issued : Math.max(issued, ended);
  return Number.isNaN(from) ? undefined : from + HANDLE_VALIDITY_MS;
}

/** Whether `resume` can expect the handle to be accepted: there is one, and within ~2 hours. */
export function handleValid(record: SessionRecord, now: number = Date.now()): boolean {
  const expires = handleExpiresAt(record);
  return expires !== undefined && now < expires;
}

/** When the session last did something we recorded: its end, else its last handle, else its start. */
export function lastActivityAt(record: SessionRecord): number {
  const times = [record.endedAt, record.handleIssuedAt, record.startedAt].map((value) => (value ? Date.parse(value) : Number.NaN));
  const known = times.filter((time) => !Number.isNaN(time));
  return known.length > 0 ? Math.max(...known) : 0;
}

export const FIRST_WORDS_LENGTH = 60;

/** Whitespace collapsed, cut at a word boundary near `limit` characters with an ellipsis. */
export function firstWordsOf(text: string, limit: number = FIRST_WORDS_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit);
  const space = cut.lastIndexOf(' ');
  return `${(space > limit / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const ENDPOINTS: readonly string[] = ['gemini', 'vertex', 'sim'];

/**
 * Reads a record file's JSON. Required fields must be there with the right types; optional fields
 * of the wrong type are dropped; unknown fields pass (a newer version may have written them).
 * Returns undefined for anything that is not a record.
 */
export function parseRecord(text: string): SessionRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw.id !== 'string' || !isSafeId(raw.id)) return undefined;
  if (typeof raw.model !== 'string' || typeof raw.startedAt !== 'string') return undefined;
  const record: Record<string, unknown> = { ...raw, schema: 1 };
  if (typeof raw.endpoint !== 'string' || !ENDPOINTS.includes(raw.endpoint)) record.endpoint = 'gemini';
  if (typeof raw.resumable !== 'boolean') record.resumable = false;
  if (typeof raw.log !== 'boolean') record.log = true;
  for (const key of ['endedAt', 'lastHandle', 'handleIssuedAt', 'systemInstruction', 'firstWords', 'resumedFrom', 'modality']) {
    if (key in raw && typeof raw[key] !== 'string') delete record[key];
  }
  if ('pid' in raw && (typeof raw.pid !== 'number' || !Number.isInteger(raw.pid))) delete record.pid;
  return record as unknown as SessionRecord;
}
