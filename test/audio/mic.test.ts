import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { openMicSource, type MicSource } from '../../src/audio/sources/mic.js';
import { recorderCommand, resolveRecorder } from '../../src/audio/sources/recorder.js';
import { isAlive, waitFor } from '../helpers/process.js';

// The fake recorders in test/fixtures/bin stream real speech at real-time pace and log their argv.
const fakeBin = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
const helloPcm = fileURLToPath(new URL('../fixtures/audio/hello-16k.pcm', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'live-cli-mic-'));
// Only `node` (the fakes' interpreter) and the fakes are on PATH: a real arecord in /usr/bin must
// not stand in for a missing one.
const nodeBin = join(work, 'node-bin');
mkdirSync(nodeBin);
symlinkSync(process.execPath, join(nodeBin, 'node'));
let logCount = 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

function fakeEnv(extra: Record<string, string> = {}, withFakes = true): NodeJS.ProcessEnv & { FAKE_MIC_ARGV_LOG: string } {
  const log = join(work, `argv-${++logCount}.ndjson`);
  return { PATH: withFakes ? `${fakeBin}:${nodeBin}` : nodeBin, HOME: work, FAKE_MIC_ARGV_LOG: log, ...extra };
}

interface LoggedRun {
  tool: string;
  argv: string[];
  audiodev: string | null;
  pid: number;
}

function loggedRuns(env: { FAKE_MIC_ARGV_LOG: string }): LoggedRun[] {
  return readFileSync(env.FAKE_MIC_ARGV_LOG, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LoggedRun);
}

/**
 * Collects chunks until the source ends, or until `ms` has passed and at least `minChunks` have
 * arrived (a loaded machine may take a while to start the fake), then stops it.
 */
async function collect(mic: MicSource, ms: number, minChunks = 1): Promise<{ chunks: PcmChunk[]; error?: unknown }> {
  const chunks: PcmChunk[] = [];
  let due = false;
  const timer = setTimeout(() => {
    due = true;
    if (chunks.length >= minChunks) void mic.stop();
  }, ms);
  try {
    for await (const chunk of mic.chunks()) {
      chunks.push(chunk);
      if (due && chunks.length >= minChunks) void mic.stop();
    }
    return { chunks };
  } catch (error) {
    return { chunks, error };
  } finally {
    clearTimeout(timer);
    await mic.stop();
  }
}

const totalBytes = (chunks: PcmChunk[]): number => chunks.reduce((sum, chunk) => sum + chunk.data.length, 0);



describe('recorder argv', () => {
  it('asks arecord for raw mono s16le at the capture rate in 20 ms periods', () => {
    const { args } = recorderCommand({ name: 'arecord', command: 'arecord' }, { sampleRate: 48000, device: 'plughw:1' });
    expect(args).toEqual([
      '-D', 'plughw:1', '-q', '-r', '48000', '-c', '1', '-t', 'raw', '-f', 'S16_LE',
      '--period-time=20000', '--buffer-time=200000', '-',
    ]);
  });

  it('asks sox and rec for raw with a 20 ms buffer and passes the device as AUDIODEV', () => {
    const sox = recorderCommand({ name: 'sox', command: 'sox' }, { sampleRate: 48000, device: 'hw:2' });
    expect(sox.args.slice(0, 2)).toEqual(['--buffer', String(960 * 4)]);
    expect(sox.args).toContain('--default-device');
    expect(sox.args.join(' ')).toContain('--type raw');
    expect(sox.args.at(-1)).toBe('-');
    expect(sox.env).toEqual({ AUDIODEV: 'hw:2' });
    const rec = recorderCommand({ name: 'rec', command: 'rec' }, { sampleRate: 16000, device: 'hw:2' });
    expect(rec.args.slice(0, 2)).toEqual(['--buffer', String(320 * 4)]);
    expect(rec.args.join(' ')).toContain('-t raw');
    expect(rec.env).toEqual({ AUDIODEV: 'hw:2' });
  });

  it('prefers arecord on Linux and sox elsewhere', async () => {
    const env = fakeEnv();
    expect((await resolveRecorder('auto', env, 'linux')).name).toBe('arecord');
    expect((await resolveRecorder('auto', env, 'darwin')).name).toBe('sox');
  });
});

