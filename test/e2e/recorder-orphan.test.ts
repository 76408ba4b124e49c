import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Issue 11: a recorder that never writes (no device, a stuck driver) must not outlive live-cli.
 * The substitute is a real process found on PATH as `arecord`: it notes its pid and sleeps.
 * After SIGKILL of live-cli (no handler runs) it must be gone.
 */
const work = mkdtempSync(join(tmpdir(), 'live-cli-orphan-'));
const bin = join(work, 'bin');
const pidLog = join(work, 'recorder.pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

describe('a recorder that never writes', () => {
  it('is killed when live-cli is SIGKILLed: no orphan holding the device', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin, { recursive: true });
    const script = join(bin, 'arecord');
    writeFileSync(script, `#!/bin/sh\ncase "$1" in -L|-l) exit 0;; esac\necho $$ > '${pidLog}'\nexec sleep 600\n`);
    chmodSync(script, 0o755);
    let recorderPid = 0;
    const result = await runCli(['chat', '--sim', '--input', 'mic', '--recorder', 'arecord', '--duration', '60', '--json'], {
      env: { PATH: `${bin}:/usr/bin:/bin` },
      timeoutMs: 20_000,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (!existsSync(pidLog)) return;
          const pid = Number(readFileSync(pidLog, 'utf8').trim());
          if (!pid) return;
          clearInterval(poll);
          recorderPid = pid;
          child.kill('SIGKILL');
        }, 50);
        child.on('exit', () => clearInterval(poll));
      },
    });
    expect(result.signal).toBe('SIGKILL');
    expect(recorderPid).toBeGreaterThan(0);
    const ended = await gone(recorderPid, 5_000);
    if (!ended) process.kill(recorderPid, 'SIGKILL');
    expect(ended).toBe(true);
  });
});
