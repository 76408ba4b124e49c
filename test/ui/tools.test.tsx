import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/core/events.js';
import { App } from '../../src/ui/app.js';
import { TuiStore, type TuiCommand } from '../../src/ui/state/tui-store.js';
import { delay, feed, manualClock, stripAnsi, waitFor } from './helpers.js';

let mounted: Array<() => void> = [];
afterEach(() => {
  for (const unmount of mounted) unmount();
  mounted = [];
});

async function mount() {
  const clock = manualClock();
  const store = new TuiStore({ model: 'gemini-test', mic: 'off', pushToTalk: false, now: clock.now });
  const commands: TuiCommand[] = [];
  // The App hands commands to the CLI; here the answer goes straight back to the store, as ChatTui does.
  const onCommand = (command: TuiCommand): void => {
    commands.push(command);
    if (command.type === 'approve') store.answerApproval(command.run);
  };
  const rendered = render(<App store={store} onCommand={onCommand} color={false} />);
  mounted.push(rendered.unmount);
  await waitFor(() => rendered.stdin.listenerCount('readable') > 0);
  const keys = async (...inputs: string[]): Promise<void> => {
    for (const input of inputs) {
      rendered.stdin.write(input);
      await delay(5);
    }
  };
  const text = (): string => stripAnsi(rendered.lastFrame() ?? '');
  return { store, commands, keys, text };
}

const at = (t: number) => ({ t, conn: 1 });

describe('tools in the TUI', () => {
  it('shows calls, results, errors and sources as compact lines between the turns', async () => {
    const { store, text } = await mount();
    const events: LiveEvent[] = [
      { type: 'user.text', text: 'call tool add {"a":2,"b":3}', ...at(1) },
      { type: 'tool.call', id: 'c1', name: 'add', args: { a: 2, b: 3 }, ...at(2) },
      { type: 'tool.result', id: 'c1', name: 'add', response: { sum: 5 }, ms: 0.4, ...at(3) },
      { type: 'text', text: 'Tool add returned {"sum":5}', ...at(4) },
      { type: 'turn.complete', ...at(5) },
      { type: 'tool.call', id: 'c2', name: 'rm', args: {}, ...at(6) },
      { type: 'tool.error', id: 'c2', name: 'rm', status: 'DENIED', retryable: false, message: 'the user declined to run rm', ...at(7) },
      { type: 'grounding', queries: ['live api'], sources: [{ title: 'About live api', uri: 'https://example.com/a' }], ...at(8) },
    ];
    feed(store, events);
    await waitFor(() => text().includes('tool rm denied'));
    const lines = text().split('\n');
    const order = ['you: call tool add', 'tool add {"a":2,"b":3}', 'tool add → {"sum":5} (0.4 ms)', 'gemini: Tool add returned {"sum":5}', 'tool rm {}', 'tool rm denied: the user declined to run rm', 'searched "live api"; sources: [1] About live api <https://example.com/a>'];
    const positions = order.map((line) => lines.findIndex((shown) => shown.includes(line)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('asks y/n for a tool that may change things; y runs it, n declines, and other keys do nothing meanwhile', async () => {
    const { store, commands, keys, text } = await mount();
    const request = { id: 'c1', name: 'add', args: { a: 2, b: 3 }, source: 'mcp-1' };
    const first = store.requestApproval(request, new AbortController().signal);
    await waitFor(() => text().includes('run tool add {"a":2,"b":3} from mcp-1? [y/n]'));
    await keys('t', 'q', 'y');
    await expect(first).resolves.toBe(true);
    // `t` did not open the input line and `q` did not quit while the question was on screen.
    expect(commands).toEqual([{ type: 'approve', run: true }]);
    await waitFor(() => !text().includes('[y/n]'));

    const second = store.requestApproval({ ...request, id: 'c2' }, new AbortController().signal);
    await waitFor(() => text().includes('[y/n]'));
    await keys('n');
    await expect(second).resolves.toBe(false);
    await keys('q');
    expect(commands.at(-1)).toEqual({ type: 'quit' });
  });

  it('a call the server cancels leaves the prompt and counts as declined', async () => {
    const { store, text } = await mount();
    const cancel = new AbortController();
    const answer = store.requestApproval({ id: 'c1', name: 'add', args: {}, source: 'mcp-1' }, cancel.signal);
    await waitFor(() => text().includes('[y/n]'));
    cancel.abort();
    await expect(answer).resolves.toBe(false);
    await waitFor(() => !text().includes('[y/n]'));
  });
});
