import type { LiveEvent } from '../core/events.js';
import type { LineWriter } from './stdout.js';

/**
 * One event a line, exactly the stream's events. Audio samples travel out of band (`pcm`) and are
 * never serialised: scripts get their size, rate and duration.
 */
export function serializeEvent(event: LiveEvent): string {
  return JSON.stringify(bounded(event, 0), (key, value: unknown) => (key === 'pcm' ? undefined : value));
}

/** Nesting below this depth (server `extra` fields a client cannot vouch for) is cut to a marker. */
export const MAX_EVENT_DEPTH = 6;
/** A longer string is cut, saying how much was left out: one line stays a line a reader can hold. */
export const MAX_EVENT_STRING = 64 * 1024;
export const MAX_EVENT_ITEMS = 1000;

/** The value with deep nesting and huge strings cut; the common small event is returned as it is. */
function bounded(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_EVENT_STRING ? value : `${value.slice(0, MAX_EVENT_STRING)}…[${value.length - MAX_EVENT_STRING} more characters]`;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (depth >= MAX_EVENT_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_EVENT_ITEMS).map((item: unknown) => bounded(item, depth + 1));
    return value.length <= MAX_EVENT_ITEMS ? items : [...items, `…[${value.length - MAX_EVENT_ITEMS} more items]`];
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = bounded(item, depth + 1);
  return out;
}

export function createNdjsonConsumer(out: LineWriter): (event: LiveEvent) => void {
  return (event) => out.write(serializeEvent(event) + '\n');
}
