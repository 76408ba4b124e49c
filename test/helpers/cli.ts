import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const binPath = join(repoRoot, 'bin', 'live-cli.js');
export const sharedAudio = resolve(repoRoot, 'test', 'fixtures', 'audio');

/** A key that must never show up anywhere: every run through runCli checks its output for it. */
export const SECRET_KEY = 'test-secret-key-5f2c9d0e7a';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
  /** Leave stdin open (the test writes to it and ends it itself). */
  keepStdinOpen?: boolean;
  /** Called once the process is spawned, e.g. to send it a signal. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** Environment with every variable that could reach a real service or change defaults cleared. */
/**
 * One code-cache directory per test process: runs share the cache the entry writes (as a user's
 * runs would), and nothing lands in the real ~/.cache.
 */
const cacheHome = mkdtempSync(join(tmpdir(), 'live-cli-cache-'));

export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(GEMINI_|GOOGLE_|LIVE_CLI_)/.test(name)) delete env[name];
  }
  env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'live-cli-config-'));
  env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'live-cli-state-'));
  env.XDG_CACHE_HOME = cacheHome;
  env.NO_COLOR = '1';
  // Every run carries the recognisable key, so the leak check in runCli covers the whole suite;
  // tests about a missing key remove it explicitly.
  env.GEMINI_API_KEY = SECRET_KEY;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs the built binary as a real process; rejects if the secret key appears in its output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`live-cli ${args.join(' ')} did not exit within ${options.timeoutMs ?? 25_000} ms\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 25_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const leaked = [stdout, stderr].some((text) => text.includes(SECRET_KEY));
      if (leaked) reject(new Error(`the API key leaked into the output of live-cli ${args.join(' ')}`));
      else resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else if (!options.keepStdinOpen) child.stdin.end();
    options.onSpawn?.(child);
  });
}

/** Parses NDJSON stdout, failing loudly on a line that is not JSON (nothing else may be on stdout). */
export function parseEvents(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
}

/** Every file below `dir`, read whole: for checking that no file we wrote holds the key. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (readFileSync(path).includes(needle)) hits.push(path);
  };
  walk(dir);
  return hits;
}

/** stderr without the `live-cli resume <id>` line every chat/resume run ends with. */
export function stderrBesidesResumeHint(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/^live-cli resume \S+( --sim)?$/.test(line))
    .join('\n');
}
