import { describe, expect, it } from 'vitest';
import { downmixChunk, downmixToMono } from '../../src/audio/mono.js';
import { collect, maxSampleDifference, shared, sox } from './wav-fixtures.js';
import { readWav } from '../../src/audio/wav.js';
import { createReadStream } from 'node:fs';

describe('downmixToMono', () => {
  it('averages stereo frames, rounding halves away from zero', () => {
    const stereo = Int16Array.from([100, 200, 1, 2, -1, -2, 32767, 32767, -32768, -32768, 32767, -32768, 3, 0]);
    expect([...downmixToMono(stereo, 2)]).toEqual([150, 2, -2, 32767, -32768, -1, 2]);
  });

  it('is symmetric: the negated signal downmixes to the negated result', () => {
    const input = Int16Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 65535) - 32767);
    const negated = input.map((value) => -value);
    const a = downmixToMono(input, 3);
    const b = downmixToMono(negated, 3);
    expect([...b]).toEqual([...a].map((value) => -value || 0));
  });

  it('any channel count; mono is returned as is', () => {
    expect([...downmixToMono(Int16Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 6)]).toEqual([4, 10]);
    const mono = Int16Array.from([1, 2, 3]);
    expect(downmixToMono(mono, 1)).toBe(mono);
    expect(() => downmixToMono(Int16Array.from([1, 2, 3]), 2)).toThrow(RangeError);
  });

  it('weather-48k-stereo.wav: within 1 LSB of sox’s own downmix', async () => {
    const stream = await readWav(createReadStream(shared('weather-48k-stereo.wav')), 'weather');
    const { chunks } = await collect(stream.chunks());
    const mono = Buffer.concat(chunks.map((chunk) => downmixChunk(chunk).data));
    const reference = sox([shared('weather-48k-stereo.wav'), '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-']);
    expect(maxSampleDifference(mono, reference)).toBeLessThanOrEqual(1);
  });

  it('downmixChunk keeps the rate and handles data at an odd byte offset', () => {
    const backing = Buffer.alloc(9);
    const data = backing.subarray(1);
    data.writeInt16LE(10, 0);
    data.writeInt16LE(20, 2);
    data.writeInt16LE(-10, 4);
    data.writeInt16LE(-21, 6);
    const chunk = downmixChunk({ data, sampleRate: 44100, channels: 2 });
    expect(chunk.sampleRate).toBe(44100);
    expect(chunk.channels).toBe(1);
    expect([chunk.data.readInt16LE(0), chunk.data.readInt16LE(2)]).toEqual([15, -16]);
  });
});
