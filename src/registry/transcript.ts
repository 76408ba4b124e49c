/**
 * Reading a session log back: every event, or just the conversation (what `sessions show` prints
 * and what `resume` replays with `history: true`). Tolerant by design: a writer killed mid-line
 * leaves a torn line, which is skipped, as is any other line that is not an event.
 */
import { readFileSync } from 'node:fs';
import type { EventInput, LiveEvent } from '../core/events.js';
import type { SessionRegistry } from './store.js';

export const TRANSCRIPT_TYPES = ['user.text', 'transcript.input', 'transcript.output', 'text'] as const;

export type TranscriptEventType = (typeof TRANSCRIPT_TYPES)[number];

/** A piece of the conversation, as logged: pieces are kept as they arrived, never joined. */
export type TranscriptEvent = Extract<LiveEvent, { type: TranscriptEventType }>;

const transcriptTypes: ReadonlySet<string> = new Set(TRANSCRIPT_TYPES);

export function isTranscriptEvent(event: LiveEvent): event is TranscriptEvent {
  return transcriptTypes.has(event.type);
}

/** Parses JSONL text into events, skipping blank, torn and non-event lines. Pure. */
export function parseLogLines(text: string): LiveEvent[] {
  const events: LiveEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const event = value as Record<string, unknown>;
    if (typeof event.type !== 'string') continue;
    if (transcriptTypes.has(event.type) && typeof event.text !== 'string') continue;
    events.push(value as LiveEvent);
  }
  return events;
}

/** Every logged event of the session, in order; [] when it has no log (`--no-log`) or no such file. */
export function readSessionLog(registry: SessionRegistry, id: string): LiveEvent[] {
  let text: string;
  try {
    text = readFileSync(registry.logPath(id), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseLogLines(text);
}

/** The earlier conversation: `user.text`, `transcript.input`, `transcript.output` and `text`, in order. */
export function readTranscript(registry: SessionRegistry, id: string): TranscriptEvent[] {
  return readSessionLog(registry, id).filter(isTranscriptEvent);
}

/**
 * The transcript as `resume` replays it, every event marked `history: true` (the contract names
 * `transcript.*`; typed turns and TEXT replies keep their own types, `user.text` and `text`, so a
 * reader sees the turns as they were). Connection and server extras are dropped; the emitter stamps
 * `t` and `conn` afresh.
 */
export function historyEvents(transcript: readonly TranscriptEvent[]): EventInput[] {
  // Each kind keeps its type (typed turns stay turns, text replies stay text), marked as history.
  return transcript.map((event): EventInput => ({ type: event.type, text: event.text, history: true }));
}
