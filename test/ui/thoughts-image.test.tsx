import { join } from 'node:path';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/core/events.js';
import { InteractiveChat } from '../../src/core/interactive-chat.js';
import { resolveLiveConfig } from '../../src/live/config.js';
import { openLiveSession } from '../../src/live/session.js';
import type { LiveSessionHandle } from '../../src/live/types.js';
import { defaultSimOptions, parseSimOptions, startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { App } from '../../src/ui/app.js';
import { TuiStore } from '../../src/ui/state/tui-store.js';
import { delay, stripAnsi, waitFor } from './helpers.js';

const IMAGE = join(import.meta.dirname, '..', 'fixtures', 'images', 'test-card.jpg');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The TUI on a real session: the Ink app, the keyboard-driven conversation and the resilient
 * session, against an in-process simulator. What is typed goes through exactly the path a user's
 * keys take (App → command → InteractiveChat → session → wire).
 */
async function converse(flags: Parameters<typeof resolveLiveConfig>[0]) {
  const sim: RunningSimulator = await startSimulator(parseSimOptions('', defaultSimOptions()));
  cleanups.push(() => sim.close());
  const { config } = resolveLiveConfig(flags, {}, {}, { sim: true, endpoint: sim.url });
  const events = new EventStream();
  const store = new TuiStore({ model: config.model, mic: 'off', pushToTalk: false, ...(config.contextWindowTokens ? { contextWindowTokens: config.contextWindowTokens } : {}) });
  events.on(store.handle);
  // The app is drawn before the session opens, as in `chat`; keys reach the conversation once it exists.
  const holder: { chat?: InteractiveChat } = {};
  const rendered = render(<App store={store} onCommand={(command) => (command.type === 'approve' ? undefined : holder.chat?.handle(command))} color />);
  cleanups.push(() => rendered.unmount());
  const session: LiveSessionHandle = await openLiveSession({ config, events, id: 'tui-test' });
  cleanups.push(() => session.close());
  const stop = new AbortController();
  const chat = new InteractiveChat({ session, events, pushToTalk: false, signal: stop.signal, onNotice: (message) => store.notice(message, 'error') });
  holder.chat = chat;
  const running = chat.run().catch(() => undefined);
  cleanups.push(async () => {
    stop.abort();
    await running;
  });
  await waitFor(() => rendered.stdin.listenerCount('readable') > 0);
  const type = async (line: string): Promise<void> => {
    for (const input of ['t', line, '\r']) {
      rendered.stdin.write(input);
      await delay(5);
    }
  };
  const text = (): string => stripAnsi(rendered.lastFrame() ?? '');
  return { type, text, rendered };
}

describe('TUI: thoughts and an image turn', () => {
  it('/image sends the picture, the reply shows its thought dim above it, and usage counts the image', async () => {
    const level = chalk.level;
    chalk.level = 3;
    cleanups.push(() => void (chalk.level = level));
    const tui = await converse({ model: 'gemini-2.5-flash-native-audio-preview-12-2025', thinkingBudget: 128, showThoughts: true });
    await tui.type(`/image ${IMAGE}`);
    await waitFor(() => tui.text().includes('you: [image test-card.jpg · 1.4 KB]'));
    await tui.type('what is in the picture?');
    await waitFor(() => tui.text().includes('gemini: You said: what is in the picture?') && tui.text().includes('IMAGE 258'), 10_000);
    const screen = tui.text();
    expect(screen).toContain('gemini (thinking): Thinking about how to answer: You said: what is in the picture?');
    // The thought sits above the reply and is drawn dim (SGR 2), the reply is not.
    expect(screen.indexOf('(thinking)')).toBeLessThan(screen.indexOf('gemini: You said'));
    const raw = tui.rendered.lastFrame() ?? '';
    const thoughtLine = raw.split('\n').find((line) => line.includes('(thinking)')) ?? '';
    expect(thoughtLine).toContain('\u001b[2m');
    expect(screen).toMatch(/thoughts \d+/);
  });

  it('a bad /image path is a notice and the conversation goes on', async () => {
    const tui = await converse({ model: 'gemini-live-2.5-flash-preview', modality: 'text' });
    await tui.type('/image /no/such/picture.png');
    await waitFor(() => tui.text().includes('/image /no/such/picture.png: no such file'));
    await tui.type('still there?');
    await waitFor(() => tui.text().includes('gemini: You said: still there?'));
    expect(tui.text()).not.toContain('[image');
  });
});
