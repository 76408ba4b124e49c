import { endianness } from 'node:os';
import type { PcmChunk } from './pcm.js';

/**
 * Sample encodings we decode. Everything is little-endian; `u8` is WAV's unsigned 8-bit (silence is
 * 128), the rest are signed integers or IEEE floats.
 */
export type SampleEncoding = 'u8' | 's16le' | 's24le' | 's32le' | 'f32le' | 'f64le';

/** The format of PCM as stored in a file or stream, before it is converted to s16. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
  /** Bits per sample as the source declares them (a WAV may say 20 in a 24-bit container). */
  bitsPerSample: number;
  encoding: SampleEncoding;
}

const BYTES_PER_SAMPLE: Record<SampleEncoding, number> = {
  u8: 1,
  s16le: 2,
  s24le: 3,
  s32le: 4,
  f32le: 4,
  f64le: 8,
};

export function bytesPerSample(encoding: SampleEncoding): number {
  return BYTES_PER_SAMPLE[encoding];
}

/** Bytes of one frame (one sample for every channel) of `format`. */
export function frameBytes(format: Pick<PcmFormat, 'channels' | 'encoding'>): number {
  return BYTES_PER_SAMPLE[format.encoding] * format.channels;
}

/** Duration in ms of `bytes` of `format` (whole frames only). */
export function bytesToMs(bytes: number, format: Pick<PcmFormat, 'channels' | 'encoding' | 'sampleRate'>): number {
  return (Math.floor(bytes / frameBytes(format)) / format.sampleRate) * 1000;
}

function clampS16(value: number): number {
  return value > 32767 ? 32767 : value < -32768 ? -32768 : value;
}

/**
 * Float to s16: scale by 32768, round half up (so the result never depends on the platform's
 * rounding mode), clamp to the s16 range. NaN becomes silence rather than a full-scale click.
 */
function floatToS16(value: number): number {
  if (Number.isNaN(value)) return 0;
  return clampS16(Math.floor(value * 32768 + 0.5));
}

/** Typed-array views read host order; the fast paths below need it to be little-endian. */
const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/** `bytes` as a view of `size`-byte elements, copied once if its offset is not aligned for them. */
function alignedView(bytes: Buffer, size: number): { buffer: ArrayBufferLike; byteOffset: number } {
  const aligned = bytes.byteOffset % size === 0 ? bytes : Buffer.from(bytes);
  return { buffer: aligned.buffer, byteOffset: aligned.byteOffset };
}

/**
 * Converts whole samples of `encoding` to s16le. Integer formats narrower than 16 bits are scaled
 * up exactly; wider ones are rounded half up and clamped, which is what `sox -D` does, so our output
 * matches sox's own decode. The input length must be a multiple of the sample size: framing is
 * `PcmFramer`'s job, not this function's.
 */
export function toS16(bytes: Buffer, encoding: SampleEncoding): Buffer {
  const size = BYTES_PER_SAMPLE[encoding];
  if (bytes.length % size !== 0) {
    throw new RangeError(`toS16: ${bytes.length} bytes is not a whole number of ${encoding} samples`);
  }
  if (encoding === 's16le') return bytes;
  const count = bytes.length / size;
  return HOST_IS_LITTLE_ENDIAN ? Buffer.from(toS16Samples(bytes, encoding, count).buffer) : toS16Portable(bytes, encoding);
}

/**
 * toS16 through Buffer's little-endian reads and writes: correct on any host, used where typed
 * arrays (host order) would read big-endian, and the reference the fast path is tested against.
 */
