import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { alignedS16, PcmChunker, PcmDecoder, PcmFramer, rechunk, toS16, toS16Portable, type SampleEncoding } from '../../src/audio/pcm-stream.js';
import { reslice, seededRandom } from './wav-fixtures.js';

function samples(data: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) out.push(data.readInt16LE(i));
  return out;
}

function s24(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 3);
  values.forEach((value, i) => out.writeIntLE(value, i * 3, 3));
  return out;
}

describe('toS16', () => {
  it('u8: unsigned, 128 is silence, scaled up exactly', () => {
    expect(samples(toS16(Buffer.from([0, 1, 127, 128, 129, 255]), 'u8'))).toEqual([-32768, -32512, -256, 0, 256, 32512]);
  });

  it('s16le passes through untouched', () => {
    const data = Buffer.from([1, 2, 3, 4]);
    expect(toS16(data, 's16le')).toBe(data);
  });

  it('s24le: rounded half up, clamped at +max', () => {
    const input = s24([0, 127, 128, 255, 256, -128, -129, 8388607, -8388608, 0x7fff80, 0x7fff7f]);
    expect(samples(toS16(input, 's24le'))).toEqual([0, 0, 1, 1, 1, 0, -1, 32767, -32768, 32767, 32767]);
  });

  it('s32le: rounded half up, clamped, no int32 overflow near +max', () => {
    const input = Buffer.alloc(6 * 4);
    [0, 32767, 32768, -32769, 2147483647, -2147483648].forEach((value, i) => input.writeInt32LE(value, i * 4));
    expect(samples(toS16(input, 's32le'))).toEqual([0, 0, 1, -1, 32767, -32768]);
  });

  it('f32le and f64le: scaled by 32768, rounded half up, clamped; NaN is silence', () => {
    const values = [0, 0.5, -0.5, 1, -1, 2, -2, Infinity, -Infinity, NaN, 1 / 65536, -1 / 65536, 3 / 65536];
    const expected = [0, 16384, -16384, 32767, -32768, 32767, -32768, 32767, -32768, 0, 1, 0, 2];
    const f32 = Buffer.alloc(values.length * 4);
    const f64 = Buffer.alloc(values.length * 8);
    values.forEach((value, i) => {
      f32.writeFloatLE(value, i * 4);
      f64.writeDoubleLE(value, i * 8);
    });
    expect(samples(toS16(f32, 'f32le'))).toEqual(expected);
    expect(samples(toS16(f64, 'f64le'))).toEqual(expected);
  });

  it('the typed-array fast path equals the portable Buffer path on random bytes, aligned or not', () => {
    const random = seededRandom(11);
    const backing = Buffer.from(Array.from({ length: 24 * 1000 + 1 }, () => Math.floor(random() * 256)));
    for (const encoding of ['u8', 's16le', 's24le', 's32le', 'f32le', 'f64le'] as const) {
      for (const bytes of [backing.subarray(0, 24 * 1000), backing.subarray(1)]) {
        expect(toS16(bytes, encoding).equals(toS16Portable(bytes, encoding))).toBe(true);
      }
    }
  });

  it('refuses a partial sample (framing is the caller’s job)', () => {
    expect(() => toS16(Buffer.alloc(5), 's24le')).toThrow(RangeError);
  });
});

describe('PcmFramer', () => {
  it('carries split frames to the next push, whatever the boundaries, and never holds a whole frame', () => {
    const random = seededRandom(7);
    const bytes = Buffer.from(Array.from({ length: 3 * 5 * 1001 + 7 }, () => Math.floor(random() * 256)));
    for (const seed of [1, 2, 3, 4]) {
      const framer = new PcmFramer(15);
      const out: Buffer[] = [];
      for (const piece of reslice(bytes, seed, seed * 10)) {
        const frames = framer.push(piece);
        expect(frames.length % 15).toBe(0);
        expect(framer.pendingBytes).toBeLessThan(15);
        out.push(frames);
      }
      expect(Buffer.concat(out).equals(bytes.subarray(0, 3 * 5 * 1001))).toBe(true);
      expect(framer.end()).toBe(7);
    }
  });
});

