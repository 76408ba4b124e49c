import type { LiveEvent } from '../core/events.js';
import type { LineWriter } from './stdout.js';
import { toolLine } from './tool-lines.js';

type Speaker = 'user' | 'model' | 'thought';

const labels: Record<Speaker, string> = { user: 'you', model: 'gemini', thought: 'gemini (thinking)' };

/**
 * A readable transcript on stdout for headless runs without `--json`. Transcription pieces are
 * streamed as they arrive (concatenated exactly as received) under a speaker label; a new label
 * starts whenever the speaker changes or a turn completes. Diagnostics go to `err` (stderr).
 */
export function createTextConsumer(out: LineWriter, err: LineWriter): (event: LiveEvent) => void {
  let speaker: Speaker | undefined;
  let lineOpen = false;
  const status = createStatusConsumer(err);

  const endLine = (): void => {
    if (lineOpen) out.write('\n');
    lineOpen = false;
    speaker = undefined;
  };
  const piece = (who: Speaker, text: string): void => {
    if (text.length === 0) return;
    if (speaker !== who) {
      endLine();
      out.write(`${labels[who]}: `);
      speaker = who;
    }
    out.write(text);
    lineOpen = true;
  };

  return (event) => {
    switch (event.type) {
      case 'user.text':
        endLine();
        out.write(`${labels.user}: ${event.text}\n`);
        break;
      case 'user.image':
        endLine();
        out.write(`${labels.user}: [image ${event.name}]\n`);
        break;
      case 'transcript.input':
        piece('user', event.text);
        break;
      case 'transcript.output':
      case 'text':
        piece('model', event.text);
        break;
      case 'thought':
        piece('thought', event.text);
        break;
      case 'interrupted':
        if (lineOpen) out.write(' [interrupted]');
        endLine();
        break;
      case 'turn.complete':
        if (event.reason) out.write(` [${event.reason}]`);
        endLine();
        break;
      case 'tool.call':
      case 'tool.result':
      case 'tool.error':
      case 'tool.cancelled':
      case 'grounding':
      case 'code':
      case 'code.result':
        endLine();
        out.write(`${toolLine(event) ?? ''}\n`);
        break;
      case 'goaway':
      case 'reconnecting':
      case 'resumed':
        status(event);
        break;
      case 'error':
        endLine();
        err.write(`live-cli: ${event.message}\n`);
        break;
      case 'session.end':
        endLine();
        break;
      default:
        break;
    }
  };
}

/** One stderr line for each connection change: goAway countdown, reconnect attempts, resumption. */
export function statusLine(event: LiveEvent): string | undefined {
  switch (event.type) {
    case 'goaway':
      return `live-cli: the server will end connection ${event.conn} in ${(event.timeLeftMs / 1000).toFixed(1)} s (goAway); handing over to a new connection`;
    case 'reconnecting': {
      const why =
        event.reason === 'goaway'
          ? 'handing over after goAway'
          : event.reason === 'quota'
            ? 'rate limited'
            : event.reason === 'connect-failed'
              ? 'the reconnect failed'
              : 'the connection was lost';
      const code = event.closeCode === undefined ? '' : ` (close ${event.closeCode})`;
      return `live-cli: ${why}${code}; reconnecting (attempt ${event.attempt})`;
    }
    case 'resumed': {
      const replayed = event.replayedBytes > 0 || event.replayedTurns > 0
        ? `, re-sent ${(event.replayedBytes / 32).toFixed(0)} ms of audio and ${event.replayedTurns} text turn${event.replayedTurns === 1 ? '' : 's'}`
        : '';
      return `live-cli: resumed on connection ${event.conn} after ${event.gapMs} ms${replayed}`;
    }
    default:
      return undefined;
  }
}

/**
 * The status lines alone, for `--json` runs: stdout carries the same events as NDJSON, and a person
 * watching stderr still sees the countdown and the reconnects.
 */
export function createStatusConsumer(err: LineWriter): (event: LiveEvent) => void {
  return (event) => {
    const line = statusLine(event);
    if (line) err.write(`${line}\n`);
  };
}
