import type { LiveEvent } from '../core/events.js';
import type { LineWriter } from './stdout.js';

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
        endLine();
        err.write(`live-cli: the model called tool "${event.name}", which live-cli does not provide; it was told so.\n`);
        break;
      case 'goaway':
        err.write(`live-cli: the server will end this connection in ${(event.timeLeftMs / 1000).toFixed(1)} s (goAway).\n`);
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
