// scripts/build.js: `prepare` (and so npx's install of the checkout) skips a build that is current,
// and a checkout installed without optional packages (no esbuild binary) still builds and runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/build.js', () => {
  it('--if-stale leaves a current build alone: the stamp matches the sources the suite was built from', () => {
    // --check never builds: a stale dist/ (sources edited since `npm run build`) fails here, not mid-suite.
    const check = spawnSync(process.execPath, ['scripts/build.js', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(check.status, 'dist/ is older than the sources: run npm run build (npm test does)').toBe(0);
    const bundle = join(repoRoot, 'dist', 'live-cli.cjs');
    const before = statSync(bundle).mtimeMs;
    const result = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toBe('');
    expect(statSync(bundle).mtimeMs).toBe(before);
    expect(readFileSync(join(repoRoot, 'dist', '.build-inputs'), 'utf8')).toMatch(/^[0-9a-f]{32} bundle\n$/);
  });

  it('without esbuild it builds the tsc output, says so once, and the CLI runs from it', () => {
    // A copy of the checkout whose node_modules has everything but esbuild, as after
    // `npm install --omit=optional` (esbuild's binary is its optional dependency).
    const dir = mkdtempSync(join(tmpdir(), 'live-cli-build-'));
    temps.push(dir);
    for (const name of ['src', 'scripts', 'bin', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) {
      cpSync(join(repoRoot, name), join(dir, name), { recursive: true });
    }
    mkdirSync(join(dir, 'node_modules'));
    for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
      if (entry === 'esbuild' || entry === '@esbuild' || entry === '.bin') continue;
      symlinkSync(join(repoRoot, 'node_modules', entry), join(dir, 'node_modules', entry));
    }
    // A bundle left from an earlier build must not be run instead of the new tsc output.
    mkdirSync(join(dir, 'dist'));
    cpSync(join(repoRoot, 'dist', 'live-cli.cjs'), join(dir, 'dist', 'live-cli.cjs'));

    const build = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const notices = build.stderr.split('\n').filter((line) => line.includes('esbuild'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/--omit=optional.*tsc output.*`npm install` adds it/);
    expect(existsSync(join(dir, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist', 'live-cli.cjs'))).toBe(false);
    expect(readFileSync(join(dir, 'dist', '.build-inputs'), 'utf8')).toMatch(/ tsc\n$/);

    const version = execFileSync(process.execPath, ['bin/live-cli.js', '--version'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, LIVE_CLI_DEBUG_STARTUP: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(version).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