describe('openMicSource with fake recorders', () => {
  it('streams raw 48 kHz mono from arecord in chunks of at most 20 ms, with the argv asked for', async () => {
    const env = fakeEnv();
    const mic = await openMicSource({ recorder: 'auto', captureRate: 48000, env });
    expect(mic.recorder).toBe('arecord');
    const { chunks, error } = await collect(mic, 400, 10);
    expect(error).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.sampleRate).toBe(48000);
      expect(chunk.channels).toBe(1);
      expect(chunk.data.length).toBeLessThanOrEqual(1920);
      expect(chunk.data.length % 2).toBe(0);
    }
    // Raw, not WAV: no RIFF header in the first chunk.
    expect(chunks[0]?.data.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    const [run] = loggedRuns(env);
    expect(run?.tool).toBe('arecord');
    expect(run?.argv).toEqual(['-q', '-r', '48000', '-c', '1', '-t', 'raw', '-f', 'S16_LE', '--period-time=20000', '--buffer-time=200000', '-']);
  });

  it('delivers the recorder bytes exactly: no header, nothing lost or misaligned', async () => {
    const env = fakeEnv({ FAKE_MIC_FILE: helloPcm });
    const mic = await openMicSource({ recorder: 'arecord', captureRate: 16000, env });
    const { chunks, error } = await collect(mic, 10_000);
    expect(error).toBeUndefined();
    // The fake ends by itself (exit 0) at the end of the file: the input is then exhausted.
    expect(Buffer.concat(chunks.map((chunk) => chunk.data)).equals(readFileSync(helloPcm))).toBe(true);
  });

  it('passes --input-device to arecord as -D and to sox as AUDIODEV', async () => {
    const arecordEnv = fakeEnv();
    await collect(await openMicSource({ recorder: 'arecord', device: 'plughw:CARD=PCH,DEV=0', env: arecordEnv }), 100);
    expect(loggedRuns(arecordEnv)[0]?.argv.slice(0, 2)).toEqual(['-D', 'plughw:CARD=PCH,DEV=0']);
    const soxEnv = fakeEnv();
    await collect(await openMicSource({ recorder: 'sox', device: 'hw:1', env: soxEnv }), 100);
    expect(loggedRuns(soxEnv)[0]?.audiodev).toBe('hw:1');
  });

  it('gets ≤ 20 ms chunks from sox and rec (whose default would be 128 ms)', async () => {
    for (const recorder of ['sox', 'rec'] as const) {
      const env = fakeEnv();
      const mic = await openMicSource({ recorder, captureRate: 16000, env });
      const { chunks, error } = await collect(mic, 300, 5);
      expect(error).toBeUndefined();
      expect(chunks.length).toBeGreaterThan(3);
      expect(Math.max(...chunks.map((chunk) => chunk.data.length))).toBeLessThanOrEqual(640);
      expect(loggedRuns(env)[0]?.argv).toContain('raw');
    }
  });

  it.runIf(process.platform === 'linux')('falls back to sox when arecord is missing (auto, Linux)', async () => {
    const soxOnly = join(work, 'sox-only');
    mkdirSync(soxOnly, { recursive: true });
    symlinkSync(join(fakeBin, 'sox'), join(soxOnly, 'sox'));
    const env = { ...fakeEnv(), PATH: `${soxOnly}:${nodeBin}` };
    const mic = await openMicSource({ env });
    expect(mic.recorder).toBe('sox');
    await collect(mic, 100);
  });

  it('a missing recorder is a device error (exit 5) naming the package to install', async () => {
    const env = fakeEnv({}, false);
    const auto = await openMicSource({ env }).catch((error: unknown) => error);
    expect(auto).toBeInstanceOf(CliError);
    expect((auto as CliError).code).toBe('device');
    expect((auto as CliError).exitCode).toBe(5);
    expect((auto as CliError).message).toMatch(process.platform === 'linux' ? /alsa-utils/ : /sox/);
    const sox = await openMicSource({ recorder: 'sox', env }).catch((error: unknown) => error);
    expect((sox as CliError).exitCode).toBe(5);
    expect((sox as CliError).message).toMatch(/install sox/);
    const arecord = await openMicSource({ recorder: 'arecord', env }).catch((error: unknown) => error);
    expect((arecord as CliError).message).toMatch(/install alsa-utils/);
  });

  it('stops with SIGTERM without an error, although arecord exits 1 on it', async () => {
    const env = fakeEnv({ FAKE_MIC_LOOP: '1' });
    const mic = await openMicSource({ recorder: 'arecord', env });
    const { chunks, error } = await collect(mic, 300);
    expect(error).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(0);
    const pid = loggedRuns(env)[0]?.pid ?? 0;
    await waitFor(() => !isAlive(pid));
    await mic.stop(); // twice is fine
  });

  it('a recorder that exits non-zero by itself is a device error', async () => {
    const env = fakeEnv({ FAKE_MIC_LOOP: '1', FAKE_MIC_EXIT_AFTER_MS: '200', FAKE_MIC_EXIT_CODE: '1' });
    const mic = await openMicSource({ recorder: 'arecord', env });
    const { chunks, error } = await collect(mic, 5000);
    expect(chunks.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(5);
    expect((error as CliError).message).toMatch(/arecord exited with code 1: .*read error/);
  });

  it('a recorder that cannot open the device is a device error with its message', async () => {
    const env = fakeEnv({ FAKE_MIC_FAIL: 'open' });
    const mic = await openMicSource({ recorder: 'arecord', env });
    const { chunks, error } = await collect(mic, 5000);
    expect(chunks).toHaveLength(0);
    expect((error as CliError).code).toBe('device');
    expect((error as CliError).message).toMatch(/audio open error/);
  });

  it('ends after exactly --duration of audio and stops the recorder', async () => {
    const env = fakeEnv({ FAKE_MIC_LOOP: '1' });
    const mic = await openMicSource({ recorder: 'arecord', captureRate: 48000, durationMs: 500, env });
    expect(mic.durationMs).toBe(500);
    const { chunks, error } = await collect(mic, 5000);
    expect(error).toBeUndefined();
    expect(totalBytes(chunks)).toBe(48000);
    const pid = loggedRuns(env)[0]?.pid ?? 0;
    await waitFor(() => !isAlive(pid));
  });

  it('mute drops audio but keeps the recorder running; unmute resumes with fresh audio', async () => {
    const env = fakeEnv({ FAKE_MIC_LOOP: '1' });
    const mic = await openMicSource({ recorder: 'arecord', captureRate: 16000, env });
    const received: { at: number; bytes: number }[] = [];
    const reading = (async () => {
      for await (const chunk of mic.chunks()) received.push({ at: performance.now(), bytes: chunk.data.length });
    })();
    await waitFor(() => received.length > 3);
    mic.setMuted(true);
    expect(mic.muted).toBe(true);
    const mutedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(received.filter((entry) => entry.at > mutedAt + 5)).toHaveLength(0);
    const pid = loggedRuns(env)[0]?.pid ?? 0;
    expect(isAlive(pid)).toBe(true);
    mic.setMuted(false);
    const unmutedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = received.filter((entry) => entry.at > unmutedAt);
    expect(after.length).toBeGreaterThan(3);
    // No burst of audio held during the mute: what arrives is at most what real time allows
    // (300 ms at 16 kHz) plus scheduling slack; the 400 ms muted would show up as far more.
    const afterBytes = after.reduce((sum, entry) => sum + entry.bytes, 0);
    expect(afterBytes).toBeLessThanOrEqual(((300 + 100) * 16000 * 2) / 1000);
    await mic.stop();
    await reading;
  });
});
