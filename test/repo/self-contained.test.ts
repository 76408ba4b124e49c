import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

/** Files git tracks, so the check sees exactly what a clone holds. */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('a clone carries everything it tests and documents with', () => {
  it('no tracked file reaches outside the repository for ../shared', () => {
    // A user's clone has no ../shared beside it: fixtures live in test/fixtures, the contract in docs/.
    const outside = /\.\.\/shared\/(?!CLI-CONTRACT)|'\.\.', '(\.\.', ')*shared'/;
    const offenders = trackedFiles()
      .filter((file) => /\.(ts|tsx|js|mjs|cjs|md|json)$/.test(file) || file.startsWith('test/fixtures/bin/'))
      .filter((file) => outside.test(readFileSync(join(repoRoot, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('every fixture the tests read from test/fixtures/audio is tracked', () => {
    const tracked = new Set(trackedFiles());
    for (const name of ['hello.wav', 'hello-16k.pcm', 'weather.wav', 'weather-48k-stereo.wav', 'weather-24k.pcm', 'interrupt.wav', 'interrupt-44k-float.wav', 'silence-3s-16k.pcm']) {
      expect(tracked.has(`test/fixtures/audio/${name}`), name).toBe(true);
    }
  });
});
