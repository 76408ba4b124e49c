// The shipped bundle (scripts/bundle.js, run by `npm run build`) as bin/live-cli.js runs it: through
// V8's code cache, with Ink and the SDK in chunks that only the commands needing them load.
// LIVE_CLI_DEBUG_STARTUP=1 makes the entry say what it did on one JSON line at exit.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, cleanEnv, filesContaining, parseEvents, repoRoot, runCli, SECRET_KEY } from '../helpers/cli.js';

const dist = join(repoRoot, 'dist');
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

interface Startup {
  entry: 'bundle' | 'tsc' | 'none';
  /** Per bundle file (main, ui, sdk): none, accepted, rejected or off, then ", written" if it was. */
  codeCache: Record<string, string> | null;
  /** The heavy packages whose code ran (bundle only). */
  evaluated: string[] | null;
}

function startupOf(stderr: string): Startup {
  const line = stderr.split('\n').find((l) => l.startsWith('live-cli: start-up '));
  if (!line) throw new Error(`no start-up line in stderr:\n${stderr}`);
  return JSON.parse(line.slice('live-cli: start-up '.length)) as Startup;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-cache-'));
  tempDirs.push(dir);
  return dir;
}

/** Runs the CLI through the entry with the debug line on and the given cache home. */
async function run(args: string[], cacheHome: string, env: Record<string, string | undefined> = {}) {
  const result = await runCli(args, { env: { LIVE_CLI_DEBUG_STARTUP: '1', XDG_CACHE_HOME: cacheHome, ...env } });
  return { ...result, startup: startupOf(result.stderr) };
}

describe('the bundle', () => {
  it('is built, newer than the tsc output, and runs --version', async () => {
    for (const file of ['live-cli.cjs', 'live-cli-ui.cjs', 'live-cli-sdk.cjs']) {
      expect(statSync(join(dist, file)).isFile(), `dist/${file} (npm run build)`).toBe(true);
    }
    expect(statSync(join(dist, 'live-cli.cjs')).mtimeMs, 'the bundle is older than dist/cli/main.js: run npm run build').toBeGreaterThanOrEqual(
      statSync(join(dist, 'cli', 'main.js')).mtimeMs,
    );
    const { code, stdout, startup } = await run(['--version'], tempCache());
    expect(code).toBe(0);
    expect(stdout).toBe(`${version}\n`);
    expect(startup.entry).toBe('bundle');
  });

  it('evaluates neither Ink nor the SDK for --help and --version, and loads no chunk', async () => {
    const cache = tempCache();
    for (const args of [['--help'], ['--version'], ['chat', '--help']]) {
      const { code, stdout, startup } = await run(args, cache);
      expect(code).toBe(0);
      expect(stdout.length).toBeGreaterThan(0);
      expect(startup.entry).toBe('bundle');
      expect(startup.evaluated).toEqual([]);
      expect(Object.keys(startup.codeCache ?? {})).toEqual(['main']);
    }
  });

  it('runs chat --json through the SDK chunk only: pure NDJSON with session.open, exit 0', async () => {
    const { code, stdout, startup } = await run(['chat', '--sim', '--json', '--text', 'hi', '--no-log'], tempCache());
    expect(code).toBe(0);
    const events = parseEvents(stdout);
    expect(events[0]?.type).toBe('session.open');
    expect(events.map((e) => e.type)).toContain('turn.complete');
    expect(startup.entry).toBe('bundle');
    expect(Object.keys(startup.codeCache ?? {}).sort()).toEqual(['main', 'sdk']);
    expect(startup.evaluated).toContain('@google/genai');
    expect(startup.evaluated).not.toContain('ink');
    expect(startup.evaluated).not.toContain('react');
  });

  it('runs the tsc output with LIVE_CLI_NO_BUNDLE=1', async () => {
    const { code, stdout, startup } = await run(['--version'], tempCache(), { LIVE_CLI_NO_BUNDLE: '1' });
    expect(code).toBe(0);
    expect(stdout).toBe(`${version}\n`);
    expect(startup).toEqual({ entry: 'tsc', codeCache: null, evaluated: null });
  });
});

