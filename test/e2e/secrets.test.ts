import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesContaining, runCli, SECRET_KEY } from '../helpers/cli.js';
import { startSimProcess, type SimProcess } from '../helpers/sim-process.js';

/**
 * The API key must never appear in stdout, stderr, events, error messages or any file we write:
 * every path where a key travels (query string, header, ephemeral token) and every way a run can
 * fail is exercised with a recognisable key, and everything produced is searched for it.
 * (runCli itself fails any run whose stdout or stderr holds SECRET_KEY.)
 */
describe('the API key never leaks', () => {
  const work = mkdtempSync(join(tmpdir(), 'live-cli-secrets-'));
  const state = join(work, 'state');
  const sims: SimProcess[] = [];
  let ok: SimProcess;
  let rejecting: SimProcess;
  let silent: SimProcess;
  let faulty: SimProcess;
  const text = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text', '--json'];

  beforeAll(async () => {
    ok = await startSimProcess(['--report', join(work, 'ok.ndjson')]);
    rejecting = await startSimProcess(['--reject-key', '--report', join(work, 'reject.ndjson')]);
    silent = await startSimProcess(['--no-setup-complete', '--report', join(work, 'silent.ndjson')]);
    faulty = await startSimProcess(['--bad-frame-after', '1', '--drop-after-messages', '2', '--report', join(work, 'faulty.ndjson')]);
    sims.push(ok, rejecting, silent, faulty);
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
  });

  const env = (extra: Record<string, string>): Record<string, string> => ({ XDG_STATE_HOME: state, ...extra });

  it('in successful runs: query-string key, both env keys, ephemeral token, Vertex header', async () => {
    const runs = [
      runCli(['chat', '--endpoint', ok.url, ...text, '--text', 'hi', '--output', join(work, 'a.wav')], { env: env({ GEMINI_API_KEY: SECRET_KEY }) }),
      runCli(['chat', '--endpoint', ok.url, ...text, '--text', 'hi'], { env: env({ GEMINI_API_KEY: SECRET_KEY, GOOGLE_API_KEY: `${SECRET_KEY}-google` }) }),
      runCli(['chat', '--endpoint', ok.url, ...text, '--text', 'hi'], { env: env({ GEMINI_API_KEY: `auth_tokens/${SECRET_KEY}` }) }),
      runCli(['chat', '--endpoint', ok.url, '--vertex', ...text, '--text', 'hi'], { env: env({ GOOGLE_API_KEY: SECRET_KEY }) }),
    ];
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    // Both keys set: the SDK's precedence (GOOGLE_API_KEY wins) with a warning that names neither key.
    expect(results[1]?.stderr).toMatch(/GOOGLE_API_KEY/);
    expect(results[1]?.stderr).not.toContain(SECRET_KEY);
  });

  it('in failing and recovering runs: rejected key, setup timeout, refused connection, a bad frame and a drop (reconnected)', async () => {
    const results = await Promise.all([
      runCli(['chat', '--endpoint', rejecting.url, ...text, '--text', 'hi'], { env: env({ GEMINI_API_KEY: SECRET_KEY }) }),
      runCli(['chat', '--endpoint', silent.url, ...text, '--text', 'hi', '--connect-timeout', '1'], { env: env({ GEMINI_API_KEY: SECRET_KEY }) }),
      runCli(['chat', '--endpoint', 'http://127.0.0.1:9', ...text, '--text', 'hi'], { env: env({ GEMINI_API_KEY: SECRET_KEY }) }),
      runCli(['chat', '--endpoint', faulty.url, ...text, '--text', 'one', '--text', 'two'], { env: env({ GEMINI_API_KEY: SECRET_KEY }) }),
      runCli(['chat', '--endpoint', rejecting.url, '--vertex', ...text, '--text', 'hi'], { env: env({ GOOGLE_API_KEY: SECRET_KEY }) }),
    ]);
    expect(results.map((r) => r.code)).toEqual([3, 4, 4, 0, 3]);
  });

  it('in every file written: simulator reports, WAV output, state directory', async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
    expect(filesContaining(work, SECRET_KEY)).toEqual([]);
    expect(filesContaining(work, 'auth_tokens/')).toEqual([]);
  });
});
