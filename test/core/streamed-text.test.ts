// A key echoed back in streamed text is masked across the events it straddles, before any
// consumer sees them, and nothing held back is lost or delivered out of its stream's order.
import { describe, expect, it } from 'vitest';
import { EventStream, type LiveEvent } from '../../src/core/events.js';
import { registerSecret } from '../../src/core/redact.js';

const KEY = 'Qz9-streamed-secret-41c7';

function collect(): { events: EventStream; seen: LiveEvent[] } {
  const events = new EventStream();
  const seen: LiveEvent[] = [];
  events.on((event) => seen.push(event));
  return { events, seen };
}

const textsOf = (seen: LiveEvent[], type: LiveEvent['type']): string[] =>
  seen.filter((event) => event.type === type).map((event) => ('text' in event ? String(event.text) : ''));

describe('EventStream redacts streamed text across pieces', () => {
  registerSecret(KEY);

  it('masks a key split over transcript pieces, with audio interleaved, and keeps each piece its generation', () => {
    const { events, seen } = collect();
    events.emit({ type: 'transcript.output', text: 'the key is Qz9-str' }, 2);
    events.emit({ type: 'audio', bytes: 960, sampleRate: 24_000, ms: 20 }, 2);
    events.emit({ type: 'transcript.output', text: 'eamed-sec' }, 2);
    events.emit({ type: 'transcript.output', text: 'ret-41c7, ok' }, 2);
    events.emit({ type: 'turn.complete' }, 2);
    const joined = textsOf(seen, 'transcript.output').join('');
    expect(joined).toBe('the key is ***, ok');
    expect(JSON.stringify(seen)).not.toContain('Qz9-str');
    // The audio was not held up behind the text, and the text arrived before the turn ended.
    expect(seen.map((event) => event.type)).toEqual(['transcript.output', 'audio', 'transcript.output', 'turn.complete']);
    expect(seen.every((event) => event.conn === 2)).toBe(true);
  });

  it('lets a held tail out, in its own stream, before the event that ends the stream', () => {
    const { events, seen } = collect();
    events.emit({ type: 'transcript.input', text: 'I typed Qz', offsetMs: 40 }, 1);
    events.emit({ type: 'transcript.output', text: 'Sure' }, 1);
    events.emit({ type: 'generation.complete' }, 1);
    expect(seen.map((event) => [event.type, 'text' in event ? event.text : undefined])).toEqual([
      ['transcript.input', 'I typed '],
      ['transcript.output', 'Sure'],
      ['transcript.input', 'Qz'],
      ['generation.complete', undefined],
    ]);
    expect(seen[2]).toMatchObject({ offsetMs: 40, conn: 1 });
  });

  it('passes text that cannot begin a key straight through, and flush() empties what is held', () => {
    const { events, seen } = collect();
    events.emit({ type: 'text', text: 'nothing to hide' });
    expect(textsOf(seen, 'text')).toEqual(['nothing to hide']);
    events.emit({ type: 'thought', text: 'Q' });
    expect(textsOf(seen, 'thought')).toEqual([]);
    events.flush();
    expect(textsOf(seen, 'thought')).toEqual(['Q']);
  });
});
