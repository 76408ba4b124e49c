import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesContaining, parseEvents, runCli, SECRET_KEY, binPath, cleanEnv, stderrBesidesResumeHint, sharedAudio } from '../helpers/cli.js';
import { startSimProcess, type SimProcess } from '../helpers/sim-process.js';

const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];
const work = mkdtempSync(join(tmpdir(), 'live-cli-e2e-'));

describe('live-cli chat, headless, through the built binary and the real SDK', () => {
  it('answers a stdin line in TEXT modality with the contract events, no API key needed', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, '--json'], { input: 'hello there\n' });
    expect(stderrBesidesResumeHint(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const types = events.map((e) => e.type);
    for (const type of ['session.open', 'text', 'usage', 'turn.complete', 'session.end']) expect(types).toContain(type);
    expect(types.at(-1)).toBe('session.end');
    expect(types.indexOf('session.open')).toBeLessThan(types.indexOf('text'));
    expect(types.indexOf('usage')).toBeLessThan(types.indexOf('turn.complete'));
    const open = events.find((e) => e.type === 'session.open');
    expect(open).toMatchObject({ schema: 1, conn: 1, resumed: false, model: 'gemini-live-2.5-flash-preview' });
    const reply = events.filter((e) => e.type === 'text').map((e) => e.text as string).join('');
    expect(reply).toContain('hello there');
    for (const event of events) {
      expect(typeof event.t).toBe('number');
      expect(typeof event.conn).toBe('number');
    }
    const usage = events.find((e) => e.type === 'usage');
    expect(usage?.promptTokens).toBeGreaterThan(0);
    expect(usage?.totalTokens).toBe((usage?.promptTokens as number) + (usage?.responseTokens as number));
  });

  it('prints a readable transcript without --json', async () => {
    const result = await runCli(['chat', '--sim', ...textModel, '--text', 'good morning']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^you: good morning$/m);
    expect(result.stdout).toMatch(/^gemini: .*good morning/m);
  });

  describe('against a separate `live-cli sim` process', () => {
    let sim: SimProcess;
    const report = join(work, 'report.ndjson');
    beforeAll(async () => {
      sim = await startSimProcess(['--report', report]);
    });
    afterAll(async () => {
      await sim.stop();
    });

    it('runs two stdin lines as two turns via --endpoint, and the report shows exactly what was sent', async () => {
      const result = await runCli(['chat', '--endpoint', sim.url, ...textModel, '--json'], {
        input: 'first line\nsecond line\n',
        env: { GEMINI_API_KEY: SECRET_KEY },
      });
      expect(result.code).toBe(0);
      const events = parseEvents(result.stdout);
      expect(events.filter((e) => e.type === 'turn.complete')).toHaveLength(2);
      const replies = events.filter((e) => e.type === 'text').map((e) => e.text as string).join('');
      expect(replies.indexOf('first line')).toBeLessThan(replies.indexOf('second line'));
      await sim.stop();
      const lines = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const texts = JSON.stringify(lines);
      expect(texts).toContain('first line');
      expect(texts).toContain('second line');
      expect(filesContaining(work, SECRET_KEY)).toEqual([]);
    });
  });

  it('writes model audio to a valid 24 kHz mono WAV in AUDIO modality', async () => {
    const wav = join(work, 'reply.wav');
    const result = await runCli(['chat', '--sim', '--text', 'tell me something', '--output', wav, '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const audioBytes = events.filter((e) => e.type === 'audio').reduce((sum, e) => sum + (e.bytes as number), 0);
    expect(audioBytes).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'transcript.output')).toBe(true);
    const file = readFileSync(wav);
    expect(file.toString('ascii', 0, 4)).toBe('RIFF');
    expect(file.readUInt32LE(24)).toBe(24000);
    expect(file.readUInt16LE(22)).toBe(1);
    expect(file.readUInt32LE(40)).toBe(audioBytes);
    // An independent reader agrees.
    const info = execFileSync('soxi', [wav], { encoding: 'utf8' });
    expect(info).toMatch(/Sample Rate\s*:\s*24000/);
    expect(info).toMatch(/Channels\s*:\s*1/);
  });
});

