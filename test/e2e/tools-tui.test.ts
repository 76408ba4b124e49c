import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { fakeAudioPath } from '../helpers/fake-audio.js';
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.kill();
});

const fixture = join(repoRoot, 'test', 'fixtures', 'mcp-add.mjs');

describe.skipIf(!hasTmux())('chat: tools in the TUI (tmux)', () => {
  it('asks y/n before a tool that may change things runs; y runs it, n declines; calls and results show as compact lines', async () => {
    const terminal = TmuxTerminal.start(
      ['chat', '--sim', '--model', 'gemini-live-2.5-flash-preview', '--modality', 'text', '--mcp', `node ${fixture}`, '--text', 'call tool note {"text":"milk"}'],
      { PATH: fakeAudioPath(['aplay']) },
    );
    terminals.push(terminal);
    await terminal.waitFor(/run tool note \{"text":"milk"\} from mcp-1\? \[y\/n\]/, 'the approval prompt');
    terminal.send('y');
    await terminal.waitFor(/tool note → \{"noted":"milk"\}/, 'the result line');
    await terminal.waitFor(/gemini\b[^\n]*Tool note returned \{"noted":"milk"\}/, 'the reply naming the result');

    terminal.send('t');
    await terminal.waitFor(/Enter send/, 'the input line');
    terminal.send('call tool note {"text":"eggs"}', true);
    terminal.send('Enter');
    await terminal.waitFor(/run tool note \{"text":"eggs"\}[^\n]*\[y\/n\]/, 'the second prompt');
    terminal.send('n');
    await terminal.waitFor(/tool note denied: the user declined to run note/, 'the denial line');
    await terminal.waitFor(/gemini\b[^\n]*"status":"DENIED"/, 'the model told of the denial');

    terminal.send('q');
    const after = await terminal.waitFor(/\[exit \d+\]/, 'the exit');
    expect(after).toMatch(/\[exit 0\]/);
  }, 60_000);
});
