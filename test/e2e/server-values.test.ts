import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli, sharedAudio } from '../helpers/cli.js';
import { accountKeptAudio, uniqueSpeechFile } from './continuity-helpers.js';

/**
 * Issue 11: what the server says is checked, never trusted blindly. Each case drives the
 * simulator into sending a bad or odd value and checks what the user gets.
 */
const work = mkdtempSync(join(tmpdir(), 'live-cli-server-values-'));
const hello = join(sharedAudio, 'hello-16k.pcm');
/** Ten seconds of silence: no turn, so each goAway finds the connection idle with a fresh handle. */
const silence = join(work, 'silence-10s.pcm');
writeFileSync(silence, Buffer.alloc(10 * 32_000));
const textModel = ['--model', 'gemini-live-2.5-flash-preview', '--modality', 'text'];

function messages(events: ReturnType<typeof parseEvents>, type: string): string[] {
  return events.filter((e) => e.type === type).map((e) => String(e.message));
}

/** A RIFF/WAVE file whose sizes agree with its length and hold whole 16-bit samples. */
function expectValidWav(path: string): number {
  const wav = readFileSync(path);
  expect(wav.subarray(0, 4).toString()).toBe('RIFF');
  expect(wav.subarray(8, 12).toString()).toBe('WAVE');
  expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  const dataAt = wav.indexOf('data');
  const dataSize = wav.readUInt32LE(dataAt + 4);
  expect(dataAt + 8 + dataSize).toBe(wav.length);
  expect(dataSize % 2).toBe(0);
  return dataSize;
}

