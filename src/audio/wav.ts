import type { CliError } from '../core/errors.js';
import { convertCommand, inputError } from './input-errors.js';
import type { PcmChunk } from './pcm.js';
import { bytesToMs, frameBytes, PcmDecoder, type PcmFormat } from './pcm-stream.js';
import { parseWavFormat, WavFormatProblem } from './wav-format.js';

/** What the header of a WAV stream says. */
export interface WavInfo {
  format: PcmFormat;
  /** Byte offset of the first audio byte in the stream. */
  dataOffset: number;
  /**
   * Audio bytes the header declares; undefined when the writer could not know them (see
   * `isUnknownDataSize`), in which case the audio runs to the end of the stream.
   */
  dataBytes: number | undefined;
  /** Duration from `dataBytes`, when declared. */
  durationMs: number | undefined;
}

/**
 * A writer that streams a WAV to a pipe cannot seek back to fill in the size, so it writes a
 * placeholder: 0 (our own WavFileSink until close), 0xFFFFFFFF (ffmpeg, RF64 with no ds64 value),
 * or a size just under 2 GiB (sox writes 0x7ffff000 rounded down to whole frames; arecord
 * 0x7fffffff). Anything from 0x7fff0000 up is treated as such a placeholder: read to the end of
 * the stream, never past the declared size, and not called truncated when it ends early. The cost:
 * a real WAV over 2 GiB that is cut short is not reported as truncated.
 */
export function isUnknownDataSize(size: number): boolean {
  return size === 0 || size >= 0x7fff0000;
}

/** Largest fmt/ds64 chunk we buffer; real ones are 16 to 40 bytes (a few more with codec data). */
const MAX_HEADER_CHUNK = 64 * 1024;

type State = 'riff' | 'chunk-header' | 'fmt' | 'ds64' | 'skip' | 'data' | 'done';

/**
 * An incremental RIFF/WAVE parser that does no I/O: push bytes as they arrive, in pieces of any
 * size, and get back the audio bytes of the `data` chunk. Chunks before `data` other than `fmt `
 * (LIST, fact, bext, junk…) are skipped by counting, never buffered, so memory stays bounded
 * whatever the file holds; only a header piece split across pushes is kept (at most one fmt chunk).
 * Errors are CliErrors naming the input.
 */
export class WavParser {
  private state: State = 'riff';
  private pending: Buffer = Buffer.alloc(0);
  private need = 12;
  private skipLeft = 0;
  private dataLeft = 0;
  private offset = 0;
  private rf64 = false;
  private ds64DataBytes: number | undefined;
  private format: PcmFormat | undefined;
  private headerInfo: WavInfo | undefined;
  private audio = 0;

  constructor(readonly name: string) {}

  /** The parsed header, once the start of the audio data has been reached. */
  get info(): WavInfo | undefined {
    return this.headerInfo;
  }

  /** True once the declared audio has been read in full: later bytes are ignored. */
  get finished(): boolean {
    return this.state === 'done';
  }

  /** Bytes held inside the parser (a header piece split across pushes). */
  get retainedBytes(): number {
    return this.pending.length;
  }

  /** Audio bytes returned so far. */
  get audioBytes(): number {
    return this.audio;
  }

  /** Feeds the next bytes; returns the audio bytes among them (subarrays, not copies). */
  push(bytes: Buffer): Buffer[] {
    const audio: Buffer[] = [];
    let input = bytes;
    while (input.length > 0) {
      if (this.state === 'done') break;
      if (this.state === 'data') {
        const take = Math.min(this.dataLeft, input.length);
        audio.push(input.subarray(0, take));
        this.audio += take;
        this.dataLeft -= take;
        input = input.subarray(take);
        if (this.dataLeft === 0) this.state = 'done';
        continue;
      }
      if (this.state === 'skip') {
        const take = Math.min(this.skipLeft, input.length);
        this.skipLeft -= take;
        this.offset += take;
        input = input.subarray(take);
        if (this.skipLeft === 0) this.expect('chunk-header', 8);
        continue;
      }
      // A header piece: may arrive split across pushes, down to one byte at a time.
      const take = Math.min(this.need - this.pending.length, input.length);
      // Copied, so a header piece never keeps a whole read buffer alive.
      this.pending = Buffer.concat([this.pending, input.subarray(0, take)]);
      input = input.subarray(take);
      if (this.pending.length === this.need) {
        const piece = this.pending;
        this.pending = Buffer.alloc(0);
        this.offset += piece.length;
        this.parsePiece(piece);
      }
    }
    return audio;
  }

  /**
   * The stream has ended. Throws when the header never completed, when the declared audio was cut
   * short (after the caller has used the audio that did arrive), or when there was no audio at all.
   */
  end(): void {
    const info = this.headerInfo;
    if (!info) {
      const read = this.offset + this.pending.length;
      throw this.error(`truncated WAV header (the input ends after ${read} bytes, before any audio)`, this.repairFix());
    }
    if (this.state === 'data' && info.dataBytes !== undefined) {
      const had = bytesToMs(this.audio, info.format) / 1000;
      const declared = (info.durationMs ?? 0) / 1000;
      throw this.error(
        `truncated WAV data: the header declares ${declared.toFixed(2)} s of audio but the input ends after ${had.toFixed(2)} s`,
        this.repairFix(),
      );
    }
    if (this.audio < frameBytes(info.format)) {
      throw this.error('the WAV file has a header but no audio samples', 'record or export it again');
    }
  }

  private expect(state: State, need: number): void {
    this.state = state;
    this.need = need;
  }

