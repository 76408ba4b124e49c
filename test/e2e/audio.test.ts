import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli, sharedAudio, stderrBesidesResumeHint } from '../helpers/cli.js';
import { fakeAudioPath } from '../helpers/fake-audio.js';

const work = mkdtempSync(join(tmpdir(), 'live-cli-audio-e2e-'));
let n = 0;

function readReport(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** What the simulator received: 16 kHz audio messages (bytes each) and the session summary. */
function audioReceived(report: Array<Record<string, unknown>>): { frames: number[]; summary: Record<string, unknown> | undefined } {
  const frames = report
    .filter((r) => r.type === 'client' && r.kind === 'realtimeInput.audio')
    .map((r) => r.audioBytes as number);
  return { frames, summary: report.find((r) => r.type === 'summary') };
}

function wavInfo(path: string): { rate: number; channels: number; dataBytes: number } {
  const file = readFileSync(path);
  expect(file.toString('ascii', 0, 4)).toBe('RIFF');
  return { rate: file.readUInt32LE(24), channels: file.readUInt16LE(22), dataBytes: file.readUInt32LE(40) };
}

describe('audio through chat: file and mic in, reply audio out (built binary, real SDK, simulator)', () => {
  it('streams a 48 kHz stereo WAV through the resampler in ≤ 20 ms frames of 16 kHz, and writes the reply', async () => {
    const report = join(work, `report-${++n}.ndjson`);
    const reply = join(work, 'reply.wav');
    const both = join(work, 'both-sides.wav');
    const result = await runCli([
      'chat',
      `--sim=report=${report}`,
      '--input',
      join(sharedAudio, 'weather-48k-stereo.wav'),
      '--output',
      reply,
      '--record',
      both,
      '--json',
    ]);
    expect(stderrBesidesResumeHint(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const heard = events.filter((e) => e.type === 'transcript.input').map((e) => e.text as string).join('');
    expect(heard).toMatch(/^\[speech #1 @\d+\.\d\ds \d+\.\d\ds\]$/);
    const { frames, summary } = audioReceived(readReport(report));
    // 16 kHz s16 mono: 20 ms is 640 bytes. The file is 5.3865 s long.
    expect(Math.max(...frames)).toBeLessThanOrEqual(640);
    const seconds = frames.reduce((a, b) => a + b, 0) / 32_000;
    expect(Math.abs(seconds - 5.3865)).toBeLessThan(0.02);
    expect(summary?.audioBytesKept).toBe(frames.reduce((a, b) => a + b, 0));
    const audioBytes = events.filter((e) => e.type === 'audio').reduce((sum, e) => sum + (e.bytes as number), 0);
    expect(audioBytes).toBeGreaterThan(0);
    expect(wavInfo(reply)).toEqual({ rate: 24000, channels: 1, dataBytes: audioBytes });
    // --record: both sides on one 24 kHz timeline, so at least as long as the speech sent.
    const recorded = wavInfo(both);
    expect(recorded).toMatchObject({ rate: 24000, channels: 1 });
    expect(recorded.dataBytes / 48_000).toBeGreaterThan(5.3);
  });

  it('--push-to-talk headless: the whole input is one utterance between activityStart and activityEnd', async () => {
    const report = join(work, `report-${++n}.ndjson`);
    const result = await runCli(['chat', `--sim=report=${report}`, '--push-to-talk', '--input', join(sharedAudio, 'weather.wav'), '--pace', 'fast', '--json']);
    expect(stderrBesidesResumeHint(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.filter((e) => e.type === 'transcript.input').map((e) => e.text as string).join('')).toMatch(/^\[speech #1 @0\.00s \d+\.\d\ds\]$/);
    const records = readReport(report);
    expect(records.find((r) => r.type === 'setup')).toMatchObject({ manualActivity: true });
    const kinds = records
      .filter((r) => r.type === 'client' && String(r.kind).startsWith('realtimeInput.'))
      .map((r) => String(r.kind).slice('realtimeInput.'.length));
    expect(kinds[0]).toBe('activityStart');
    expect(kinds.filter((kind) => kind === 'activityEnd')).toHaveLength(1);
    expect(kinds.lastIndexOf('audio')).toBeLessThan(kinds.indexOf('activityEnd'));
    expect(records.filter((r) => r.type === 'speech')).toMatchObject([{ number: 1, source: 'activity' }]);
  });

  it('captures the (fake) mic at 48 kHz for --duration 8, converts it to 16 kHz and gets a reply', async () => {
    const report = join(work, `report-${++n}.ndjson`);
    const argvLog = join(work, 'mic-argv.ndjson');
    const result = await runCli(['chat', `--sim=report=${report}`, '--input', 'mic', '--duration', '8', '--json'], {
      env: { PATH: fakeAudioPath(['arecord']), FAKE_MIC_ARGV_LOG: argvLog, FAKE_MIC_LOOP: '1' },
      timeoutMs: 40_000,
    });
    expect(stderrBesidesResumeHint(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const argv = JSON.parse(readFileSync(argvLog, 'utf8').trim().split('\n')[0] ?? '{}') as { argv: string[] };
    expect(argv.argv).toEqual(expect.arrayContaining(['-r', '48000', '-t', 'raw', '--period-time=20000']));
    const { frames } = audioReceived(readReport(report));
    expect(Math.max(...frames)).toBeLessThanOrEqual(640);
    expect(Math.abs(frames.reduce((a, b) => a + b, 0) / 32_000 - 8)).toBeLessThan(0.05);
    const events = parseEvents(result.stdout);
    expect(events.some((e) => e.type === 'transcript.input')).toBe(true);
    expect(events.some((e) => e.type === 'turn.complete')).toBe(true);
  });

  it('barge-in: speech during the reply interrupts it and the player drops what it held', async () => {
    // hello without its trailing 0.39 s of silence, 0.8 s of silence, then hello again. The
    // simulator ends speech after 0.5 s of silence and sends its ~2.4 s reply in ~0.6 s (4× real
    // time), so the second hello barges in ~0.3 s into the sending, ~0.3 s before it ends: both
    // margins wide enough that a loaded machine still has reply audio queued at the player.
    const hello = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
    const spoken = hello.subarray(0, Math.round(3.64 * 16_000) * 2);
    const input = join(work, 'barge-in.pcm');
    writeFileSync(input, Buffer.concat([spoken, Buffer.alloc(Math.round(0.8 * 16_000) * 2), hello]));
    const players = mkdtempSync(join(work, 'players-'));
    const result = await runCli(['chat', '--sim', '--input', input, '--output', 'speaker', '--player', 'aplay', '--json'], {
      env: { PATH: fakeAudioPath(['aplay']), FAKE_PLAYER_LOG: players },
      timeoutMs: 40_000,
    });
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const interrupted = events.findIndex((e) => e.type === 'interrupted');
    expect(interrupted).toBeGreaterThan(-1);
    const flushed = events[interrupted + 1];
    expect(flushed?.type).toBe('playback.flushed');
    expect(flushed?.droppedMs).toBeGreaterThan(0);
    // What was dropped never reached a player: the players got less than the model sent.
    const sent = events.filter((e) => e.type === 'audio').reduce((sum, e) => sum + (e.bytes as number), 0);
    const played = readdirSync(players)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(players, f), 'utf8')) as { receivedBytes: number })
      .reduce((sum, log) => sum + log.receivedBytes, 0);
    expect(played).toBeGreaterThan(0);
    expect(played).toBeLessThan(sent);
  });
});

describe('live-cli devices', () => {
  it('lists capture and playback devices from arecord -L / aplay -L, as text and as JSON', async () => {
    const path = fakeAudioPath(['arecord', 'aplay']);
    const text = await runCli(['devices'], { env: { PATH: path, FAKE_PACTL_FAIL: '1' } });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^capture:/m);
    expect(text.stdout).toMatch(/^playback:/m);
    const json = await runCli(['devices', '--json'], { env: { PATH: path } });
    const devices = parseEvents(json.stdout);
    expect(devices.some((d) => d.direction === 'capture')).toBe(true);
    expect(devices.some((d) => d.direction === 'playback')).toBe(true);
    expect(devices.every((d) => d.type === 'device' && typeof d.id === 'string')).toBe(true);
  });

  it('with no audio tools at all it says what to install and still exits 0', async () => {
    const result = await runCli(['devices'], { env: { PATH: fakeAudioPath([]) } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/none found/);
    expect(result.stderr).toMatch(/alsa-utils/);
  });
});

describe('audio failures: clear errors and contract exit codes', () => {
  it('no recorder for --input mic exits 5 naming the package', async () => {
    const result = await runCli(['chat', '--sim', '--input', 'mic', '--duration', '1'], { env: { PATH: fakeAudioPath([]) } });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/alsa-utils|sox/);
  });

  it('a recorder that cannot open the device exits 5', async () => {
    const result = await runCli(['chat', '--sim', '--input', 'mic', '--duration', '2'], {
      env: { PATH: fakeAudioPath(['arecord']), FAKE_MIC_FAIL: 'open' },
    });
    expect(result.code).toBe(5);
  });

  it('--output speaker with no player and no speaker exits 5 naming what to install', async () => {
    const result = await runCli(['chat', '--sim', '--text', 'hi', '--output', 'speaker', '--player', 'aplay'], {
      env: { PATH: fakeAudioPath([]) },
    });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/alsa-utils/);
  });

  it('bad input files exit 2 with the file named, before connecting', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'these are words, not audio\n');
    const mp3 = join(work, 'song.mp3');
    writeFileSync(mp3, Buffer.concat([Buffer.from('ID3'), Buffer.alloc(64, 1)]));
    const fakeWav = join(work, 'fake.wav');
    writeFileSync(fakeWav, Buffer.alloc(100, 3));
    for (const [file, pattern] of [
      [join(work, 'missing.wav'), /missing\.wav/],
      [text, /text, not audio/],
      [mp3, /sox .*song\.mp3/],
      [fakeWav, /fake\.wav/],
      [work, /director/i],
    ] as const) {
      const result = await runCli(['chat', '--sim=report=' + join(work, 'never.ndjson'), '--input', file]);
      expect(result.code, file).toBe(2);
      expect(result.stderr, file).toMatch(pattern);
      expect(result.stderr.trim().split('\n'), file).toHaveLength(1);
    }
  });
});