describe('failures are clear, fast and mapped to the contract exit codes', () => {
  it('a rejected key exits 3 with an auth error', async () => {
    const result = await runCli(['chat', '--sim=reject-key', ...textModel, '--text', 'hi', '--json']);
    expect(result.code).toBe(3);
    const error = parseEvents(result.stdout).find((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'auth', closeCode: 1008 });
    expect(String(error?.message)).toMatch(/API key/i);
  });

  it('no setupComplete exits 4 after --connect-timeout', async () => {
    const result = await runCli(['chat', '--sim=no-setup-complete', ...textModel, '--text', 'hi', '--connect-timeout', '1']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/1 s/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a malformed frame mid-turn is an error event, and the turn still completes', async () => {
    const result = await runCli(['chat', '--sim=bad-frame-after=1', ...textModel, '--text', 'hi there', '--json']);
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'protocol' });
    expect(events.filter((e) => e.type === 'turn.complete')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'text').map((e) => e.text as string).join('')).toContain('hi there');
  });

  it('no API key and no --sim exits 3 and says how to fix it', async () => {
    const result = await runCli(['chat', '--text', 'hi'], { env: { GEMINI_API_KEY: undefined } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/GEMINI_API_KEY/);
    expect(result.stderr).toMatch(/--sim/);
  });

  it('TEXT with a native-audio model is a usage error before connecting', async () => {
    const result = await runCli(['chat', '--sim', '--modality', 'text', '--text', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/native.audio/i);
  });

  it('--sim with --endpoint, and unknown flags, are usage errors (exit 2)', async () => {
    for (const command of [['chat', '--text', 'x'], ['transcribe', join(sharedAudio, 'hello.wav')]]) {
      const both = await runCli([...command, '--sim', '--endpoint', 'http://127.0.0.1:1']);
      expect(both.code).toBe(2);
      expect(both.stderr).toBe('live-cli: --sim starts its own simulator: drop --endpoint, or drop --sim to use that endpoint\n');
    }
    expect((await runCli(['chat', '--no-such-flag'])).code).toBe(2);
    const badSim = await runCli(['chat', '--sim=no-such-option', '--text', 'x']);
    expect(badSim.code).toBe(2);
    expect(badSim.stderr).toMatch(/no-such-option/);
  });

  it('a refused connection exits 4 and names the endpoint problem', async () => {
    const result = await runCli(['chat', '--endpoint', 'http://127.0.0.1:9', ...textModel, '--text', 'hi'], {
      env: { GEMINI_API_KEY: SECRET_KEY },
    });
    expect(result.code).toBe(4);
    expect(result.stderr.length).toBeGreaterThan(0);
  });
});

describe('process hygiene', () => {
  it('exits quietly when stdout closes early (| head -1)', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; node "${binPath}" chat --sim ${textModel.join(' ')} --json --text one --text two --text three | head -1`], {
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 25_000,
    });
    expect(result.status).toBe(0);
    expect(stderrBesidesResumeHint(result.stderr)).toBe('');
    expect(result.stdout).not.toContain(SECRET_KEY);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ type: 'session.open' });
  });

  it('SIGTERM closes the session, ends with session.end and exits 143', async () => {
    const result = await runCli(['chat', '--sim=latency=400', ...textModel, '--json'], {
      keepStdinOpen: true,
      onSpawn: (child) => {
        child.stdout?.once('data', () => setTimeout(() => child.kill('SIGTERM'), 100));
        child.stdin?.write('hello\n');
      },
    });
    expect(result.code).toBe(143);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)?.type).toBe('session.end');
  });
});

describe('help and version', () => {
  it('--help lists chat and sim with examples; --version prints the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/chat/);
    expect(help.stdout).toMatch(/sim/);
    const chatHelp = await runCli(['chat', '--help']);
    expect(chatHelp.stdout).toMatch(/Examples:/);
    const simHelp = await runCli(['sim', '--help']);
    expect(simHelp.stdout).toMatch(/--go-away-every/);
    const version = await runCli(['--version']);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});
