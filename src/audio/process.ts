import { spawn } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Finds `command` on the PATH of `env` (not necessarily this process's), so callers can say "install
 * alsa-utils" before spawning, instead of learning it from a child 'error' event after the fact.
 * Returns the full path, or undefined.
 */
export async function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (isAbsolute(command)) return (await isExecutableFile(command)) ? command : undefined;
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((dir) => dir !== '');
  // Windows finds `sox.exe` for `sox`; elsewhere the name is used as is.
  const suffixes = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').concat('') : [''];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = join(dir, command + suffix);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface CommandResult {
  /** Exit code, or null when killed (by the timeout or a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a short command to completion with a timeout and bounded output. Returns undefined when the
 * command cannot be started (missing, not executable): for listing commands that is an expected
 * answer, not an error.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; maxOutputBytes?: number } = {},
): Promise<CommandResult | undefined> {
  const { env = process.env, timeoutMs = 3000, maxOutputBytes = 1 << 20 } = options;
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let started = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('spawn', () => {
      started = true;
    });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (stdout.length < maxOutputBytes) stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < maxOutputBytes) stderr += text;
    });
    child.once('error', () => {
      clearTimeout(timer);
      // An error before 'spawn' means it never ran; after, the 'close' below still reports.
      if (!started) resolve(undefined);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The last non-empty line of a tool's stderr: usually the one that says what went wrong. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.at(-1) ?? '';
}