describe.concurrent('server values are validated', () => {
  it('lastConsumedClientMessageIndex beyond what was sent: reported, ignored, nothing lost', async () => {
    const input = uniqueSpeechFile(work, 12, 5, false);
    const kept = join(work, 'index-kept');
    const result = await runCli(
      ['chat', '--vertex', `--sim=transparent,consumed-index-offset=1000,handle-every=1,drop-every=3,kept-audio=${kept}`, '--input', input.path, '--pace', 'fast', '--turn-timeout', '2', '--json'],
      { env: { GOOGLE_API_KEY: 'vertex-express-key' }, timeoutMs: 40_000 },
    );
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const events = parseEvents(result.stdout);
    expect(messages(events, 'error').some((m) => /consumed client message \d+, but this connection sent messages/.test(m))).toBe(true);
    expect(events.some((e) => e.type === 'resumed')).toBe(true);
    expect(accountKeptAudio(input.data, join(kept, 's1.pcm')).lostBytes).toBe(0);
  });

  for (const [raw, expectedMs] of [['soon', 0], ['-5s', 0], ['99999999999s', 15 * 60 * 1000]] as const) {
    it(`goAway.timeLeft "${raw}": no timer overflow, a handoff all the same`, async () => {
      // goAways further apart (6 s of clock) than what a handoff re-sends at fast pace, which moves
      // the simulator's clock too: otherwise every connection could end before confirming input,
      // and the failure budget would rightly end the run.
      const result = await runCli(['chat', `--sim=go-away-every=6,go-away-time-left=3,handle-every=1,go-away-raw=${raw}`, '--input', silence, '--pace', 'fast', '--turn-timeout', '2', '--json'], { timeoutMs: 40_000 });
      expect(result.code, result.stderr.slice(-1000)).toBe(0);
      const events = parseEvents(result.stdout);
      expect(events.find((e) => e.type === 'goaway')).toMatchObject({ conn: 1, timeLeftMs: expectedMs });
      if (raw === 'soon') expect(messages(events, 'error').some((m) => /goAway.*not a duration.*handing over now/.test(m))).toBe(true);
      // The handoff is planned (reason goaway), not a drop found later when the server closed.
      expect(events.find((e) => e.type === 'reconnecting')).toMatchObject({ reason: 'goaway' });
      expect(events.some((e) => e.type === 'resumed')).toBe(true);
    });
  }

  it('goAway in the same message as setupComplete: honoured once the connection is in use', async () => {
    const result = await runCli(['chat', '--sim=go-away-with-setup=2s', ...textModel, '--text', 'one', '--text', 'two', '--json'], { timeoutMs: 30_000 });
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.find((e) => e.type === 'goaway')).toMatchObject({ conn: 1, timeLeftMs: 2000 });
    const text = events.filter((e) => e.type === 'text').map((e) => String(e.text)).join('');
    expect(text.match(/You said: one/g)).toHaveLength(1);
    expect(text.match(/You said: two/g)).toHaveLength(1);
  });

  for (const how of ['odd', 'bad'] as const) {
    it(`reply audio ${how === 'odd' ? 'with an odd byte count' : 'that is not base64'}: an error event and a valid WAV`, async () => {
      const wav = join(work, `bad-audio-${how}.wav`);
      const result = await runCli(['chat', `--sim=bad-audio=${how}`, '--input', hello, '--pace', 'fast', '--output', wav, '--json'], { timeoutMs: 30_000 });
      expect(result.code, result.stderr.slice(-1000)).toBe(0);
      const events = parseEvents(result.stdout);
      const pattern = how === 'odd' ? /odd number of bytes/ : /not base64/;
      expect(messages(events, 'error').some((m) => pattern.test(m))).toBe(true);
      const audioBytes = events.filter((e) => e.type === 'audio').reduce((sum, e) => sum + Number(e.bytes), 0);
      for (const event of events.filter((e) => e.type === 'audio')) expect(Number(event.bytes) % 2).toBe(0);
      const dataSize = expectValidWav(wav);
      if (how === 'bad') expect(audioBytes).toBe(0);
      else expect(dataSize).toBeGreaterThan(0);
    });
  }

  it('1008 "Operation is not implemented" is not reported as a rejected model', async () => {
    const result = await runCli(['chat', '--sim=drop-after-messages=1,close-code=1008,close-reason=Operation is not implemented', ...textModel, '--text', 'hi', '--json']);
    expect(result.code).toBe(2);
    const error = messages(parseEvents(result.stdout), 'error').join('\n');
    expect(error).toMatch(/does not support something this session asked for \(close 1008: Operation is not implemented\)/);
    expect(error).not.toMatch(/rejected model/);
  });

  it('1011 during the first setup is retried with backoff, and the session then goes ahead', async () => {
    const result = await runCli(['chat', '--sim=setup-error=2', ...textModel, '--text', 'hi', '--json']);
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'reconnecting')).toMatchObject([
      { attempt: 1, reason: 'connect-failed', closeCode: 1011 },
      { attempt: 2, reason: 'connect-failed', closeCode: 1011 },
    ]);
    expect(events.some((e) => e.type === 'text')).toBe(true);
  });

  it('a server that stops reading: an error names it, the connection is dropped and the session resumed', async () => {
    // 180 s of input streamed fast is more than the kernel's socket buffers hold, so the bytes
    // queue up in our process once the simulator stops reading (after a handle, at message 300).
    const input = uniqueSpeechFile(work, 180, 11, false);
    const kept = join(work, 'stop-reading-kept');
    const result = await runCli(
      ['chat', `--sim=stop-reading-after=300,handle-every=1,kept-audio=${kept}`, '--input', input.path, '--pace', 'fast', '--turn-timeout', '2', '--json'],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const events = parseEvents(result.stdout);
    expect(messages(events, 'error').some((m) => /stopped reading our input \(\d+\.\d MB waiting to be sent\); dropping the connection/.test(m))).toBe(true);
    expect(events.find((e) => e.type === 'reconnecting')).toMatchObject({ reason: 'connection-lost' });
    expect(events.find((e) => e.type === 'session.open' && e.conn === 2)).toMatchObject({ resumed: true });
    expect(accountKeptAudio(input.data, join(kept, 's1.pcm')).lostBytes).toBe(0);
  });
});
