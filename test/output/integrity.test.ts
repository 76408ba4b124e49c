// Output integrity: lost output is never reported as success, and --out never replaces what the
// user pointed it at when that is not a regular file.
import { spawn } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLineWriter } from '../../src/output/stdout.js';
import { binPath, cleanEnv, repoRoot, runCli, sharedAudio } from '../helpers/cli.js';

const hello = join(sharedAudio, 'hello.wav');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-out-'));
  dirs.push(dir);
  return dir;
}

/** Runs the CLI with stdout on /dev/full (every write fails with ENOSPC). */
function runToDevFull(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: cleanEnv(), stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('stdout write failures', () => {
  it('a closed pipe is quiet; any other write error is kept as the failure', () => {
    const pipe = new PassThrough();
    const piped = createLineWriter(pipe, () => undefined);
    pipe.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(piped.broken).toBe(true);
    expect(piped.failure).toBeUndefined();

    const disk = new PassThrough();
    let aborted = false;
    const full = createLineWriter(disk, () => (aborted = true));
    disk.emit('error', Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }));
    expect(full.broken).toBe(true);
    expect(aborted).toBe(true);
    expect(full.failure?.code).toBe('ENOSPC');
  });

  it.each([
    ['chat --json', ['chat', '--sim', '--text', 'hi', '--json', '--no-log']],
    ['transcribe', ['transcribe', '--sim', hello]],
    ['--help', ['--help']],
  ])('%s > /dev/full exits 7 and says output was lost', async (_name, args) => {
    const { code, stderr } = await runToDevFull(args);
    expect(code).toBe(7);
    const lines = stderr.split('\n').filter((line) => line.includes('cannot write to stdout'));
    expect(lines).toEqual(['live-cli: cannot write to stdout (ENOSPC: no space left on device): output from then on was lost; free space or send stdout elsewhere']);
  });
});

describe('transcribe --out', () => {
  it('writes through a symlink and leaves the link in place', async () => {
    const dir = tempDir();
    const target = join(dir, 'target.txt');
    const link = join(dir, 'link.txt');
    writeFileSync(target, 'old contents\n');
    symlinkSync(target, link);
    const result = await runCli(['transcribe', '--sim', hello, '--out', link]);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toMatch(/^\[speech #1 @0\.0\d+s 3\.\d+s\]\n$/);
  });

  it('--out /dev/stdout reaches stdout instead of replacing the device name', async () => {
    const result = await runCli(['transcribe', '--sim', hello, '--out', '/dev/stdout']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\[speech #1 @0\.0\d+s 3\.\d+s\]\n$/);
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
  });

  it('a regular file is replaced atomically: no .partial is left after success', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.txt');
    writeFileSync(out, 'old\n');
    const result = await runCli(['transcribe', '--sim', hello, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('[speech #1');
    expect(() => lstatSync(`${out}.partial`)).toThrow();
  });

  it('--out /dev/full exits 7 with one line naming the file and the cause', async () => {
    const result = await runCli(['transcribe', '--sim', hello, '--out', '/dev/full']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('live-cli: cannot write --out /dev/full (ENOSPC: no space left on device)\n');
  });
});
