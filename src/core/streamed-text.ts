import { redact, secretPrefixAtEnd } from './redact.js';
import type { EventInput } from './events.js';

/**
 * A key a server echoes back in streamed text can straddle two events: the service transcribes in
 * subword pieces, so `AIzaSy…` may arrive as `AIza` then `Sy…`. Each consumer masks what it prints,
 * but a script joining a stream's pieces (or the TUI, or the session log) would rebuild the key.
 * So each stream's text is redacted as one text: a tail that could begin a secret waits for the
 * stream's next piece, or goes out on its own before the next event that ends the stream.
 */
const STREAMED = new Set<EventInput['type']>(['transcript.input', 'transcript.output', 'text', 'thought']);

/** Events that arrive in the middle of a stream's text without ending it (audio is interleaved with its transcript). */
const INTERLEAVED = new Set<EventInput['type']>(['audio', 'usage', 'resumption', 'goaway', 'playback.flushed']);

type StreamedInput = Extract<EventInput, { type: 'transcript.input' | 'transcript.output' | 'text' | 'thought' }>;

function isStreamed(input: EventInput): input is StreamedInput {
  return STREAMED.has(input.type);
}

export class StreamedTextGuard {
  /** Per stream (type and file): the held tail, carried in the event whose text it ended. */
  private readonly held = new Map<string, StreamedInput>();

  /** The events to deliver now, in order, for one produced event (none while all of its text is held). */
  admit<T extends EventInput>(input: T): EventInput[] {
    if (!isStreamed(input)) return INTERLEAVED.has(input.type) ? [input] : [...this.flush(), input];
    const key = `${input.type}\u0000${input.file ?? ''}`;
    const before = this.held.get(key);
    this.held.delete(key);
    const text = redact((before?.text ?? '') + input.text);
    const hold = secretPrefixAtEnd(text);
    if (hold > 0) this.held.set(key, { ...input, text: text.slice(text.length - hold) });
    if (hold === text.length) return [];
    return [{ ...input, text: text.slice(0, text.length - hold) }];
  }

  /** Every held tail, as events of its own stream: nothing produced is lost. */
  flush(): EventInput[] {
    const rest = [...this.held.values()];
    this.held.clear();
    return rest;
  }
}
