import { describe, expect, it } from 'vitest';
import type { MappedEvent } from '../../src/live/messages.js';
import { ReplayEcho } from '../../src/live/replay-echo.js';

const out = (text: string): MappedEvent => ({ type: 'transcript.output', text });
const input = (text: string): MappedEvent => ({ type: 'transcript.input', text });
const audio = (ms: number): MappedEvent => ({ type: 'audio', bytes: ms * 48, sampleRate: 24_000, ms });
const done: MappedEvent = { type: 'turn.complete' };

function pass(echo: ReplayEcho, events: MappedEvent[]): MappedEvent[] {
  return events.flatMap((event) => echo.filter(event));
}

describe('ReplayEcho: what a resumed connection repeats is dropped', () => {
  it('a reply cut after the handle: its repeat is dropped up to where it was cut, the rest continues', () => {
    const echo = new ReplayEcho();
    echo.handle();
    pass(echo, [input(' 3.62s]'), out('I heard'), audio(80), out(' speech #1,')]);
    echo.resumed();
    const shown = pass(echo, [input(' 3.62s]'), out('I heard'), audio(80), out(' speech #1,'), audio(80), out(' 3.62 seconds.'), done]);
    expect(shown).toEqual([audio(80), out(' 3.62 seconds.'), done]);
    expect(echo.dropped).toMatchObject({ inputPieces: 1, outputChars: 'I heard speech #1,'.length });
  });

  it('a piece that runs past what was delivered is cut to its new part', () => {
    const echo = new ReplayEcho();
    pass(echo, [out('I hea')]);
    echo.resumed();
    expect(pass(echo, [out('I heard you')])).toEqual([out('rd you')]);
  });

  it('a different reply passes whole from the first difference', () => {
    const echo = new ReplayEcho();
    pass(echo, [out('I heard')]);
    echo.resumed();
    expect(pass(echo, [out('Something else')])).toEqual([out('Something else')]);
  });

  it('nothing delivered after the newest handle: nothing is expected', () => {
    const echo = new ReplayEcho();
    pass(echo, [out('You said: one'), done]);
    echo.handle();
    echo.resumed();
    expect(pass(echo, [out('You said: two')])).toEqual([out('You said: two')]);
  });

  it('lost again while repeating: the next connection is expected to repeat it all again', () => {
    const echo = new ReplayEcho();
    pass(echo, [out('I heard speech #2')]);
    echo.resumed();
    expect(pass(echo, [out('I heard')])).toEqual([]);
    // A handle issued mid-repeat holds nothing past where the repeat had got to.
    echo.handle();
    echo.resumed();
    expect(pass(echo, [out(' speech #2'), out(', 4.00 seconds.')])).toEqual([out(', 4.00 seconds.')]);
  });

  it('a fresh session (no handle) repeats nothing', () => {
    const echo = new ReplayEcho();
    pass(echo, [out('I heard')]);
    echo.restarted();
    expect(pass(echo, [out('I heard')])).toEqual([out('I heard')]);
  });
});
