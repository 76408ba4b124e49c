/**
 * What the server says twice after a resume. A handle captures the session as of some client
 * message; everything the server produced after it (input transcription of later audio, a reply
 * to a later user turn) is forgotten with the old connection, and the resumed connection produces
 * it again from the input the client re-sends. The user already saw (and heard) the first copy, so
 * the repeat is dropped here: pure bookkeeping over the event stream, no I/O.
 *
 * - While connected, everything delivered since the newest resumable handle arrived is noted:
 *   input transcript pieces, and the output (text or transcript) and audio of model turns.
 * - On a resume, that note becomes the expected echo. As many incoming input pieces as were
 *   delivered since the handle are dropped (they transcribe the same re-sent audio); incoming model output is dropped while its text is a prefix of
 *   what was delivered (a piece that runs past the end is cut to its new part), with audio up to
 *   the duration already played. The first difference ends the echo: from there on everything
 *   passes, so a reply that really is new (the server kept the turn, or the model says something
 *   else) is never hidden beyond the part the user already got.
 */
import type { MappedEvent } from './messages.js';

interface Delivered {
  inputPieces: string[];
  outputText: string;
  outputAudioMs: number;
}

function empty(): Delivered {
  return { inputPieces: [], outputText: '', outputAudioMs: 0 };
}

export interface EchoCounts {
  /** Input transcript pieces dropped as repeats. */
  inputPieces: number;
  /** Characters of model output dropped as repeats. */
  outputChars: number;
  /** Milliseconds of model audio dropped as repeats. */
  audioMs: number;
}

export class ReplayEcho {
  private delivered = empty();
  /** What the resumed connection is expected to repeat; undefined when nothing is expected. */
  private expected: Delivered | undefined;
  /** Output text of the current (echoing) model turn so far. */
  private echoText = '';
  readonly dropped: EchoCounts = { inputPieces: 0, outputChars: 0, audioMs: 0 };

  /**
   * A resumable handle arrived: the server's state now holds everything it sent on this
   * connection, echoes included. What it has not repeated yet of an earlier connection's output
   * stays expected.
   */
  handle(): void {
    this.delivered = empty();
    if (this.expected) this.expected = this.remainder(this.expected);
  }

  /** A new connection resumes the session with the newest handle. */
  resumed(): void {
    // The server goes on from the handle: first what it sent since (on the connection just lost),
    // then what it had not yet repeated of before.
    const rest = this.expected ? this.remainder(this.expected) : empty();
    const delivered = this.delivered;
    const expected: Delivered = {
      inputPieces: [...delivered.inputPieces, ...rest.inputPieces],
      outputText: delivered.outputText + rest.outputText,
      outputAudioMs: delivered.outputAudioMs + rest.outputAudioMs,
    };
    this.expected = expected.inputPieces.length > 0 || expected.outputText !== '' ? expected : undefined;
    this.delivered = empty();
  }

  /** The part of an expectation not yet repeated. */
  private remainder(expected: Delivered): Delivered {
    const rest = { ...expected, inputPieces: [...expected.inputPieces], outputText: expected.outputText.slice(this.echoText.length) };
    this.echoText = '';
    return rest;
  }

  /** A fresh session (no handle): it repeats nothing of the old one, it knows nothing of it. */
  restarted(): void {
    this.expected = undefined;
    this.delivered = empty();
  }

  /** Filters one event of the current connection: [] drops it; otherwise what to emit. */
  filter(event: MappedEvent): MappedEvent[] {
    const passed = this.expected ? this.match(event, this.expected) : event;
    // A dropped repeat still counts as delivered: the user has it, and if this connection is lost
    // too, the next one repeats it again.
    this.note(event);
    return passed ? [passed] : [];
  }

  private match(event: MappedEvent, expected: Delivered): MappedEvent | undefined {
    switch (event.type) {
      case 'transcript.input': {
        // Pieces the server sent after the handle came from audio the handle does not hold; the
        // resumed connection transcribes that same (re-sent) audio again, piece for piece. The
        // text can differ (a re-sent stretch may have reached the server twice), but the user
        // already has a transcript of that audio: the first that-many pieces are dropped.
        if (expected.inputPieces.length > 0) {
          expected.inputPieces.shift();
          this.dropped.inputPieces++;
          if (expected.inputPieces.length === 0 && expected.outputText === '') this.expected = undefined;
          return undefined;
        }
        break;
      }
      case 'transcript.output':
      case 'text': {
        if (expected.outputText === '') break;
        const sofar = this.echoText + event.text;
        if (expected.outputText.startsWith(sofar)) {
          this.echoText = sofar;
          this.dropped.outputChars += event.text.length;
          return undefined;
        }
        const whole = expected.outputText;
        const rest = whole.slice(this.echoText.length);
        this.endOutputEcho(expected);
        if (sofar.startsWith(whole)) {
          // Past the end of what was delivered: only the new part goes out.
          this.dropped.outputChars += rest.length;
          return { ...event, text: event.text.slice(rest.length) };
        }
        break;
      }
      case 'audio': {
        if (expected.outputText === '' || expected.outputAudioMs <= 0) break;
        expected.outputAudioMs -= event.ms;
        // Only once the turn's text has begun to repeat is its audio known to be the same reply.
        if (this.echoText === '') break;
        this.dropped.audioMs += event.ms;
        return undefined;
      }
      case 'turn.complete':
      case 'interrupted':
        // The echoing turn is over (the repeat may have been cut short again): nothing more of it to expect.
        this.endOutputEcho(expected);
        break;
      default:
        break;
    }
    if (expected.inputPieces.length === 0 && expected.outputText === '') this.expected = undefined;
    return event;
  }

  private endOutputEcho(expected: Delivered): void {
    expected.outputText = '';
    expected.outputAudioMs = 0;
    this.echoText = '';
  }

  private note(event: MappedEvent): void {
    switch (event.type) {
      case 'transcript.input':
        this.delivered.inputPieces.push(event.text);
        break;
      case 'transcript.output':
      case 'text':
        this.delivered.outputText += event.text;
        break;
      case 'audio':
        this.delivered.outputAudioMs += event.ms;
        break;
      default:
        break;
    }
  }
}