export function toS16Portable(bytes: Buffer, encoding: SampleEncoding): Buffer {
  const count = Math.floor(bytes.length / BYTES_PER_SAMPLE[encoding]);
  const out = Buffer.allocUnsafe(count * 2);
  switch (encoding) {
    case 's16le':
      bytes.copy(out, 0, 0, count * 2);
      break;
    case 'u8':
      for (let i = 0; i < count; i++) out.writeInt16LE(((bytes[i] ?? 128) - 128) << 8, i * 2);
      break;
    case 's24le':
      // (v + 128) >> 8 is v / 256 rounded half up; only +max rounds past the range.
      for (let i = 0; i < count; i++) out.writeInt16LE(clampS16((bytes.readIntLE(i * 3, 3) + 128) >> 8), i * 2);
      break;
    case 's32le':
      for (let i = 0; i < count; i++) out.writeInt16LE(s32ToS16(bytes.readInt32LE(i * 4)), i * 2);
      break;
    case 'f32le':
      for (let i = 0; i < count; i++) out.writeInt16LE(floatToS16(bytes.readFloatLE(i * 4)), i * 2);
      break;
    case 'f64le':
      for (let i = 0; i < count; i++) out.writeInt16LE(floatToS16(bytes.readDoubleLE(i * 8)), i * 2);
      break;
  }
  return out;
}

/** In float64 arithmetic: v + 32768 overflows int32 for values near +max. */
function s32ToS16(value: number): number {
  return clampS16(Math.floor((value + 32768) / 65536));
}

/** The same conversions into a typed array: several times faster than Buffer reads and writes. */
function toS16Samples(bytes: Buffer, encoding: Exclude<SampleEncoding, 's16le'>, count: number): Int16Array {
  const out = new Int16Array(count);
  switch (encoding) {
    case 'u8':
      for (let i = 0; i < count; i++) out[i] = ((bytes[i] ?? 128) - 128) << 8;
      break;
    case 's24le':
      for (let i = 0, j = 0; i < count; i++, j += 3) {
        // Assemble the 24-bit value in the top of an int32 so the shift back sign-extends it.
        const value = (((bytes[j] ?? 0) << 8) | ((bytes[j + 1] ?? 0) << 16) | ((bytes[j + 2] ?? 0) << 24)) >> 8;
        out[i] = clampS16((value + 128) >> 8);
      }
      break;
    case 's32le': {
      const { buffer, byteOffset } = alignedView(bytes, 4);
      const input = new Int32Array(buffer, byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = s32ToS16(input[i] ?? 0);
      break;
    }
    case 'f32le':
    case 'f64le': {
      const { buffer, byteOffset } = alignedView(bytes, BYTES_PER_SAMPLE[encoding]);
      const input = encoding === 'f32le' ? new Float32Array(buffer, byteOffset, count) : new Float64Array(buffer, byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = floatToS16(input[i] ?? 0);
      break;
    }
  }
  return out;
}

/**
 * Cuts a byte stream into whole frames. Reads end wherever the OS or the pipe likes, so a sample
 * (or, with several channels, a frame) is often split across two reads: the split-off head is kept
 * and joined to the next read, never dropped and never decoded half-formed. At most one frame minus
 * a byte is ever held.
 */
export class PcmFramer {
  private carry: Buffer = Buffer.alloc(0);

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes < 1) throw new RangeError(`PcmFramer: bad frame size ${frameBytes}`);
  }

  /** Returns the whole frames now available (possibly empty), keeping any partial frame for later. */
  push(bytes: Buffer): Buffer {
    if (this.carry.length > 0) {
      const missing = this.frameBytes - this.carry.length;
      if (bytes.length < missing) {
        this.carry = Buffer.concat([this.carry, bytes]);
        return Buffer.alloc(0);
      }
      // Complete the carried frame on its own; the rest of `bytes` is then framed without a copy.
      const completed = Buffer.concat([this.carry, bytes.subarray(0, missing)]);
      this.carry = Buffer.alloc(0);
      const rest = this.push(bytes.subarray(missing));
      return rest.length === 0 ? completed : Buffer.concat([completed, rest]);
    }
    const whole = bytes.length - (bytes.length % this.frameBytes);
    // Copied, so a few carried bytes never keep a whole read buffer alive.
    if (whole < bytes.length) this.carry = Buffer.from(bytes.subarray(whole));
    return bytes.subarray(0, whole);
  }

  /** Bytes of an incomplete frame held for the next push. */
  get pendingBytes(): number {
    return this.carry.length;
  }

  /** Ends the stream: returns how many bytes of a final partial frame are dropped (0 when aligned). */
  end(): number {
    const dropped = this.carry.length;
    this.carry = Buffer.alloc(0);
    return dropped;
  }
}

/**
 * Consumers view chunk data as an Int16Array, which needs an even byte offset; a buffer sliced out
 * of a socket read can start anywhere, so such data is copied once here.
 */
