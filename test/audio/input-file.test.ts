import { execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { openError, openInputFile, rawPcmFormat } from '../../src/audio/input-file.js';
import { buildWav, collect, readShared, shared, soxDecode, tempDir, writeTemp } from './wav-fixtures.js';

async function refusal(path: string, options = {}): Promise<CliError> {
  const error = await openInputFile(path, options).then(
    (input) => {
      input.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error, `${path} should be refused`).toBeInstanceOf(CliError);
  const cliError = error as CliError;
  expect(cliError.exitCode).toBe(2);
  expect(cliError.message).not.toContain('\n');
  expect(cliError.message.startsWith(`${path}: `)).toBe(true);
  return cliError;
}

/** Two MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each) and a bit more. */
function mp3Frames(): Buffer {
  const frame = Buffer.alloc(417);
  Buffer.from([0xff, 0xfb, 0x90, 0x64]).copy(frame);
  return Buffer.concat([frame, frame, frame]);
}

describe('openInputFile: the contract’s refusals (exit 2, naming the file, the problem and the fix)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  it('a missing file', async () => {
    const error = await refusal(join(dir, 'nope.wav'));
    expect(error.code).toBe('input');
    expect(error.message).toMatch(/no such file; check the path$/);
  });

  it('a directory', async () => {
    const path = join(dir, 'folder.wav');
    mkdirSync(path);
    expect((await refusal(path)).message).toMatch(/a directory, not an audio file/);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file (EACCES)', async () => {
    const path = writeTemp(dir, 'secret.wav', readShared('hello.wav'));
    chmodSync(path, 0o000);
    expect((await refusal(path)).message).toMatch(/permission denied; make it readable/);
  });

  it('EACCES and other open failures map to input errors (also checked when tests run as root)', () => {
    const eacces = openError('x.wav', Object.assign(new Error('denied'), { code: 'EACCES' }));
    expect(eacces.message).toBe('x.wav: permission denied; make it readable (chmod +r) or run as a user who can read it');
    expect(eacces.exitCode).toBe(2);
    expect(openError('y.wav', Object.assign(new Error('io'), { code: 'EIO' })).message).toMatch(/^y\.wav: cannot be read \(EIO\)/);
  });

  it('an empty file', async () => {
    expect((await refusal(writeTemp(dir, 'empty.pcm', Buffer.alloc(0)))).message).toMatch(/empty file \(0 bytes\)/);
  });

  it('a *.wav without a RIFF/WAVE header (binary junk)', async () => {
    const junk = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) % 256));
    const error = await refusal(writeTemp(dir, 'junk.wav', junk));
    expect(error.message).toMatch(/not a valid WAV file \(no RIFF\/WAVE header\); if it is raw PCM, name it \.pcm/);
  });

  const containers: [string, Buffer, RegExp][] = [
    ['song.mp3', Buffer.concat([Buffer.from('ID3\x04\0\0\0\0\0\x10'), Buffer.alloc(200)]), /MP3 \(ID3-tagged\) audio is not supported/],
    ['frames.bin', mp3Frames(), /MP3 audio is not supported/],
    ['voice.ogg', Buffer.concat([Buffer.from('OggS\0\x02'), Buffer.alloc(100)]), /Ogg \(Vorbis\/Opus\) audio/],
    ['voice.flac', Buffer.concat([Buffer.from('fLaC\0\0\0\x22'), Buffer.alloc(100)]), /FLAC audio/],
    ['voice.m4a', Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.alloc(100)]), /MP4\/M4A audio/],
    ['voice.webm', Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(100, 0x42)]), /WebM\/Matroska audio/],
    // A compressed file misnamed .wav is still named for what it is.
    ['disguised.wav', Buffer.concat([Buffer.from('OggS\0\x02'), Buffer.alloc(100)]), /Ogg \(Vorbis\/Opus\) audio/],
  ];
  for (const [name, bytes, problem] of containers) {
    it(`${name}: a compressed container, refused with a sox command to convert it`, async () => {
      const path = writeTemp(dir, name, bytes);
      const error = await refusal(path);
      expect(error.message).toMatch(problem);
      expect(error.message).toContain(`convert it to WAV first: sox ${path} -r 16000 -c 1 `);
    });
  }

  it('a file named .mp3 that no probe recognises is still refused by its name', async () => {
    const error = await refusal(writeTemp(dir, 'odd.mp3', Buffer.alloc(4000, 3)));
    expect(error.message).toMatch(/MP3 audio is not supported; convert it to WAV first: sox .*odd\.mp3 -r 16000 -c 1 .*odd\.wav$/);
  });

  it('UTF-8 text is "text, not audio", whatever its name', async () => {
    for (const name of ['notes.txt', 'notes.pcm', 'notes.wav']) {
      const error = await refusal(writeTemp(dir, name, 'Hello — this is a note.\nÜmlaut, 日本語, emoji 🎤\n'.repeat(200)));
      expect(error.message).toMatch(/text, not audio/);
    }
  });

  it('a WAV with a sample rate of 0, and one with a truncated header', async () => {
    const zeroRate = writeTemp(dir, 'zero.wav', buildWav(Buffer.alloc(100), { channels: 1, sampleRate: 0, bitsPerSample: 16 }));
    expect((await refusal(zeroRate)).message).toMatch(/sample rate is 0 Hz/);
    const truncated = writeTemp(dir, 'short.wav', readShared('hello.wav').subarray(0, 30));
    expect((await refusal(truncated)).message).toMatch(/truncated WAV header \(the input ends after 30 bytes/);
  });

  it('a WAV header with no audio after it is refused on open', async () => {
    const path = writeTemp(dir, 'hollow.wav', buildWav(Buffer.alloc(0), { channels: 1, sampleRate: 16000, bitsPerSample: 16, dataSize: 0 }));
    expect((await refusal(path)).message).toMatch(/a header but no audio samples/);
  });

  it('raw PCM of less than one frame', async () => {
    expect((await refusal(writeTemp(dir, 'one.pcm', Buffer.from([7])))).message).toMatch(/no audio \(1 bytes/);
  });
});

