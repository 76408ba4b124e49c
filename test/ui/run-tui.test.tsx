import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { renderTui } from '../../src/ui/run-tui.js';
import { TuiStore } from '../../src/ui/state/tui-store.js';
import { feed, loadEvents, manualClock, stripAnsi, waitFor } from './helpers.js';

function fakeStreams() {
  let written = '';
  const stdout = Object.assign(new PassThrough(), { columns: 100, rows: 40, isTTY: false });
  stdout.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  return {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    written: () => stripAnsi(written),
  };
}

describe('renderTui', () => {
  it('draws the store on the given stream (no keys without a TTY) and stops on unmount', async () => {
    const streams = fakeStreams();
    const clock = manualClock();
    const store = new TuiStore({ model: 'gemini-test', mic: 'off', pushToTalk: false, now: clock.now });
    const tui = renderTui({ store, onCommand: () => undefined, stdout: streams.stdout, stdin: streams.stdin, color: false });
    feed(store, loadEvents('goaway-text'));
    const exited = tui.waitUntilExit();
    await waitFor(() => streams.written().includes('gemini: You said: and a third question please'));
    tui.unmount();
    await exited;
    const resume = store.getSnapshot().connection.resumeCommand;
    expect(resume).toMatch(/^live-cli resume /);
    expect(streams.written()).toContain('you: hello there');
  });
});
