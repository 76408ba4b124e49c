import type { Key } from 'ink';
import type { TuiCommand } from './state/tui-store.js';

/** What the keyboard controls inside the App: the open input line (undefined when closed) and the help overlay. */
export interface KeyState {
  readonly draft: string | undefined;
  readonly help: boolean;
}

export interface KeyOutcome {
  readonly state: KeyState;
  readonly command?: TuiCommand;
}

export const INITIAL_KEY_STATE: KeyState = { draft: undefined, help: false };

// Control characters are never typed text (a pasted line break would otherwise end up in the message).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * One keypress (or one pasted string, which Ink delivers whole) to the next key state and at most
 * one command. Pure, so the key map is tested without a terminal. While the input line is open every
 * printable key is text; only Ctrl+C keeps its meaning.
 */
export function handleKey(state: KeyState, input: string, key: Key, pushToTalk: boolean, approving = false): KeyOutcome {
  if (key.ctrl && input === 'c') return { state, command: { type: 'quit' } };
  if (approving) {
    // A tool call waits for y/n: nothing else is typed into anything until it is answered.
    const answer = input.toLowerCase();
    if (answer === 'y') return { state, command: { type: 'approve', run: true } };
    if (answer === 'n' || key.escape) return { state, command: { type: 'approve', run: false } };
    return { state };
  }
  const enter = key.return || input === '\n';
  if (state.draft !== undefined) {
    if (key.escape) return { state: { ...state, draft: undefined } };
    if (enter) {
      const text = state.draft;
      return { state: { ...state, draft: undefined }, ...(text.length > 0 ? { command: { type: 'send-text', text } } : {}) };
    }
    if (key.backspace || key.delete) return { state: { ...state, draft: Array.from(state.draft).slice(0, -1).join('') } };
    if (key.ctrl || key.meta) return { state };
    if (/[\r\n]/.test(input)) {
      // Text and Enter in one read (a paste, or keys typed faster than they are read): the line so
      // far is sent, pasted line breaks becoming spaces; what follows the last one stays in the line.
      const lines = input.split(/\r\n|\r|\n/);
      const rest = (lines.pop() ?? '').replace(CONTROL, '');
      const text = (state.draft + lines.join(' ')).replace(CONTROL, '');
      const next = { ...state, draft: rest.length > 0 ? rest : undefined };
      return text.trim().length > 0 ? { state: next, command: { type: 'send-text', text } } : { state: next };
    }
    const typed = input.replace(CONTROL, '');
    return typed.length > 0 ? { state: { ...state, draft: state.draft + typed } } : { state };
  }
  if (key.escape) return { state: { ...state, help: false } };
  if (enter) return { state: { ...state, draft: '' } };
  if (input.length > 1 && (input[0] === '\r' || input[0] === '\n' || input[0] === 't')) {
    // Enter (or t) and the first keys of the line in one read: open the line and type the rest.
    return handleKey({ ...state, draft: '' }, input.slice(1), key, pushToTalk);
  }
  if (key.ctrl || key.meta) return { state };
  switch (input.toLowerCase()) {
    case '?':
      return { state: { ...state, help: !state.help } };
    case 't':
      return { state: { ...state, draft: '' } };
    case 'm':
      return { state, command: { type: 'toggle-mute' } };
    case 'q':
      return { state, command: { type: 'quit' } };
    case ' ':
      return pushToTalk ? { state, command: { type: 'toggle-talk' } } : { state };
    default:
      return { state };
  }
}
