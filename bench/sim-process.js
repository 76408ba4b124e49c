// The simulator as its own process for the benches that time a live-cli process, so the
// simulator's CPU and memory are never counted as the client's.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const bin = join(resolve(import.meta.dirname, '..'), 'bin', 'live-cli.js');

/** `drop-after-messages=40000,seed=3` → `--drop-after-messages 40000 --seed 3` (a bare key is a switch). */
export function simFlags(options) {
  return options
    .split(',')
    .filter((option) => option.length > 0)
    .flatMap((option) => {
      const [key, value] = option.split('=');
      return value === undefined ? [`--${key}`] : [`--${key}`, value];
    });
}

/** `live-cli sim --port 0 --json FLAGS`; resolves once it listens, with its URL and PID. */
export async function startSimProcess(flags = [], env = process.env) {
  const child = spawn(process.execPath, [bin, 'sim', '--port', '0', '--json', ...flags], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`live-cli sim exited with ${code}`)));
    lines.once('line', (line) => resolveUrl(JSON.parse(line).url));
  });
  return {
    url,
    pid: child.pid,
    startedAt: performance.now(),
    close: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once('exit', done), child.kill('SIGTERM')))),
  };
}