export function alignedS16(data: Buffer): Buffer {
  return data.byteOffset % 2 === 0 ? data : Buffer.from(data);
}

/**
 * Bytes of `format` in, s16 interleaved `PcmChunk`s out (same rate, same channels), whatever the
 * read boundaries. Output data always starts on an even byte offset.
 */
export class PcmDecoder {
  private readonly framer: PcmFramer;

  constructor(readonly format: PcmFormat) {
    this.framer = new PcmFramer(frameBytes(format));
  }

  /** Decodes the whole frames available; undefined when the read completed no frame. */
  push(bytes: Buffer): PcmChunk | undefined {
    const frames = this.framer.push(bytes);
    if (frames.length === 0) return undefined;
    return {
      data: alignedS16(toS16(frames, this.format.encoding)),
      sampleRate: this.format.sampleRate,
      channels: this.format.channels,
    };
  }

  get pendingBytes(): number {
    return this.framer.pendingBytes;
  }

  /** Ends the stream; returns the bytes of a trailing partial frame, which cannot be decoded. */
  end(): number {
    return this.framer.end();
  }
}

/** Frames per chunk for chunks of at most `chunkMs` at `sampleRate` (never 0). */
export function framesPerChunk(sampleRate: number, chunkMs: number): number {
  return Math.max(1, Math.floor((sampleRate * chunkMs) / 1000));
}

/**
 * Re-cuts s16 chunks of any size into chunks of exactly `chunkMs` (the last one may be shorter).
 * Reads arrive in sizes that suit the disk (64 KiB) or the pipe, not the wire; the Live API wants
 * small, even frames. Holds less than one output chunk between pushes. A change of format
 * mid-stream first flushes what was held in the old format.
 */
export class PcmChunker {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private format: { sampleRate: number; channels: number } | undefined;

  constructor(readonly chunkMs: number) {
    if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) throw new RangeError(`PcmChunker: chunkMs must be > 0, got ${chunkMs}`);
  }

  push(chunk: PcmChunk): PcmChunk[] {
    const out: PcmChunk[] = [];
    if (this.format && (this.format.sampleRate !== chunk.sampleRate || this.format.channels !== chunk.channels)) {
      const rest = this.flush();
      if (rest) out.push(rest);
    }
    this.format = { sampleRate: chunk.sampleRate, channels: chunk.channels };
    const size = framesPerChunk(chunk.sampleRate, this.chunkMs) * chunk.channels * 2;
    let data = chunk.data;
    if (this.heldBytes > 0) {
      const take = Math.min(size - this.heldBytes, data.length);
      this.held.push(data.subarray(0, take));
      this.heldBytes += take;
      data = data.subarray(take);
      if (this.heldBytes < size) return out;
      out.push(this.emit(Buffer.concat(this.held, this.heldBytes)));
      this.held = [];
      this.heldBytes = 0;
    }
    let offset = 0;
    for (; offset + size <= data.length; offset += size) out.push(this.emit(data.subarray(offset, offset + size)));
    if (offset < data.length) {
      this.held.push(data.subarray(offset));
      this.heldBytes = data.length - offset;
    }
    return out;
  }

  /** Returns the held remainder as a final short chunk, if any. */
  flush(): PcmChunk | undefined {
    if (this.heldBytes === 0) return undefined;
    const chunk = this.emit(Buffer.concat(this.held, this.heldBytes));
    this.held = [];
    this.heldBytes = 0;
    return chunk;
  }

  private emit(data: Buffer): PcmChunk {
    const format = this.format ?? { sampleRate: 0, channels: 1 };
    return { data: alignedS16(data), sampleRate: format.sampleRate, channels: format.channels };
  }
}

/** Re-cuts a stream of s16 chunks into chunks of `chunkMs` (see PcmChunker). */
export async function* rechunk(chunks: AsyncIterable<PcmChunk>, chunkMs: number): AsyncGenerator<PcmChunk> {
  const chunker = new PcmChunker(chunkMs);
  for await (const chunk of chunks) yield* chunker.push(chunk);
  const rest = chunker.flush();
  if (rest) yield rest;
}
