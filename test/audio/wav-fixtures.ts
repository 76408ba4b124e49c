import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { seededRandom } from '../helpers/random.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const sharedAudio = join(repoRoot, 'test', 'fixtures', 'audio');

export function shared(name: string): string {
  return join(sharedAudio, name);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'live-cli-audio-'));
}

/** Runs sox; `-D` everywhere: sox dithers by default when it reduces precision, which is random. */
export function sox(args: string[]): Buffer {
  return execFileSync('sox', ['-D', '-V1', ...args], { maxBuffer: 512 * 1024 * 1024 });
}

/** sox's own decode of `path` to s16le interleaved: the reference we compare against. */
export function soxDecode(path: string): Buffer {
  return sox([path, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-']);
}

export { seededRandom };

/**
 * Cuts `bytes` into pieces of random sizes from 1 to `maxPiece`, with now and then a run of
 * 1-byte pieces (the worst case for header and frame splitting).
 */
export function reslice(bytes: Buffer, seed: number, maxPiece = 4096): Buffer[] {
  const random = seededRandom(seed);
  const pieces: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const oneBytes = random() < 0.1 ? Math.floor(random() * 64) : 0;
    for (let i = 0; i < oneBytes && offset < bytes.length; i++, offset++) pieces.push(bytes.subarray(offset, offset + 1));
    const size = 1 + Math.floor(random() * maxPiece);
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return pieces.filter((piece) => piece.length > 0);
}

/** A binary Readable that delivers exactly these pieces. */
export function readableOf(pieces: Buffer[]): Readable {
  return Readable.from(pieces, { objectMode: false });
}

export async function collect(chunks: AsyncIterable<PcmChunk>): Promise<{ data: Buffer; chunks: PcmChunk[] }> {
  const all: PcmChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return { data: Buffer.concat(all.map((chunk) => chunk.data)), chunks: all };
}

/** Largest per-sample difference between two s16le buffers of equal length (Infinity if not equal length). */
export function maxSampleDifference(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i + 1 < a.length; i += 2) max = Math.max(max, Math.abs(a.readInt16LE(i) - b.readInt16LE(i)));
  return max;
}

/** A RIFF chunk: id, size, body and a pad byte when the body is odd-sized. */
export function riffChunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(declaredSize, 4);
  return Buffer.concat([header, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export interface WavLayout {
  formatCode?: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** WAVE_FORMAT_EXTENSIBLE with this subformat code (1 PCM, 3 float). */
  extensibleSubformat?: number;
  /** Chunks placed between fmt and data. */
  before?: Buffer[];
  /** Overrides the data chunk's size field (0, 0xFFFFFFFF…). */
  dataSize?: number;
  /** Chunks after data. */
  after?: Buffer[];
}

/** Builds a WAV around `data` with full control of its layout (sox can't write every odd layout). */
export function buildWav(data: Buffer, layout: WavLayout): Buffer {
  const { channels, sampleRate, bitsPerSample } = layout;
  const blockAlign = channels * Math.ceil(bitsPerSample / 8);
  const extensible = layout.extensibleSubformat !== undefined;
  const fmt = Buffer.alloc(extensible ? 40 : 16);
  fmt.writeUInt16LE(extensible ? 0xfffe : (layout.formatCode ?? 1), 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bitsPerSample, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bitsPerSample, 18);
    fmt.writeUInt32LE(0, 20);
    fmt.writeUInt16LE(layout.extensibleSubformat ?? 1, 24);
    Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(fmt, 26);
  }
  const body = Buffer.concat([
    Buffer.from('WAVE', 'latin1'),
    riffChunk('fmt ', fmt),
    ...(layout.before ?? []),
    riffChunk('data', data, layout.dataSize ?? data.length),
    ...(layout.after ?? []),
  ]);
  return riffChunk('RIFF', body);
}

/** Splits a canonical WAV (as sox writes it) into everything before the data chunk and the audio. */
export function splitWav(wav: Buffer): { head: Buffer; data: Buffer; dataSizeOffset: number } {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('latin1', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') {
      return { head: wav.subarray(0, offset), data: wav.subarray(offset + 8, offset + 8 + size), dataSizeOffset: offset + 4 };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Inserts chunks just before the data chunk of a WAV file (sox writes its LIST after the data). */
export function insertBeforeData(wav: Buffer, chunks: Buffer[]): Buffer {
  const { head, dataSizeOffset } = splitWav(wav);
  const out = Buffer.concat([head, ...chunks, wav.subarray(dataSizeOffset - 4)]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

export function writeTemp(dir: string, name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

export function readShared(name: string): Buffer {
  return readFileSync(shared(name));
}
