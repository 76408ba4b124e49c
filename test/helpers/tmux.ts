import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binPath, cleanEnv, repoRoot, SECRET_KEY } from './cli.js';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * live-cli in a real terminal: a detached tmux session on its own server socket, a fixed size, a
 * command line we type keys into and whose screen we read. When live-cli exits, the pane prints
 * `[exit N]` and stays, so the screen after exit (the resume line) can be read too.
 */
export class TmuxTerminal {
  private readonly socket = `live-cli-test-${randomBytes(4).toString('hex')}`;
  private readonly session = 'tui';

  private constructor() {}

  static start(args: readonly string[], env: Record<string, string | undefined>, size = { columns: 110, rows: 36 }): TmuxTerminal {
    const terminal = new TmuxTerminal();
    const dir = mkdtempSync(join(tmpdir(), 'live-cli-tmux-'));
    const script = join(dir, 'run.sh');
    const environment = cleanEnv({ ...env, TERM: 'xterm-256color' });
    const exports = Object.entries(environment)
      .filter((entry): entry is [string, string] => entry[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(entry[0]))
      .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    const command = [process.execPath, binPath, ...args].map(shellQuote).join(' ');
    writeFileSync(
      script,
      ['#!/bin/sh', ...exports, `cd ${shellQuote(repoRoot)}`, command, 'echo "[exit $?]"', 'exec /bin/sleep 600', ''].join('\n'),
      { mode: 0o700 },
    );
    terminal.tmux(['new-session', '-d', '-s', terminal.session, '-x', String(size.columns), '-y', String(size.rows), `sh ${shellQuote(script)}`]);
    return terminal;
  }

  /** The visible screen as text (no colours). */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.session]);
  }

  /** Keys as tmux names them (`Enter`, `Space`, `C-c`) or literal text with `literal`. */
  send(keys: string, literal = false): void {
    this.tmux(['send-keys', '-t', this.session, ...(literal ? ['-l'] : []), keys]);
  }

  /** Polls the screen until `pattern` shows; fails with the last screen when it does not in time. */
  async waitFor(pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (last.includes(SECRET_KEY)) throw new Error('the API key is on the screen');
      if (pattern.test(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what} (${String(pattern)}); the screen was:\n${last}`);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }

  private tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
