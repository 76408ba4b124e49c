import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { handleKey, INITIAL_KEY_STATE } from '../../src/ui/keys.js';

const plain = { return: false, escape: false, backspace: false, delete: false, ctrl: false, meta: false } as Key;

describe('handleKey: text and Enter arriving in one read', () => {
  it('sends the line when a read carries its text and the Enter together', () => {
    const open = handleKey(INITIAL_KEY_STATE, 't', plain, false).state;
    const outcome = handleKey({ ...open, draft: 'what is ' }, 'the weather\r', plain, false);
    expect(outcome.command).toEqual({ type: 'send-text', text: 'what is the weather' });
    expect(outcome.state.draft).toBeUndefined();
  });

  it('joins pasted lines with spaces and keeps what follows the last break in the line', () => {
    const outcome = handleKey({ draft: '', help: false }, 'one\ntwo\r\nthree', plain, false);
    expect(outcome.command).toEqual({ type: 'send-text', text: 'one two' });
    expect(outcome.state.draft).toBe('three');
  });

  it('sends nothing for a blank pasted line', () => {
    const outcome = handleKey({ draft: '', help: false }, '  \r', plain, false);
    expect(outcome.command).toBeUndefined();
    expect(outcome.state.draft).toBeUndefined();
  });

  it('opens the line when Enter and the first keys of the line arrive together', () => {
    const outcome = handleKey(INITIAL_KEY_STATE, '\rhello\r', plain, false);
    expect(outcome.command).toEqual({ type: 'send-text', text: 'hello' });
  });
});