describe('the code cache', () => {
  it('is written once per file and command, 0600 in a 0700 directory, without the API key, and used after', async () => {
    const cacheHome = tempCache();
    const dir = join(cacheHome, 'live-cli');
    const chat = ['chat', '--sim', '--json', '--text', 'hi', '--no-log'];
    const first = await run(chat, cacheHome, { GEMINI_API_KEY: SECRET_KEY });
    expect(first.code).toBe(0);
    expect(first.startup.codeCache).toEqual({ main: 'none, written', sdk: 'none, written' });
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of files) {
      expect(file).toMatch(/^live-cli(-sdk)?-[0-9a-f]{8}-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-chat\.v8cache$/);
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(filesContaining(cacheHome, SECRET_KEY)).toEqual([]);

    const second = await run(chat, cacheHome, { GEMINI_API_KEY: SECRET_KEY });
    expect(second.code).toBe(0);
    expect(second.startup.codeCache).toEqual({ main: 'accepted', sdk: 'accepted' });
    // Help and version get their own file, whichever command they are asked of.
    const help = await run(['chat', '--help'], cacheHome);
    expect(help.startup.codeCache).toEqual({ main: 'none, written' });
    expect(readdirSync(dir).filter((file) => file.endsWith('-help.v8cache'))).toHaveLength(1);
    expect((await run(['--version'], cacheHome)).startup.codeCache).toEqual({ main: 'accepted' });
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('is not written after a failed run, which may have stopped before most of its code', async () => {
    const cacheHome = tempCache();
    const failed = await run(['chat', '--sim', '--turn-timeout', 'soon', '--json'], cacheHome);
    expect(failed.code).toBe(2);
    expect(failed.startup.codeCache).toEqual({ main: 'none' });
    expect(readdirSync(cacheHome)).toEqual([]);
  });

  it('ignores a corrupt cache (V8 rejects it) and replaces it', async () => {
    const cacheHome = tempCache();
    await run(['--version'], cacheHome);
    const dir = join(cacheHome, 'live-cli');
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), Buffer.from('not a code cache at all, just some bytes'.repeat(100)));
    const corrupt = await run(['--version'], cacheHome);
    expect(corrupt.code).toBe(0);
    expect(corrupt.stdout).toBe(`${version}\n`);
    expect(corrupt.startup.codeCache).toEqual({ main: 'rejected, written' });
    expect((await run(['--version'], cacheHome)).startup.codeCache).toEqual({ main: 'accepted' });
  });

  it('ignores a cache file others can write, and an unwritable cache directory', async () => {
    const cacheHome = tempCache();
    await run(['--version'], cacheHome);
    const dir = join(cacheHome, 'live-cli');
    const [file] = readdirSync(dir);
    chmodSync(join(dir, file!), 0o666);
    const writable = await run(['--version'], cacheHome);
    expect(writable.code).toBe(0);
    expect(writable.startup.codeCache).toEqual({ main: 'none, written' });

    // XDG_CACHE_HOME is a file: nothing can be created below it; the run goes on without a cache.
    const notADir = join(tempCache(), 'file');
    writeFileSync(notADir, '');
    const unwritable = await run(['--version'], notADir);
    expect(unwritable.code).toBe(0);
    expect(unwritable.stdout).toBe(`${version}\n`);
    expect(unwritable.startup.codeCache).toEqual({ main: 'none' });
  });

  it('is neither read nor written with LIVE_CLI_NO_CODE_CACHE=1', async () => {
    const cacheHome = tempCache();
    const { code, startup } = await run(['--version'], cacheHome, { LIVE_CLI_NO_CODE_CACHE: '1' });
    expect(code).toBe(0);
    expect(startup.codeCache).toEqual({ main: 'off' });
    expect(readdirSync(cacheHome)).toEqual([]);
  });
});

/** Carriage return and "erase the whole line": what takes the status line away. */
const ERASE_LINE = '\r\x1b[2K';
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasScript)('the status line on a terminal', () => {
  it('is written to the terminal at once and erased before anything else is written', async () => {
    const command = `stty cols 100 rows 30 2>/dev/null; exec '${process.execPath}' '${binPath}' chat --sim --no-log --output none`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: repoRoot,
      env: cleanEnv({ XDG_CACHE_HOME: tempCache() }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const erased = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no erase sequence in: ${JSON.stringify(output)}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (data: string) => {
        output += data;
        // Something written after the erase: the CLI has taken over the terminal.
        if (output.includes(ERASE_LINE) && output.length > output.indexOf(ERASE_LINE) + ERASE_LINE.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await erased;
      expect(output.startsWith(`live-cli: starting…${ERASE_LINE}`)).toBe(true);
      expect(output).not.toContain(SECRET_KEY);
    } finally {
      // Ctrl-C as a user would, then hang up the terminal if that did not end it.
      child.stdin.write('\x03');
      const timer = setTimeout(() => child.kill('SIGTERM'), 3000);
      await new Promise((resolve) => child.once('close', resolve));
      clearTimeout(timer);
    }
  });
});
