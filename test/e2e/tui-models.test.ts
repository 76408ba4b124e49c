import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { fakeAudioPath } from '../helpers/fake-audio.js';
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.kill();
});

const IMAGE = join(repoRoot, 'test', 'fixtures', 'images', 'test-card.jpg');
const PNG = join(repoRoot, 'test', 'fixtures', 'images', 'blue.png');

describe.skipIf(!hasTmux())('chat TUI with a thinking model and images (tmux)', () => {
  it('--image with the first turn, thoughts above the reply, IMAGE tokens; /image typed later', async () => {
    const terminal = TmuxTerminal.start(
      ['chat', '--sim', '--model', 'gemini-2.5-flash-native-audio-preview-12-2025', '--thinking-budget', '128', '--show-thoughts', '--image', IMAGE, '--text', 'what is this?'],
      { PATH: fakeAudioPath(['aplay']) },
    );
    terminals.push(terminal);
    await terminal.waitFor(/you: \[image test-card\.jpg · 1\.4 KB\]/, 'the image turn');
    const screen = await terminal.waitFor(/gemini: You said: what is this\?/, 'the reply');
    expect(screen).toMatch(/gemini \(thinking\): Thinking about how to answer/);
    expect(screen.indexOf('(thinking)')).toBeLessThan(screen.indexOf('gemini: You said: what is this?'));
    await terminal.waitFor(/tokens: prompt \d+ \([^)]*IMAGE 258/, 'image tokens in the usage pane');

    terminal.send('t');
    await terminal.waitFor(/Enter send/, 'the input line');
    terminal.send(`/image ${PNG}`, true);
    terminal.send('Enter');
    await terminal.waitFor(/you: \[image blue\.png · 0\.1 KB\]/, 'the typed image turn');
    terminal.send('q');
    expect(await terminal.waitFor(/\[exit \d+\]/, 'the exit')).toMatch(/\[exit 0\]/);
  }, 60_000);
});