  private parsePiece(piece: Buffer): void {
    switch (this.state) {
      case 'riff':
        return this.parseRiff(piece);
      case 'chunk-header':
        return this.parseChunkHeader(piece);
      case 'fmt':
        this.format = this.parseFormat(piece);
        return this.expect('chunk-header', 8);
      case 'ds64':
        // riffSize (u64), dataSize (u64), sampleCount (u64): only dataSize matters to us.
        if (piece.length >= 16) this.ds64DataBytes = Number(piece.readBigUInt64LE(8));
        return this.expect('chunk-header', 8);
      default:
        throw new Error(`WavParser: no header piece expected in state ${this.state}`);
    }
  }

  private parseRiff(piece: Buffer): void {
    const id = piece.toString('latin1', 0, 4);
    if (id === 'RIFX') {
      throw this.error('big-endian (RIFX) WAV is not supported', `convert it: ${convertCommand(this.name)}`);
    }
    if (id !== 'RIFF' && id !== 'RF64') {
      throw this.error('not a WAV file (no RIFF/WAVE header)', `convert it: ${convertCommand(this.name)}`);
    }
    const form = piece.toString('latin1', 8, 12);
    if (form !== 'WAVE') {
      throw this.error(`a RIFF file of type "${form}", not WAVE audio`, `convert it: ${convertCommand(this.name)}`);
    }
    this.rf64 = id === 'RF64';
    this.expect('chunk-header', 8);
  }

  private parseChunkHeader(piece: Buffer): void {
    const id = piece.toString('latin1', 0, 4);
    const size = piece.readUInt32LE(4);
    // RIFF chunks are word-aligned: an odd-sized chunk is followed by a pad byte.
    const padded = size + (size % 2);
    if (id === 'data') return this.startData(size);
    if (id === 'fmt ' || (id === 'ds64' && this.rf64)) {
      if (padded > MAX_HEADER_CHUNK) {
        throw this.error(`malformed WAV header (a ${id.trim()} chunk of ${size} bytes)`, this.repairFix());
      }
      return this.expect(id === 'fmt ' ? 'fmt' : 'ds64', padded);
    }
    if (padded === 0) return this.expect('chunk-header', 8);
    this.skipLeft = padded;
    this.state = 'skip';
  }

  private startData(size: number): void {
    const format = this.format;
    if (!format) throw this.error('malformed WAV header (no fmt chunk before the audio data)', this.repairFix());
    const rf64Size = this.rf64 && size === 0xffffffff ? this.ds64DataBytes : undefined;
    const declared = rf64Size ?? (isUnknownDataSize(size) ? undefined : size);
    // A size-0 placeholder has no bound; the others still bound what is read.
    this.dataLeft = rf64Size ?? (size === 0 ? Infinity : size);
    this.headerInfo = {
      format,
      dataOffset: this.offset,
      dataBytes: declared,
      durationMs: declared === undefined ? undefined : bytesToMs(declared, format),
    };
    this.state = this.dataLeft === 0 ? 'done' : 'data';
  }

  private parseFormat(piece: Buffer): PcmFormat {
    try {
      return parseWavFormat(piece);
    } catch (error) {
      if (!(error instanceof WavFormatProblem)) throw error;
      throw this.error(error.message, error.unsupported ? `convert it: ${convertCommand(this.name)}` : this.repairFix());
    }
  }

  private repairFix(): string {
    return `re-export it, or rewrite it with sox (${convertCommand(this.name)})`;
  }

  private error(problem: string, fix: string): CliError {
    return inputError(this.name, problem, fix);
  }
}

/** A WAV stream whose header has been read. */
export interface WavStream {
  readonly info: WavInfo;
  /**
   * The audio as s16 interleaved chunks in the file's rate and channels, one per read (any size,
   * whole frames). Throws a CliError at the end for truncated data, after yielding what arrived.
   * Iterate once.
   */
  chunks(): AsyncGenerator<PcmChunk>;
}

/** Accepts what a Node Readable yields in binary mode. */
export function asBuffer(piece: unknown): Buffer {
  if (Buffer.isBuffer(piece)) return piece;
  if (piece instanceof Uint8Array) return Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  throw new TypeError('audio input must be a binary stream (Buffer chunks), not text');
}

/**
 * Reads a WAV header from `source` (a Readable or any async iterable of bytes), pulling only as
 * many reads as the header needs, and returns it with a lazy stream of the audio. Memory is bounded
 * by one read plus one frame, whatever the file size: nothing is read ahead of the consumer.
 * Throws a CliError naming `name` when the header is bad.
 */
export async function readWav(source: AsyncIterable<unknown>, name: string): Promise<WavStream> {
  const iterator = source[Symbol.asyncIterator]();
  const parser = new WavParser(name);
  let early: Buffer[] = [];
  let info = parser.info;
  while (!info) {
    const next = await iterator.next();
    if (next.done === true) {
      parser.end();
      throw new Error('WavParser.end() accepted a stream without a header');
    }
    early.push(...parser.push(asBuffer(next.value)));
    info = parser.info;
  }
  const header = info;
  let used = false;
  return {
    info: header,
    async *chunks() {
      if (used) throw new Error('WavStream.chunks() can be iterated only once');
      used = true;
      const decoder = new PcmDecoder(header.format);
      try {
        for (const bytes of early) {
          const chunk = decoder.push(bytes);
          if (chunk) yield chunk;
        }
        early = [];
        while (!parser.finished) {
          const next = await iterator.next();
          if (next.done === true) break;
          for (const bytes of parser.push(asBuffer(next.value))) {
            const chunk = decoder.push(bytes);
            if (chunk) yield chunk;
          }
        }
        // A trailing partial frame (a data size that is not whole frames) cannot be decoded.
        decoder.end();
        parser.end();
      } finally {
        // Stops reading (and closes a file) when the audio is over or the consumer stops early.
        await iterator.return?.();
      }
    },
  };
}
