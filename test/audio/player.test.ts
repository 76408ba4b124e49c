import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { openPlayerSink, playerArgs, type PlayerName } from '../../src/audio/sinks/player.js';
import { isAlive, waitFor } from '../helpers/process.js';

// The fake players in test/fixtures/bin consume stdin at real-time pace through a device buffer of
// the size they were asked for, and record what they received in FAKE_PLAYER_LOG.
const fakeBin = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
const weather24k = readFileSync(fileURLToPath(new URL('../fixtures/audio/weather-24k.pcm', import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'live-cli-player-'));
const nodeBin = join(work, 'node-bin');
mkdirSync(nodeBin);
symlinkSync(process.execPath, join(nodeBin, 'node'));
let runs = 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

function fakeEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; logDir: string } {
  const logDir = join(work, `log-${++runs}`);
  mkdirSync(logDir);
  return { env: { PATH: `${fakeBin}:${nodeBin}`, HOME: work, FAKE_PLAYER_LOG: logDir, ...extra }, logDir };
}

interface PlayerRecord {
  tool: string;
  argv: string[];
  rate: number;
  channels: number;
  pid: number;
  receivedBytes: number;
  playedBytes: number;
  endedBy: string | null;
}

function playerRecords(logDir: string): (PlayerRecord & { raw: Buffer })[] {
  return readdirSync(logDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const record = JSON.parse(readFileSync(join(logDir, name), 'utf8')) as PlayerRecord;
      const rawPath = join(logDir, name.replace(/\.json$/, '.raw'));
      return { ...record, raw: existsSync(rawPath) ? readFileSync(rawPath) : Buffer.alloc(0) };
    })
    .sort((a, b) => a.pid - b.pid);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pcm24k = (bytes: Buffer): PcmChunk => ({ data: bytes, sampleRate: 24000, channels: 1 });
const msOf24k = (ms: number): number => (ms * 24000 * 2) / 1000;



describe('playerArgs', () => {
  it('asks every player for raw s16le mono at the rate, with a small device buffer', () => {
    const format = { sampleRate: 24000, channels: 1 };
    expect(playerArgs('aplay', format, 'plughw:0')).toEqual([
      '-q', '-t', 'raw', '-f', 'S16_LE', '-r', '24000', '-c', '1', '--buffer-time=100000', '-D', 'plughw:0', '-',
    ]);
    expect(playerArgs('paplay', format)).toEqual(['--raw', '--format=s16le', '--rate=24000', '--channels=1', '--latency-msec=100']);
    expect(playerArgs('pw-play', format, '42')).toEqual([
      '--rate', '24000', '--channels', '1', '--format', 's16', '--latency=100ms', '--target', '42', '-',
    ]);
    expect(playerArgs('play', format)).toEqual([
      '-q', '--buffer', '1920', '-t', 'raw', '-r', '24000', '-e', 'signed-integer', '-b', '16', '-c', '1', '-',
    ]);
  });
});

