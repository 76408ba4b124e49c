import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'live-cli-options-'));
let reports = 0;

/** Runs chat against an in-process simulator and returns the setup the simulator received. */
async function setupSent(args: string[], env: Record<string, string | undefined> = {}): Promise<Record<string, unknown>> {
  const report = join(work, `report-${++reports}.ndjson`);
  const result = await runCli(['chat', `--sim=report=${report}`, '--text', 'hi', ...args], { env });
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  const records = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const setup = records.find((r) => r.type === 'setup');
  if (!setup) throw new Error('the simulator saw no setup');
  return setup;
}

describe('session options reach the wire', () => {
  it('defaults: native-audio model, AUDIO, both transcriptions, resumption, compression 25600:12800', async () => {
    const setup = await setupSent([]);
    expect(setup).toMatchObject({
      model: 'models/gemini-3.8-live',
      modality: 'AUDIO',
      inputTranscription: true,
      outputTranscription: true,
      compression: { triggerTokens: 25600, targetTokens: 12800 },
      voice: null,
      temperature: null,
      systemInstruction: '',
    });
  });

  it('--voice, --temperature, --system @FILE and --compression are sent as given', async () => {
    const system = join(work, 'system.txt');
    writeFileSync(system, 'You are terse.');
    const setup = await setupSent(['--voice', 'Kore', '--temperature', '0.4', '--system', `@${system}`, '--compression', '40000:20000']);
    expect(setup).toMatchObject({ voice: 'Kore', temperature: 0.4, systemInstruction: 'You are terse.', compression: { triggerTokens: 40000, targetTokens: 20000 } });
  });

  it('--compression off sends none; TEXT modality replies in text', async () => {
    expect((await setupSent(['--compression', 'off'])).compression).toBeNull();
    const text = await setupSent(['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text']);
    expect(text).toMatchObject({ modality: 'TEXT', inputTranscription: true });
  });

  it('precedence: flags > env > config file > defaults', async () => {
    const configHome = mkdtempSync(join(tmpdir(), 'live-cli-xdg-'));
    mkdirSync(join(configHome, 'live-cli'));
    writeFileSync(join(configHome, 'live-cli', 'config.json'), JSON.stringify({ voice: 'Puck', model: 'gemini-live-2.5-flash-preview' }));
    const fromFile = await setupSent([], { XDG_CONFIG_HOME: configHome });
    expect(fromFile).toMatchObject({ voice: 'Puck', model: 'models/gemini-live-2.5-flash-preview' });
    const fromEnv = await setupSent([], { XDG_CONFIG_HOME: configHome, LIVE_CLI_MODEL: 'gemini-2.0-flash-live-001' });
    expect(fromEnv).toMatchObject({ voice: 'Puck', model: 'models/gemini-2.0-flash-live-001' });
    const fromFlag = await setupSent(['--voice', 'Charon', '--model', 'gemini-2.5-flash-native-audio-preview-09-2025'], {
      XDG_CONFIG_HOME: configHome,
      LIVE_CLI_MODEL: 'gemini-2.0-flash-live-001',
    });
    expect(fromFlag).toMatchObject({ voice: 'Charon', model: 'models/gemini-2.5-flash-native-audio-preview-09-2025' });
  });

  it('bad option values are one-line usage errors (exit 2) naming the fix', async () => {
    for (const args of [
      ['--temperature', '7'],
      ['--compression', '10'],
      ['--system', '@/no/such/file.txt'],
      ['--connect-timeout', '0'],
      ['--turn-timeout', 'soon'],
      ['--output', 'reply.mp3'],
    ]) {
      const result = await runCli(['chat', '--sim', '--text', 'hi', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
