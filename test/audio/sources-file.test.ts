import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { openFileSource } from '../../src/audio/sources/file.js';
import { collect, readShared, shared, soxDecode, tempDir, writeTemp } from './wav-fixtures.js';

describe('openFileSource', () => {
  it('hello.wav, fast: 20 ms chunks (441 frames) in the file’s own rate, bit-exact', async () => {
    const source = await openFileSource(shared('hello.wav'), { pace: 'fast' });
    expect(source.label).toBe('hello.wav (WAV, 22050 Hz, 1 ch)');
    expect(source.durationMs).toBeCloseTo(4025.17, 1);
    const { data, chunks } = await collect(source.chunks());
    expect(data.equals(soxDecode(shared('hello.wav')))).toBe(true);
    expect(chunks.slice(0, -1).every((chunk) => chunk.data.length === 441 * 2 && chunk.sampleRate === 22050)).toBe(true);
    expect(chunks.at(-1)?.data.length).toBe((88756 % 441) * 2);
  });

  it('weather-48k-stereo.wav: 960-frame stereo chunks; chunkMs 10 halves them', async () => {
    const source = await openFileSource(shared('weather-48k-stereo.wav'), { pace: 'fast', chunkMs: 10 });
    expect(source.label).toBe('weather-48k-stereo.wav (WAV, 48000 Hz, 2 ch)');
    const { data, chunks } = await collect(source.chunks());
    expect(chunks[0]).toMatchObject({ sampleRate: 48000, channels: 2 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.data.length === 480 * 4)).toBe(true);
    expect(data.equals(soxDecode(shared('weather-48k-stereo.wav')))).toBe(true);
  });

  it('raw PCM with --rate 24000', async () => {
    const source = await openFileSource(shared('weather-24k.pcm'), { pace: 'fast', rate: 24000 });
    expect(source.label).toBe('weather-24k.pcm (raw s16le, 24000 Hz, 1 ch)');
    expect(source.durationMs).toBeCloseTo(258554 / 2 / 24, 3);
    const { data, chunks } = await collect(source.chunks());
    expect(data.equals(readShared('weather-24k.pcm'))).toBe(true);
    expect(chunks[0]?.data.length).toBe(480 * 2);
  });

  it('a bad file fails on open, before anything would connect', async () => {
    const path = writeTemp(tempDir(), 'talk.mp3', Buffer.concat([Buffer.from('ID3\x04'), Buffer.alloc(100)]));
    const error = await openFileSource(path, { pace: 'realtime' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toContain(path);
  });

  it('a bad pace is a usage error', async () => {
    const error = await openFileSource(shared('hello.wav'), { pace: 'slow' as never }).catch((caught: unknown) => caught);
    expect((error as CliError).code).toBe('usage');
  });

  it('truncated data: every chunk that arrived, then the error (exit 2)', async () => {
    const path = writeTemp(tempDir(), 'cut.wav', readShared('hello.wav').subarray(0, 44 + 44100));
    const source = await openFileSource(path, { pace: 'fast' });
    // The duration is what the file really holds, so progress bars do not wait for the missing part.
    expect(source.durationMs).toBe(1000);
    let bytes = 0;
    const error = await (async () => {
      for await (const chunk of source.chunks()) bytes += chunk.data.length;
    })().catch((caught: unknown) => caught);
    expect(bytes).toBe(44100);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(/^.*cut\.wav: truncated WAV data/);
  });

  it('chunks() can be iterated only once; stop() is safe twice and before iterating', async () => {
    const source = await openFileSource(shared('hello.wav'), { pace: 'fast' });
    await source.stop();
    await source.stop();
    const { chunks } = await collect(source.chunks());
    expect(chunks).toEqual([]);
    await expect(collect(source.chunks())).rejects.toThrow(/only once/);
  });

  it('stop() mid-stream ends chunks() quietly', async () => {
    const source = await openFileSource(shared('weather-48k-stereo.wav'), { pace: 'fast' });
    let count = 0;
    for await (const _chunk of source.chunks()) {
      count++;
      if (count === 5) await source.stop();
    }
    expect(count).toBe(5);
  });
});
