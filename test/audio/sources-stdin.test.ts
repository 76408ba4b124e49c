import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { openStdinSource } from '../../src/audio/sources/stdin.js';
import { collect, readableOf, readShared, reslice, shared, soxDecode } from './wav-fixtures.js';

describe('openStdinSource', () => {
  it('WAV from sox on a pipe is recognised by its header', async () => {
    const child = spawn('sox', ['-D', '-V1', shared('weather-48k-stereo.wav'), '-t', 'wav', '-', 'trim', '0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const source = await openStdinSource(child.stdout, { pace: 'fast' });
    expect(source.label).toBe('stdin (WAV, 48000 Hz, 2 ch)');
    expect(source.durationMs).toBeUndefined();
    const { data, chunks } = await collect(source.chunks());
    expect(data.equals(soxDecode(shared('weather-48k-stereo.wav')))).toBe(true);
    expect(chunks.slice(0, -1).every((chunk) => chunk.data.length === 960 * 4)).toBe(true);
  });

  it('a WAV whose header declares its size has a duration', async () => {
    const source = await openStdinSource(readableOf([readShared('hello.wav')]), { pace: 'fast' });
    expect(source.durationMs).toBeCloseTo(4025.17, 1);
    await source.stop();
  });

  it('raw PCM per the options, from reads of random sizes', async () => {
    const bytes = readShared('weather-24k.pcm');
    const source = await openStdinSource(readableOf(reslice(bytes, 5, 999)), { pace: 'fast', rate: 24000 });
    expect(source.label).toBe('stdin (raw s16le, 24000 Hz, 1 ch)');
    const { data, chunks } = await collect(source.chunks());
    expect(data.equals(bytes.subarray(0, bytes.length - (bytes.length % 2)))).toBe(true);
    expect(chunks.slice(0, -1).every((chunk) => chunk.data.length === 960)).toBe(true);
  });

  it('empty stdin is an input error (exit 2) naming stdin', async () => {
    const error = await openStdinSource(readableOf([]), { pace: 'fast' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(/^stdin: empty input \(0 bytes\); pipe audio into it/);
  });

  it('text on stdin is "text, not audio"', async () => {
    const error = await openStdinSource(Readable.from([Buffer.from('what is the weather?\n')]), { pace: 'fast' }).catch(
      (caught: unknown) => caught,
    );
    expect((error as CliError).message).toMatch(/^stdin: text, not audio/);
  });

  it('an MP3 on stdin gets a generic sox hint', async () => {
    const error = await openStdinSource(readableOf([Buffer.concat([Buffer.from('ID3\x04'), Buffer.alloc(100)])]), { pace: 'fast' }).catch(
      (caught: unknown) => caught,
    );
    expect((error as CliError).message).toBe(
      'stdin: MP3 (ID3-tagged) audio is not supported; convert it to WAV first: sox in.mp3 -r 16000 -c 1 out.wav',
    );
  });

  it('a terminal on stdin is a usage error', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const error = await openStdinSource(tty, { pace: 'fast' }).catch((caught: unknown) => caught);
    expect((error as CliError).code).toBe('usage');
  });

  it('waits for a slow writer: the header may arrive a byte at a time', async () => {
    const pipe = new PassThrough();
    const bytes = readShared('hello.wav');
    const opening = openStdinSource(pipe, { pace: 'fast' });
    for (let i = 0; i < 60; i++) {
      pipe.write(bytes.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    pipe.end(bytes.subarray(60));
    const source = await opening;
    const { data } = await collect(source.chunks());
    expect(data.equals(soxDecode(shared('hello.wav')))).toBe(true);
  });

  it('stop() while a read is pending (a stalled pipe) ends chunks() quietly', async () => {
    const pipe = new PassThrough();
    pipe.write(readShared('hello.wav').subarray(0, 44 + 8820));
    const source = await openStdinSource(pipe, { pace: 'fast' });
    let bytes = 0;
    const reading = (async () => {
      for await (const chunk of source.chunks()) bytes += chunk.data.length;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await source.stop();
    await reading;
    expect(bytes).toBe(8820);
    expect(pipe.destroyed).toBe(true);
  });
});