describe('PlayerSink with fake players', () => {
  it.each<PlayerName>(['aplay', 'paplay', 'pw-play', 'play'])('%s plays out everything written, byte for byte, then closes', async (name) => {
    const { env, logDir } = fakeEnv();
    const sink = openPlayerSink(name, join(fakeBin, name), { env });
    const audio = weather24k.subarray(0, msOf24k(300));
    for (let offset = 0; offset < audio.length; offset += 960) sink.write(pcm24k(audio.subarray(offset, offset + 960)));
    const started = performance.now();
    await sink.close();
    // Paced: closing waits for real-time playback rather than dumping it all at once.
    expect(performance.now() - started).toBeGreaterThan(150);
    const [record, ...others] = playerRecords(logDir);
    expect(others).toHaveLength(0);
    expect(record?.tool).toBe(name);
    expect(record?.rate).toBe(24000);
    expect(record?.channels).toBe(1);
    expect(record?.endedBy).toBe('end');
    expect(record?.raw.equals(audio)).toBe(true);
  });

  it('never writes more than ~100 ms ahead of real time', async () => {
    const { env, logDir } = fakeEnv();
    const sink = openPlayerSink('aplay', join(fakeBin, 'aplay'), { env });
    const begin = performance.now();
    // A reply arrives much faster than real time: 3 s of audio at once.
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(3000))));
    for (let i = 0; i < 30; i++) {
      const stats = sink.stats();
      const elapsed = performance.now() - begin;
      expect(stats.aheadMs).toBeLessThanOrEqual(100.5);
      // Everything written so far fits in elapsed real time plus the lead (the sink's clock
      // started after `begin`, so this cannot be tighter than the truth).
      expect(stats.writtenMs).toBeLessThanOrEqual(elapsed + 100.5);
      expect(stats.queuedMs + stats.writtenMs).toBeCloseTo(3000, 3);
      await sleep(20);
    }
    const stats = sink.stats();
    expect(stats.maxAheadMs).toBeLessThanOrEqual(100.5);
    expect(stats.writtenMs).toBeGreaterThan(400);
    // The player never got more than it could have played plus its lead.
    const [record] = playerRecords(logDir);
    expect(record?.receivedBytes).toBeLessThanOrEqual(msOf24k(performance.now() - begin + 100.5));
    sink.flush();
    await sink.close();
  });

  it('flush drops the queue, kills the player, reports droppedMs, and respawns on the next write', async () => {
    const { env, logDir } = fakeEnv();
    const sink = openPlayerSink('aplay', join(fakeBin, 'aplay'), { env });
    const begin = performance.now();
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(2000))));
    await sleep(300);
    const firstPid = sink.player.pid ?? 0;
    expect(isAlive(firstPid)).toBe(true);
    const before = sink.stats();
    const elapsed = performance.now() - begin;
    const dropped = sink.flush();
    // Everything not yet played: the queue plus what was written ahead, i.e. all but what real
    // time has played since the write.
    expect(dropped).toBeCloseTo(before.queuedMs + before.aheadMs, -1);
    expect(dropped).toBeGreaterThanOrEqual(2000 - elapsed - 1);
    // The sink's clock starts when the player has spawned, after `begin`: on a loaded CI machine that
    // took over 20 ms once, so the upper bound allows 100 ms of start-up (the lower one is exact).
    expect(dropped).toBeLessThanOrEqual(2000 - elapsed + 100);
    expect(sink.stats().queuedMs).toBe(0);
    expect(sink.stats().droppedMs).toBe(dropped);
    await waitFor(() => !isAlive(firstPid), 1000);
    // Nothing more is written after the flush.
    const writtenAtFlush = sink.stats().writtenMs;
    await sleep(50);
    expect(sink.stats().writtenMs).toBe(writtenAtFlush);

    // A second flush with nothing queued drops nothing.
    expect(sink.flush()).toBe(0);

    const next = weather24k.subarray(msOf24k(2000), msOf24k(2200));
    sink.write(pcm24k(next));
    const secondPid = sink.player.pid ?? 0;
    expect(secondPid).not.toBe(firstPid);
    expect(sink.stats().deviceStarts).toBe(2);
    await sink.close();
    const records = playerRecords(logDir);
    expect(records).toHaveLength(2);
    const second = records.find((record) => record.pid === secondPid);
    expect(second?.raw.equals(next)).toBe(true);
    expect(second?.endedBy).toBe('end');
    const first = records.find((record) => record.pid === firstPid);
    // The killed player got only what was paced into it: at most the lead beyond real time.
    expect(first?.receivedBytes).toBeLessThanOrEqual(msOf24k(elapsed + 101));
  });

  it('close({ discard: true }) stops at once', async () => {
    const { env } = fakeEnv();
    const sink = openPlayerSink('aplay', join(fakeBin, 'aplay'), { env });
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(2000))));
    await sleep(100);
    const started = performance.now();
    await sink.close({ discard: true });
    expect(performance.now() - started).toBeLessThan(100);
    await sink.close(); // twice is fine
  });

  it('starts a new player when the format changes, after the old one has played out', async () => {
    const { env, logDir } = fakeEnv();
    const sink = openPlayerSink('aplay', join(fakeBin, 'aplay'), { env });
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(100))));
    sink.write({ data: Buffer.alloc(3200), sampleRate: 16000, channels: 1 });
    await sink.close();
    const records = playerRecords(logDir);
    expect(records.map((record) => record.rate)).toEqual([24000, 16000]);
    expect(records.map((record) => record.receivedBytes)).toEqual([msOf24k(100), 3200]);
  });

  it('a player that fails is reported once as a device error, and close() rejects', async () => {
    const { env } = fakeEnv({ FAKE_PLAYER_FAIL: 'open' });
    const errors: CliError[] = [];
    const sink = openPlayerSink('aplay', join(fakeBin, 'aplay'), { env, onError: (error) => errors.push(error) });
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(500))));
    await waitFor(() => errors.length > 0);
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(100))));
    await sleep(50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.exitCode).toBe(5);
    expect(errors[0]?.message).toMatch(/aplay exited with code 1: .*audio open error/);
    await expect(sink.close()).rejects.toBeInstanceOf(CliError);
  });

  it('a player binary that vanished is a device error naming the package', async () => {
    const { env } = fakeEnv();
    const errors: CliError[] = [];
    const sink = openPlayerSink('paplay', join(work, 'no-such-paplay'), { env, onError: (error) => errors.push(error) });
    sink.write(pcm24k(weather24k.subarray(0, msOf24k(100))));
    await waitFor(() => errors.length > 0);
    expect(errors[0]?.message).toMatch(/pulseaudio-utils/);
    await expect(sink.close()).rejects.toThrow(/paplay/);
  });
});