describe('PcmDecoder', () => {
  const encodings: SampleEncoding[] = ['u8', 's16le', 's24le', 's32le', 'f32le', 'f64le'];
  for (const encoding of encodings) {
    it(`${encoding}, 3 channels: 1-byte pushes decode like one push`, () => {
      const random = seededRandom(encoding.length);
      const size = { u8: 1, s16le: 2, s24le: 3, s32le: 4, f32le: 4, f64le: 8 }[encoding];
      const bytes = Buffer.alloc(size * 3 * 50);
      for (let i = 0; i < 150; i++) {
        const value = random() * 2 - 1;
        if (encoding === 'f32le') bytes.writeFloatLE(value, i * 4);
        else if (encoding === 'f64le') bytes.writeDoubleLE(value, i * 8);
        else for (let b = 0; b < size; b++) bytes[i * size + b] = Math.floor(random() * 256);
      }
      const format = { sampleRate: 16000, channels: 3, bitsPerSample: size * 8, encoding };
      const whole = new PcmDecoder(format).push(bytes);
      const decoder = new PcmDecoder(format);
      const pieces: Buffer[] = [];
      for (const byte of bytes) {
        const chunk = decoder.push(Buffer.from([byte]));
        if (chunk) {
          expect(chunk.channels).toBe(3);
          expect(chunk.data.length % 6).toBe(0);
          pieces.push(chunk.data);
        }
      }
      expect(Buffer.concat(pieces).equals(whole?.data ?? Buffer.alloc(0))).toBe(true);
      expect(decoder.end()).toBe(0);
    });
  }

  it('s16 data at an odd byte offset comes out 2-byte aligned', () => {
    const backing = Buffer.alloc(101);
    const odd = backing.subarray(1, 101);
    expect(odd.byteOffset % 2).toBe(1);
    const chunk = new PcmDecoder({ sampleRate: 16000, channels: 1, bitsPerSample: 16, encoding: 's16le' }).push(odd);
    expect(chunk?.data.byteOffset).toSatisfy((offset: number) => offset % 2 === 0);
    expect(alignedS16(odd).equals(odd)).toBe(true);
  });
});

describe('PcmChunker and rechunk', () => {
  const chunkOf = (frames: number, channels = 2, sampleRate = 48000, start = 0): PcmChunk => {
    const data = Buffer.alloc(frames * channels * 2);
    for (let i = 0; i < frames * channels; i++) data.writeInt16LE((start + i) % 30000, i * 2);
    return { data, sampleRate, channels };
  };

  it('cuts reads of any size into 20 ms chunks, the last one shorter, losing nothing', async () => {
    const input = [chunkOf(1), chunkOf(2000), chunkOf(959), chunkOf(3), chunkOf(960), chunkOf(17)];
    const total = 1 + 2000 + 959 + 3 + 960 + 17;
    const out: PcmChunk[] = [];
    for await (const chunk of rechunk(Readable.from(input), 20)) out.push(chunk);
    const frames = out.map((chunk) => chunk.data.length / 4);
    expect(frames.slice(0, -1).every((count) => count === 960)).toBe(true);
    expect(frames.reduce((a, b) => a + b, 0)).toBe(total);
    expect(frames.at(-1)).toBe(total % 960);
    expect(Buffer.concat(out.map((chunk) => chunk.data)).equals(Buffer.concat(input.map((chunk) => chunk.data)))).toBe(true);
  });

  it('22050 Hz: 441-frame chunks; a format change flushes the old format first', () => {
    const chunker = new PcmChunker(20);
    const first = chunker.push(chunkOf(500, 1, 22050));
    expect(first.map((chunk) => chunk.data.length / 2)).toEqual([441]);
    const second = chunker.push(chunkOf(320, 1, 16000));
    expect(second.map((chunk) => [chunk.sampleRate, chunk.data.length / 2])).toEqual([
      [22050, 59],
      [16000, 320],
    ]);
    expect(chunker.flush()).toBeUndefined();
  });
});
