import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { readWav, WavParser, type WavStream } from '../../src/audio/wav.js';
import {
  buildWav,
  collect,
  insertBeforeData,
  maxSampleDifference,
  readableOf,
  readShared,
  reslice,
  riffChunk,
  shared,
  sox,
  soxDecode,
  splitWav,
  tempDir,
  writeTemp,
} from './wav-fixtures.js';

async function decodeFile(path: string): Promise<{ stream: WavStream; data: Buffer }> {
  const stream = await readWav(createReadStream(path), path);
  const { data } = await collect(stream.chunks());
  return { stream, data };
}

async function decodeBytes(bytes: Buffer, pieces = [bytes], name = 'test.wav'): Promise<{ stream: WavStream; data: Buffer }> {
  const stream = await readWav(readableOf(pieces), name);
  const { data } = await collect(stream.chunks());
  return { stream, data };
}

async function inputErrorOf(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CliError);
  const cliError = error as CliError;
  expect(cliError.code).toBe('input');
  expect(cliError.exitCode).toBe(2);
  expect(cliError.message).not.toContain('\n');
  return cliError;
}

describe('readWav: the shared test files, against sox', () => {
  it('hello.wav: 22050 Hz mono s16, 4.03 s, bit-exact', async () => {
    const { stream, data } = await decodeFile(shared('hello.wav'));
    expect(stream.info.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16, encoding: 's16le' });
    expect(stream.info.durationMs).toBeCloseTo(4025.17, 1);
    expect(stream.info.dataOffset).toBe(44);
    expect(data.equals(soxDecode(shared('hello.wav')))).toBe(true);
  });

  it('weather-48k-stereo.wav: 48 kHz stereo, interleaved, bit-exact', async () => {
    const { stream, data } = await decodeFile(shared('weather-48k-stereo.wav'));
    expect(stream.info.format).toMatchObject({ sampleRate: 48000, channels: 2, encoding: 's16le' });
    expect(stream.info.durationMs).toBeCloseTo(5386.5, 0);
    expect(data.equals(soxDecode(shared('weather-48k-stereo.wav')))).toBe(true);
  });

  it('interrupt-44k-float.wav: float32 (with a fact chunk) within 1 LSB of sox', async () => {
    const { stream, data } = await decodeFile(shared('interrupt-44k-float.wav'));
    expect(stream.info.format).toEqual({ sampleRate: 44100, channels: 1, bitsPerSample: 32, encoding: 'f32le' });
    expect(stream.info.durationMs).toBeCloseTo(3759.4, 0);
    expect(maxSampleDifference(data, soxDecode(shared('interrupt-44k-float.wav')))).toBeLessThanOrEqual(1);
  });
});

