import type { LiveEvent } from '../core/events.js';
import type { LineWriter } from './stdout.js';

/**
 * One event a line, exactly the stream's events. Audio samples travel out of band (`pcm`) and are
 * never serialised: scripts get their size, rate and duration.
 */
export function serializeEvent(event: LiveEvent): string {
  return JSON.stringify(event, (key, value: unknown) => (key === 'pcm' ? undefined : value));
}

export function createNdjsonConsumer(out: LineWriter): (event: LiveEvent) => void {
  return (event) => out.write(serializeEvent(event) + '\n');
}
