import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * Spawns a recorder that dies with us. A recorder reads no stdin and may write nothing for a long
 * time (no device, a stuck driver), so when live-cli is killed (SIGKILL, a crash) nothing would
 * ever end it: it would hold the capture device as an orphan. On POSIX systems it runs under a
 * small `sh` that holds the read end of a pipe whose write end only we have: when we die, the
 * pipe closes, the shell's `read` sees its end, and it kills the recorder. The shell also passes on our
 * SIGTERM/SIGINT/SIGHUP, and exits with the recorder's status. (Windows has no `sh`: plain spawn.)
 *
 * `"$0" "$@"` runs the command with its arguments exactly as given (no shell parsing of them).
 */
const TETHER = [
  'exec 3<&0',
  '"$0" "$@" </dev/null &',
  'recorder=$!',
  "trap 'kill $recorder 2>/dev/null' TERM INT HUP",
  // Builtins only (`read`, `kill`): the PATH given to the recorder may hold nothing else.
  "(while read -r _ <&3; do :; done; kill $recorder 2>/dev/null) &",
  'watcher=$!',
  'exec 3<&-',
  'wait $recorder',
  'status=$?',
  // A trapped signal interrupts `wait` before the recorder is gone: wait for it again.
  'wait $recorder 2>/dev/null && status=$?',
  'kill $watcher 2>/dev/null',
  'exit $status',
].join('\n');

export type TetheredProcess = ChildProcessByStdio<Writable, Readable, Readable>;

export function spawnTethered(command: string, args: readonly string[], env: NodeJS.ProcessEnv): TetheredProcess {
  if (process.platform === 'win32') {
    return spawn(command, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  }
  const child = spawn('/bin/sh', ['-c', TETHER, command, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  // Once the shell is gone, close our end too, so that its watcher (if it outlived it) ends.
  child.once('close', () => child.stdin.destroy());
  return child;
}

/** Ends the tether from our side (the shell's watcher then kills the recorder): for SIGKILL of the shell. */
export function cutTether(child: TetheredProcess): void {
  child.stdin.destroy();
}
