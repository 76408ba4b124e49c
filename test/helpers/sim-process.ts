import { spawn, type ChildProcess } from 'node:child_process';
import { binPath, cleanEnv, repoRoot } from './cli.js';

export interface SimProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `live-cli sim --port 0 …` as a real process and waits for its listening line. */
export function startSimProcess(args: readonly string[] = []): Promise<SimProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, 'sim', '--port', '0', ...args], {
      cwd: repoRoot,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        const stop = (): Promise<void> =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('close', () => done());
            child.kill('SIGTERM');
          });
        resolve({ url: match[1], child, stop });
      }
    });
    child.on('close', (code) => reject(new Error(`live-cli sim exited early (${code}): ${stderr}`)));
    child.on('error', reject);
  });
}