describe('openInputFile: what is accepted', () => {
  it('a WAV by its header, whatever its name; raw options do not override the header', async () => {
    const dir = tempDir();
    const path = writeTemp(dir, 'speech.data', readShared('hello.wav'));
    const input = await openInputFile(path, { rate: 48000, channels: 2 });
    expect(input.kind).toBe('wav');
    expect(input.format).toMatchObject({ sampleRate: 22050, channels: 1 });
    expect(input.durationMs).toBeCloseTo(4025.17, 1);
    const { data } = await collect(input.chunks());
    expect(data.equals(soxDecode(shared('hello.wav')))).toBe(true);
  });

  it('raw PCM defaults to s16le 16 kHz mono; silence is audio, not text', async () => {
    for (const name of ['hello-16k.pcm', 'silence-3s-16k.pcm']) {
      const input = await openInputFile(shared(name));
      expect(input.kind).toBe('raw');
      expect(input.format).toEqual({ sampleRate: 16000, channels: 1, bitsPerSample: 16, encoding: 's16le' });
      const { data } = await collect(input.chunks());
      expect(data.equals(readFileSync(shared(name)))).toBe(true);
    }
    const silence = await openInputFile(shared('silence-3s-16k.pcm'));
    expect(silence.durationMs).toBe(3000);
    silence.close();
  });

  it('raw PCM of −1 samples (FF FF…, a frame sync) is not mistaken for MP3', async () => {
    const path = writeTemp(tempDir(), 'hiss.raw', Buffer.alloc(8000, 0xff));
    const input = await openInputFile(path);
    expect(input.kind).toBe('raw');
    input.close();
  });

  it('raw PCM with --rate, --channels, --encoding f32le', async () => {
    const floats = Buffer.alloc(4 * 2 * 480);
    for (let i = 0; i < 960; i++) floats.writeFloatLE(i % 2 === 0 ? 0.25 : -0.25, i * 4);
    const path = writeTemp(tempDir(), 'float.raw', floats);
    const input = await openInputFile(path, { rate: 48000, channels: 2, encoding: 'f32le' });
    expect(input.format).toEqual({ sampleRate: 48000, channels: 2, bitsPerSample: 32, encoding: 'f32le' });
    expect(input.durationMs).toBe(10);
    const { data } = await collect(input.chunks());
    expect(data.length).toBe(960 * 2);
    expect([data.readInt16LE(0), data.readInt16LE(2)]).toEqual([8192, -8192]);
  });

  it('bad raw options are usage errors (exit 2) before the file is touched', async () => {
    for (const options of [{ rate: 7999 }, { rate: 192001 }, { rate: 16000.5 }, { channels: 0 }, { channels: 9 }, { encoding: 'u8' }]) {
      const error = await openInputFile('/nonexistent.pcm', options as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).code).toBe('usage');
      expect((error as CliError).exitCode).toBe(2);
    }
    expect(rawPcmFormat({ rate: 8000, channels: 8 })).toMatchObject({ sampleRate: 8000, channels: 8 });
    expect(rawPcmFormat({ rate: 192000 }).sampleRate).toBe(192000);
  });

  it('a named pipe (as `--input <(sox …)` gives) streams like stdin', async () => {
    const path = join(tempDir(), 'fifo');
    execFileSync('mkfifo', [path]);
    const opening = openInputFile(path);
    const writer = createWriteStream(path);
    writer.end(readShared('weather-48k-stereo.wav'));
    const input = await opening;
    expect(input.kind).toBe('wav');
    expect(input.durationMs).toBeCloseTo(5386.5, 0);
    const { data } = await collect(input.chunks());
    expect(data.equals(soxDecode(shared('weather-48k-stereo.wav')))).toBe(true);
  });
});