describe('readWav: formats generated with sox', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  const cases: { name: string; args: string[]; encoding: string; channels: number; tolerance: number }[] = [
    { name: 'u8.wav', args: ['-b', '8', '-e', 'unsigned-integer'], encoding: 'u8', channels: 1, tolerance: 0 },
    { name: 's24.wav', args: ['-b', '24'], encoding: 's24le', channels: 1, tolerance: 1 },
    { name: 's32.wav', args: ['-b', '32'], encoding: 's32le', channels: 1, tolerance: 1 },
    { name: 'f64.wav', args: ['-e', 'floating-point', '-b', '64'], encoding: 'f64le', channels: 1, tolerance: 1 },
    // sox writes WAVE_FORMAT_EXTENSIBLE for more than two channels and for more than 16 bits.
    { name: 'ext-3ch-s16.wav', args: ['-c', '3'], encoding: 's16le', channels: 3, tolerance: 0 },
    { name: 'ext-6ch-s24.wav', args: ['-c', '6', '-b', '24'], encoding: 's24le', channels: 6, tolerance: 1 },
    { name: 'ext-stereo-f32.wav', args: ['-c', '2', '-e', 'floating-point', '-b', '32'], encoding: 'f32le', channels: 2, tolerance: 1 },
  ];

  for (const testCase of cases) {
    it(`${testCase.name}: ${testCase.encoding}, ${testCase.channels} ch, within ${testCase.tolerance} LSB of sox`, async () => {
      const path = `${dir}/${testCase.name}`;
      // Gain first, so the wide formats use their low bits and rounding is really exercised.
      sox([shared('hello.wav'), ...testCase.args, path, 'vol', '0.9']);
      const { stream, data } = await decodeFile(path);
      expect(stream.info.format.encoding).toBe(testCase.encoding);
      expect(stream.info.format.channels).toBe(testCase.channels);
      expect(stream.info.format.sampleRate).toBe(22050);
      const reference = soxDecode(path);
      expect(data.length).toBe(reference.length);
      expect(maxSampleDifference(data, reference)).toBeLessThanOrEqual(testCase.tolerance);
    });
  }

  it('WAVE_FORMAT_EXTENSIBLE is really what sox wrote for > 16 bits', () => {
    sox([shared('hello.wav'), '-b', '24', `${dir}/check-ext.wav`, 'trim', '0', '0.01']);
    expect(readFileSync(`${dir}/check-ext.wav`).readUInt16LE(20)).toBe(0xfffe);
  });

  it('an A-law WAV is refused as unsupported, with a sox command to convert it', async () => {
    const path = `${dir}/alaw.wav`;
    sox([shared('hello.wav'), '-e', 'a-law', path]);
    const error = await inputErrorOf(readWav(createReadStream(path), path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('A-law');
    expect(error.message).toContain('sox ');
  });

  it('a big-endian RIFX WAV is refused', async () => {
    const path = `${dir}/rifx.wav`;
    sox([shared('hello.wav'), '-B', path]);
    const error = await inputErrorOf(readWav(createReadStream(path), path));
    expect(error.message).toMatch(/RIFX/);
  });
});

describe('readWav: odd layouts', () => {
  const hello = readShared('hello.wav');
  const helloAudio = splitWav(hello).data;

  it('skips a LIST chunk before data and an odd-sized chunk with its pad byte; sox agrees', async () => {
    const dir = tempDir();
    const list = riffChunk('LIST', Buffer.concat([Buffer.from('INFOICMT', 'latin1'), Buffer.from([5, 0, 0, 0]), Buffer.from('hello')]));
    const odd = riffChunk('junk', Buffer.from('odd'));
    const wav = insertBeforeData(hello, [list, odd]);
    const path = writeTemp(dir, 'layout.wav', wav);
    const { stream, data } = await decodeFile(path);
    expect(stream.info.dataOffset).toBe(44 + list.length + odd.length);
    expect(data.equals(helloAudio)).toBe(true);
    expect(data.equals(soxDecode(path))).toBe(true);
  });

  it('ignores chunks after the data chunk', async () => {
    const wav = buildWav(helloAudio, {
      channels: 1,
      sampleRate: 22050,
      bitsPerSample: 16,
      after: [riffChunk('LIST', Buffer.from('INFOISFT\x03\0\0\0sox\0', 'latin1'))],
    });
    const { data } = await decodeBytes(wav);
    expect(data.equals(helloAudio)).toBe(true);
  });

  it('an odd-sized data chunk of 8-bit audio, followed by its pad byte and another chunk', async () => {
    const audio = Buffer.from([0, 64, 128, 192, 255]);
    const wav = buildWav(audio, { channels: 1, sampleRate: 8000, bitsPerSample: 8, after: [riffChunk('LIST', Buffer.alloc(6))] });
    const { data } = await decodeBytes(wav);
    expect([...new Int16Array(data.buffer, data.byteOffset, data.length / 2)]).toEqual([-32768, -16384, 0, 16384, 32512]);
  });

  it('WAVE_FORMAT_EXTENSIBLE for 16-bit mono (subformat PCM) and float (subformat 3)', async () => {
    const pcm = await decodeBytes(buildWav(helloAudio, { channels: 1, sampleRate: 22050, bitsPerSample: 16, extensibleSubformat: 1 }));
    expect(pcm.stream.info.format.encoding).toBe('s16le');
    expect(pcm.data.equals(helloAudio)).toBe(true);
    const floats = Buffer.alloc(8);
    floats.writeFloatLE(0.5, 0);
    floats.writeFloatLE(-1, 4);
    const float = await decodeBytes(buildWav(floats, { channels: 1, sampleRate: 16000, bitsPerSample: 32, extensibleSubformat: 3 }));
    expect(float.stream.info.format.encoding).toBe('f32le');
    expect([float.data.readInt16LE(0), float.data.readInt16LE(2)]).toEqual([16384, -32768]);
  });

  for (const dataSize of [0, 0xffffffff]) {
    it(`a data size of 0x${dataSize.toString(16)} means "until the end of the stream"`, async () => {
      const wav = buildWav(helloAudio, { channels: 1, sampleRate: 22050, bitsPerSample: 16, dataSize });
      const { stream, data } = await decodeBytes(wav);
      expect(stream.info.dataBytes).toBeUndefined();
      expect(stream.info.durationMs).toBeUndefined();
      expect(data.equals(helloAudio)).toBe(true);
    });
  }

  it('sox writing to a pipe (placeholder size 0x7ffff000): read to EOF, not called truncated', async () => {
    // `trim 0` hides the length from sox, as a live source would: it then writes its placeholder.
    const child = spawn('sox', ['-D', '-V1', shared('weather-48k-stereo.wav'), '-t', 'wav', '-', 'trim', '0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const stream = await readWav(child.stdout, 'stdin');
    expect(stream.info.dataBytes).toBeUndefined();
    expect(stream.info.format).toMatchObject({ sampleRate: 48000, channels: 2 });
    const { data } = await collect(stream.chunks());
    expect(data.equals(soxDecode(shared('weather-48k-stereo.wav')))).toBe(true);
  });

  it('sox piping 24-bit (placeholder 0x7fffefff, whole 3-byte frames) decodes like the file', async () => {
    const child = spawn('sox', ['-D', '-V1', shared('hello.wav'), '-b', '24', '-t', 'wav', '-', 'vol', '0.9', 'trim', '0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const stream = await readWav(child.stdout, 'stdin');
    expect(stream.info.format.encoding).toBe('s24le');
    expect(stream.info.dataBytes).toBeUndefined();
    const { data } = await collect(stream.chunks());
    const dir = tempDir();
    sox([shared('hello.wav'), '-b', '24', `${dir}/ref.wav`, 'vol', '0.9']);
    expect(maxSampleDifference(data, soxDecode(`${dir}/ref.wav`))).toBeLessThanOrEqual(1);
  });

  it('RF64: the data size comes from the ds64 chunk', async () => {
    const ds64 = Buffer.alloc(28);
    ds64.writeBigUInt64LE(BigInt(helloAudio.length + 100), 0);
    ds64.writeBigUInt64LE(BigInt(helloAudio.length), 8);
    ds64.writeBigUInt64LE(BigInt(helloAudio.length / 2), 16);
    const wav = buildWav(helloAudio, { channels: 1, sampleRate: 22050, bitsPerSample: 16, dataSize: 0xffffffff, after: [riffChunk('junk', Buffer.alloc(10))] });
    // RF64 puts ds64 first, before fmt.
    const rf64 = Buffer.concat([Buffer.from('RF64', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('WAVE', 'latin1'), riffChunk('ds64', ds64), wav.subarray(12)]);
    const { stream, data } = await decodeBytes(rf64);
    expect(stream.info.dataBytes).toBe(helloAudio.length);
    expect(data.equals(helloAudio)).toBe(true);
  });

  it('a data chunk that is not whole frames: the trailing partial frame is dropped', async () => {
    const audio = Buffer.from([1, 0, 2, 0, 3]);
    const { data } = await decodeBytes(buildWav(audio, { channels: 1, sampleRate: 16000, bitsPerSample: 16 }));
    expect(data.equals(Buffer.from([1, 0, 2, 0]))).toBe(true);
  });
});

describe('readWav: any chunk boundaries give the same output', () => {
  const files = ['hello.wav', 'weather-48k-stereo.wav', 'interrupt-44k-float.wav'];
  for (const file of files) {
    it(`${file}: seeded random re-slicing, including 1-byte pieces`, async () => {
      const bytes = readShared(file);
      const whole = await decodeBytes(bytes);
      for (const seed of [1, 2, 3]) {
        const sliced = await decodeBytes(bytes, reslice(bytes, seed, seed === 3 ? 7 : 5000));
        expect(sliced.stream.info).toEqual(whole.stream.info);
        expect(sliced.data.equals(whole.data)).toBe(true);
      }
    });
  }

  it('a 24-bit 6-channel file with a LIST chunk, fed one byte at a time', async () => {
    const dir = tempDir();
    sox([shared('hello.wav'), '-c', '6', '-b', '24', `${dir}/six.wav`, 'trim', '0', '0.3']);
    const bytes = insertBeforeData(readFileSync(`${dir}/six.wav`), [riffChunk('LIST', Buffer.alloc(33, 7))]);
    const whole = await decodeBytes(bytes);
    const oneByOne = await decodeBytes(bytes, [...bytes].map((byte) => Buffer.from([byte])));
    expect(oneByOne.data.equals(whole.data)).toBe(true);
    expect(whole.data.length).toBe(Math.round(0.3 * 22050) * 6 * 2);
  });

  it('every output chunk is whole frames on an even byte offset', async () => {
    const bytes = readShared('weather-48k-stereo.wav');
    const stream = await readWav(readableOf(reslice(bytes, 9, 301)), 'x.wav');
    for await (const chunk of stream.chunks()) {
      expect(chunk.data.length % 4).toBe(0);
      expect(chunk.data.byteOffset % 2).toBe(0);
    }
  });
});

describe('readWav: bad input is a CliError (exit 2) naming the input', () => {
  const hello = readShared('hello.wav');
  const helloAudio = splitWav(hello).data;

  it('a truncated header, cut anywhere before the audio', async () => {
    for (const length of [1, 4, 11, 12, 20, 36, 43]) {
      const error = await inputErrorOf(readWav(readableOf([hello.subarray(0, length)]), 'cut.wav'));
      expect(error.message).toMatch(/^cut\.wav: truncated WAV header/);
    }
  });

  it('truncated data: the audio that arrived is yielded, then the truncation is an error', async () => {
    const cut = hello.subarray(0, 44 + 10_001);
    const stream = await readWav(readableOf(reslice(cut, 4)), 'cut.wav');
    const received: Buffer[] = [];
    const error = await inputErrorOf(
      (async () => {
        for await (const chunk of stream.chunks()) received.push(chunk.data);
      })(),
    );
    expect(error.message).toMatch(/^cut\.wav: truncated WAV data: the header declares 4\.03 s of audio but the input ends after 0\.23 s/);
    expect(Buffer.concat(received).equals(helloAudio.subarray(0, 10_000))).toBe(true);
  });

  it('a sample rate of 0, 0 channels, bad bits, a malformed extensible header', async () => {
    const layouts = [
      { sampleRate: 0, channels: 1, bitsPerSample: 16, expect: /sample rate is 0 Hz/ },
      { sampleRate: 16000, channels: 0, bitsPerSample: 16, expect: /0 channels/ },
      { sampleRate: 16000, channels: 1, bitsPerSample: 48, expect: /48-bit integer WAV is not supported/ },
      { sampleRate: 16000, channels: 1, bitsPerSample: 16, formatCode: 3, expect: /16-bit float WAV is not supported/ },
      { sampleRate: 16000, channels: 1, bitsPerSample: 16, formatCode: 0x55, expect: /MP3-encoded WAV is not supported/ },
    ];
    for (const layout of layouts) {
      const error = await inputErrorOf(readWav(readableOf([buildWav(Buffer.alloc(100), layout)]), 'bad.wav'));
      expect(error.message).toMatch(/^bad\.wav: /);
      expect(error.message).toMatch(layout.expect);
    }
  });

  it('no fmt chunk before data, a RIFF that is not WAVE, a header with no audio', async () => {
    const noFmt = riffChunk('RIFF', Buffer.concat([Buffer.from('WAVE'), riffChunk('data', Buffer.alloc(10))]));
    expect((await inputErrorOf(readWav(readableOf([noFmt]), 'a.wav'))).message).toMatch(/no fmt chunk/);
    const avi = riffChunk('RIFF', Buffer.concat([Buffer.from('AVI '), riffChunk('hdrl', Buffer.alloc(10))]));
    expect((await inputErrorOf(readWav(readableOf([avi]), 'b.wav'))).message).toMatch(/RIFF file of type "AVI ", not WAVE/);
    const empty = buildWav(Buffer.alloc(0), { channels: 1, sampleRate: 16000, bitsPerSample: 16 });
    const stream = await readWav(readableOf([empty]), 'c.wav');
    expect((await inputErrorOf(collect(stream.chunks()))).message).toMatch(/^c\.wav: the WAV file has a header but no audio/);
  });
});

describe('WavParser: bounded memory', () => {
  it('skips a 20 MB chunk before data without holding it, and passes audio through without holding it', () => {
    const parser = new WavParser('big.wav');
    const head = buildWav(Buffer.alloc(0), { channels: 2, sampleRate: 48000, bitsPerSample: 16 });
    // Everything up to the data chunk, then a huge unknown chunk announced before data.
    const fmtEnd = 12 + 8 + 16;
    parser.push(head.subarray(0, fmtEnd));
    const bigSize = 20 * 1024 * 1024;
    const bigHeader = Buffer.alloc(8);
    bigHeader.write('bext', 0, 'latin1');
    bigHeader.writeUInt32LE(bigSize, 4);
    parser.push(bigHeader);
    const block = Buffer.alloc(65_537, 1);
    let maxRetained = 0;
    for (let sent = 0; sent < bigSize; sent += block.length) {
      parser.push(block.subarray(0, Math.min(block.length, bigSize - sent)));
      maxRetained = Math.max(maxRetained, parser.retainedBytes);
    }
    const dataHeader = Buffer.alloc(8);
    dataHeader.write('data', 0, 'latin1');
    dataHeader.writeUInt32LE(0, 4);
    expect(parser.push(dataHeader)).toEqual([]);
    expect(parser.info?.dataOffset).toBe(fmtEnd + 8 + bigSize + 8);
    let audio = 0;
    for (let i = 0; i < 100; i++) {
      for (const piece of parser.push(block)) audio += piece.length;
      maxRetained = Math.max(maxRetained, parser.retainedBytes);
    }
    expect(audio).toBe(100 * block.length);
    expect(maxRetained).toBe(0);
  });
});
