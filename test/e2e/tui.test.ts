import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedAudio } from '../helpers/cli.js';
import { fakeAudioPath } from '../helpers/fake-audio.js';
import { startSimProcess } from '../helpers/sim-process.js';
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
const stopAfter: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const terminal of terminals.splice(0)) terminal.kill();
  await Promise.all(stopAfter.splice(0).map((stop) => stop()));
});

/** "hello" then two seconds of silence, looped by the fake mic: one speech segment every ~3 s. */
function micSignal(): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-tui-'));
  const path = join(dir, 'mic-16k.pcm');
  writeFileSync(path, Buffer.concat([readFileSync(join(sharedAudio, 'hello-16k.pcm')), Buffer.alloc(64_000)]));
  return path;
}

function start(args: readonly string[], env: Record<string, string | undefined> = {}): TmuxTerminal {
  const terminal = TmuxTerminal.start(['chat', ...args], {
    PATH: fakeAudioPath(['arecord', 'aplay']),
    FAKE_MIC_FILE: micSignal(),
    FAKE_MIC_LOOP: '1',
    ...env,
  });
  terminals.push(terminal);
  return terminal;
}

describe.skipIf(!hasTmux())('chat: the TUI in a real terminal (tmux)', () => {
  it('shows both transcripts, usage and the goAway countdown; a typed turn works; q exits 0 with the resume command', async () => {
    const terminal = start(['--sim=go-away-every=8']);
    // The mic's speech reaches the simulator, which reports it as the user's transcript and answers.
    await terminal.waitFor(/you\b[^\n]*\[speech #1 @/, "the user's transcript");
    await terminal.waitFor(/gemini\b[^\n]*I heard speech #1/, "the model's transcript");
    await terminal.waitFor(/tokens/i, 'the usage pane');
    await terminal.waitFor(/ends connection \d+ in \d+\.\d s \(goAway\)/, "the goAway countdown", 25_000);

    // Muted, the mic's next "hello" cannot cut the typed turn's reply short.
    terminal.send('m');
    await terminal.waitFor(/mic muted/, 'the muted mic');
    terminal.send('t');
    await terminal.waitFor(/Enter send/, 'the input line');
    terminal.send('what is the weather like', true);
    terminal.send('Enter');
    await terminal.waitFor(/you\b[^\n]*what is the weather like/, 'the typed turn');
    await terminal.waitFor(/gemini\b[^\n]*weather/i, 'the reply to the typed turn');

    terminal.send('q');
    const after = await terminal.waitFor(/\[exit \d+\]/, 'the exit');
    expect(after).toMatch(/\[exit 0\]/);
    expect(after).toMatch(/live-cli resume \S+/);
  }, 90_000);

  it('with no recorder it opens in text mode, says what to install, and still converses', async () => {
    const terminal = start(['--sim'], { PATH: fakeAudioPath(['aplay']) });
    await terminal.waitFor(/mic off: no audio recorder[^\n]*install/i, 'the text-mode notice');
    terminal.send('Enter');
    await terminal.waitFor(/Enter send/, 'the input line');
    terminal.send('hello from the keyboard', true);
    terminal.send('Enter');
    await terminal.waitFor(/you\b[^\n]*hello from the keyboard/, 'the typed turn');
    await terminal.waitFor(/gemini\b/, 'the reply');
    terminal.send('C-c');
    const after = await terminal.waitFor(/\[exit \d+\]/, 'the exit');
    expect(after).toMatch(/\[exit 0\]/);
  }, 60_000);

  it('with sox but no sound device: one plain notice each for the mic and playback, and q exits 0', async () => {
    const terminal = start(['--sim', '--player', 'play', '--no-log'], { PATH: fakeAudioPath(['sox', 'play']), FAKE_MIC_FAIL: 'open', FAKE_PLAYER_FAIL: 'open' });
    await terminal.waitFor(/mic off: no capture device \(sox: Sorry, there is no default audio device configured\)/, 'the mic notice');
    terminal.send('t');
    await terminal.waitFor(/Enter send/, 'the input line');
    terminal.send('hello', true);
    terminal.send('Enter');
    await terminal.waitFor(/gemini\b[^\n]*You said: hello/, 'the reply, as text');
    const screen = await terminal.waitFor(/playback off: no sound output device \(sox: Sorry, there is no default audio device configured\)/, 'the playback notice');
    expect(screen).not.toMatch(/error:/);
    terminal.send('q');
    const after = await terminal.waitFor(/\[exit \d+\]/, 'the exit');
    expect(after).toMatch(/\[exit 0\]/);
    expect(after).not.toMatch(/play exited/);
  }, 60_000);

  it('resume last on a terminal shows the earlier conversation, then goes on', async () => {
    // One simulator for both runs: a handle is only known to the simulator that issued it.
    const sim = await startSimProcess();
    stopAfter.push(() => sim.stop());
    const state = mkdtempSync(join(tmpdir(), 'live-cli-tui-state-'));
    // --text on a terminal: sent first, then the conversation is the user's.
    const first = start(['--endpoint', sim.url, '--text', 'remember the blue door'], { PATH: fakeAudioPath(['aplay']), XDG_STATE_HOME: state });
    await first.waitFor(/you[^\n]*remember the blue door/, 'the --text turn');
    await first.waitFor(/gemini\b[^\n]*blue door/, 'the reply');
    // The handle comes with the end of the turn (usage shows then): resuming needs one.
    await first.waitFor(/tokens: prompt/, 'the end of the turn');
    first.send('q');
    const ended = await first.waitFor(/\[exit \d+\]/, 'the exit');
    const id = /live-cli resume (\S+)/.exec(ended)?.[1];
    expect(id).toBeDefined();

    const resumed = TmuxTerminal.start(['resume', 'last', '--endpoint', sim.url], { PATH: fakeAudioPath(['aplay']), XDG_STATE_HOME: state });
    terminals.push(resumed);
    await resumed.waitFor(/you[^\n]*remember the blue door/, 'the earlier turn');
    await resumed.waitFor(/open · conn 1/, 'the resumed connection');
    resumed.send('q');
    const after = await resumed.waitFor(/\[exit \d+\]/, 'the exit');
    expect(after).toMatch(/\[exit 0\]/);
    expect(after).toContain(`live-cli resume ${id ?? ''}`);
  }, 60_000);

  it('a configuration error on a terminal is one plain line and its exit code, before anything is drawn', async () => {
    const terminal = start([], { GEMINI_API_KEY: undefined, PATH: fakeAudioPath(['aplay']) });
    const screen = await terminal.waitFor(/\[exit \d+\]/, 'the exit');
    expect(screen).toMatch(/live-cli: no API key: set GEMINI_API_KEY[^\n]*--sim/);
    expect(screen).toMatch(/\[exit 3\]/);
    expect(screen).not.toMatch(/tokens|conn \d/);
  }, 30_000);
});

