import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/app.js';
import { TuiStore, type TuiCommand, type TuiSettings } from '../../src/ui/state/tui-store.js';
import { delay, eventsUntil, feed, hasAnsi, loadEvents, manualClock, stripAnsi, waitFor } from './helpers.js';

let mounted: Array<() => void> = [];
afterEach(() => {
  for (const unmount of mounted) unmount();
  mounted = [];
});

async function mount(settings: Partial<TuiSettings> = {}, props: { color?: boolean; fps?: number } = {}) {
  const clock = manualClock();
  const store = new TuiStore({ model: 'gemini-test', mic: 'live', pushToTalk: false, now: clock.now, ...settings });
  const commands: TuiCommand[] = [];
  const rendered = render(<App store={store} onCommand={(command) => commands.push(command)} {...props} />);
  mounted.push(rendered.unmount);
  // useInput starts reading stdin in an effect, after the first render.
  await waitFor(() => rendered.stdin.listenerCount('readable') > 0);
  const keys = async (...inputs: string[]): Promise<void> => {
    for (const input of inputs) {
      rendered.stdin.write(input);
      await delay(5);
    }
  };
  const text = (): string => stripAnsi(rendered.lastFrame() ?? '');
  return { store, clock, commands, keys, text, rendered };
}

describe('App keys', () => {
  it('maps m, q, Ctrl+C to commands; Space only under push-to-talk', async () => {
    const { commands, keys } = await mount();
    await keys('m', 'q', '\u0003', ' ');
    expect(commands).toEqual([{ type: 'toggle-mute' }, { type: 'quit' }, { type: 'quit' }]);
    const ptt = await mount({ pushToTalk: true, mic: 'ptt-idle' });
    await ptt.keys(' ', ' ');
    expect(ptt.commands).toEqual([{ type: 'toggle-talk' }, { type: 'toggle-talk' }]);
  });

  it('types a line where m, q, ? and Space are characters, Backspace edits, Enter sends exactly it', async () => {
    const { commands, keys, text } = await mount();
    await keys('t', 'h', 'i', ' ', 'm', 'q', '?', 'x', '\u007f');
    expect(commands).toEqual([]);
    await waitFor(() => text().includes('> hi mq?▌'));
    expect(text()).toContain('Enter send · Esc cancel');
    await keys('\r');
    expect(commands).toEqual([{ type: 'send-text', text: 'hi mq?' }]);
    await waitFor(() => !text().includes('▌'));
    await keys('m');
    expect(commands.at(-1)).toEqual({ type: 'toggle-mute' });
  });

  it('opens the line with Enter too, sends a pasted line whole, cancels with Esc', async () => {
    const { commands, keys, text } = await mount();
    await keys('\r', 'what is the Live API?', '\r');
    expect(commands).toEqual([{ type: 'send-text', text: 'what is the Live API?' }]);
    await keys('t', 'a', 'b', '\u001b');
    await waitFor(() => !text().includes('▌'));
    await keys('\r', '\r');
    expect(commands).toHaveLength(1);
  });

  it('quits on Ctrl+C even while typing', async () => {
    const { commands, keys } = await mount();
    await keys('t', 'a', '\u0003');
    expect(commands).toEqual([{ type: 'quit' }]);
  });

  it('toggles the help overlay with ?', async () => {
    const { keys, text } = await mount();
    expect(text()).not.toContain('Ctrl+C');
    await keys('?');
    await waitFor(() => text().includes('quit (also while typing)'));
    await keys('?');
    await waitFor(() => !text().includes('quit (also while typing)'));
  });
});

describe('App rendering', () => {
  it('draws a recorded session: transcript, usage, status', async () => {
    const { store, text } = await mount({ mic: 'off', voice: 'Kore' }, { color: false });
    feed(store, loadEvents('goaway-text'));
    await waitFor(() => text().includes('session responses 131'));
    const frame = text();
    expect(frame).toContain('you: hello there\ngemini: You said: hello there');
    expect(frame).toContain('gemini: You said: and a third question please');
    expect(frame).toContain('closed · conn 2');
    expect(frame).toContain('mic off (text mode)');
  });

  it('ticks the goAway countdown from the shared timer and hides "resumed" after ~5 s', async () => {
    const { store, clock, text } = await mount({}, { color: false, fps: 50 });
    const events = loadEvents('goaway-text');
    const upToGoAway = eventsUntil(events, (event) => event.type === 'goaway');
    const goAwayAt = upToGoAway.at(-1)?.t ?? 0;
    clock.set(goAwayAt + 1_000);
    feed(store, upToGoAway);
    await waitFor(() => text().includes('in 9.0 s (goAway)'));
    clock.set(goAwayAt + 4_000); // no event: only the timer redraws
    await waitFor(() => text().includes('in 6.0 s (goAway)'));
    const upToResumed = eventsUntil(events, (event) => event.type === 'resumed');
    feed(store, upToResumed.slice(upToGoAway.length));
    const resumedAt = upToResumed.at(-1)?.t ?? 0;
    clock.set(resumedAt + 1_000);
    await waitFor(() => text().includes('✓ resumed on connection 2, gap 17 ms'));
    clock.set(resumedAt + 5_100);
    await waitFor(() => !text().includes('resumed on connection'));
  });

  it('the shared timer draws nothing while nothing on screen moves, and draws when the countdown does', async () => {
    const { store, clock, rendered } = await mount({}, { color: false, fps: 50 });
    const events = loadEvents('goaway-text');
    const beforeGoAway = eventsUntil(events, (event) => event.type === 'goaway').slice(0, -1);
    feed(store, beforeGoAway);
    await delay(100);
    const quiet = rendered.frames.length;
    clock.set((beforeGoAway.at(-1)?.t ?? 0) + 10_000); // time passes, nothing it shows depends on it
    await delay(200); // ~10 ticks at 50 fps
    expect(rendered.frames.length).toBe(quiet);
    const goAway = events[beforeGoAway.length];
    if (goAway) feed(store, [goAway]);
    await delay(60);
    const counting = rendered.frames.length;
    clock.set((goAway?.t ?? 0) + 2_000);
    await delay(60);
    expect(rendered.frames.length).toBeGreaterThan(counting);
  });

  it('reflows to the terminal width on resize', async () => {
    const { store, text, rendered } = await mount({ contextWindowTokens: 1_000 }, { color: false });
    feed(store, loadEvents('goaway-text'));
    await waitFor(() => /context ▕[█░]{30}▏/.test(text()));
    Object.defineProperty(rendered.stdout, 'columns', { value: 60, configurable: true });
    rendered.stdout.emit('resize');
    await waitFor(() => /context ▕[█░]{10}▏/.test(text()));
  });
});

describe('App colour', () => {
  it('colours with a colour terminal, and writes no ANSI escapes with color=false', async () => {
    const level = chalk.level;
    chalk.level = 3; // as FORCE_COLOR=3 would
    try {
      const coloured = await mount({}, { color: true });
      feed(coloured.store, loadEvents('barge-in-audio'));
      await waitFor(() => coloured.text().includes('speech #2, 3.62 seconds.'));
      expect(hasAnsi(coloured.rendered.lastFrame() ?? '')).toBe(true);

      const plain = await mount({}, { color: false });
      feed(plain.store, loadEvents('barge-in-audio'));
      await plain.keys('?');
      await waitFor(() => plain.text().includes('speech #2, 3.62 seconds.') && plain.text().includes('keys'));
      for (const frame of plain.rendered.frames) expect(hasAnsi(frame)).toBe(false);
    } finally {
      chalk.level = level;
    }
  });
});
