import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { CliError } from '../core/errors.js';
import { convertCommand, inputError, STDIN_NAME } from './input-errors.js';
import { containerByExtension, containerByMagic, looksLikeText, SNIFF_BYTES, startsLikeWav } from './input-sniff.js';
import type { PcmChunk } from './pcm.js';
import { bytesToMs, frameBytes, PcmDecoder, type PcmFormat } from './pcm-stream.js';
import { asBuffer, readWav } from './wav.js';

/** Encodings `--encoding` accepts for raw PCM. */
export type RawEncoding = 's16le' | 'f32le';

/** What raw PCM is, when it has no header to say so (`--rate`, `--channels`, `--encoding`). */
export interface RawPcmOptions {
  /** Hz, 8000–192000; default 16000. */
  rate?: number | undefined;
  /** 1–8; default 1. */
  channels?: number | undefined;
  /** Default s16le. */
  encoding?: RawEncoding | undefined;
}

/** An opened, validated audio input: its format is known, its audio not yet read. */
export interface AudioInput {
  /** The input as the user named it (a path, or `stdin`). */
  readonly name: string;
  readonly kind: 'wav' | 'raw';
  readonly format: PcmFormat;
  /** Duration of the audio that will be read, when known (a file's size, a WAV header). */
  readonly durationMs: number | undefined;
  /**
   * The audio as s16 interleaved chunks in the input's own rate and channels, in read-sized pieces
   * of whole frames. Iterate once; throws a CliError for bad input found while reading.
   */
  chunks(): AsyncGenerator<PcmChunk>;
  /** Stops reading and releases the file; a pending chunks() then ends. Safe to call twice. */
  close(): void;
}

const READ_BYTES = 64 * 1024;

/** The format of raw PCM from the options; a bad option is a usage error. */
export function rawPcmFormat(options: RawPcmOptions = {}): PcmFormat {
  const rate = options.rate ?? 16_000;
  const channels = options.channels ?? 1;
  const encoding = options.encoding ?? 's16le';
  if (!Number.isInteger(rate) || rate < 8000 || rate > 192_000) {
    throw new CliError('usage', `--rate must be a whole number of Hz from 8000 to 192000, got ${rate}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) {
    throw new CliError('usage', `--channels must be a whole number from 1 to 8, got ${channels}`);
  }
  if (encoding !== 's16le' && encoding !== 'f32le') {
    throw new CliError('usage', `--encoding must be s16le or f32le, got ${String(encoding)}`);
  }
  return { sampleRate: rate, channels, bitsPerSample: encoding === 's16le' ? 16 : 32, encoding };
}

/** A failed stat, open or read of `name`, as the input error a user can act on. */
export function openError(name: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return inputError(name, 'no such file', 'check the path');
    case 'EACCES':
    case 'EPERM':
      return inputError(name, 'permission denied', 'make it readable (chmod +r) or run as a user who can read it');
    case 'EISDIR':
      return inputError(name, 'a directory, not an audio file', 'give the path of a WAV or raw PCM file');
    case 'ENOTDIR':
      return inputError(name, 'a part of the path is not a directory', 'check the path');
    default: {
      const detail = code ?? (error instanceof Error ? error.message : String(error));
      return inputError(name, `cannot be read (${detail})`, 'check that it is a readable file');
    }
  }
}

function emptyFix(name: string): string {
  return name === STDIN_NAME
    ? 'pipe audio into it, e.g. sox in.wav -t wav - | live-cli … --input -'
    : 'give a file with audio in it';
}

/** Reads up to SNIFF_BYTES (at least one read) so the input can be recognised. */
async function readHead(iterator: AsyncIterator<unknown>, name: string): Promise<{ pieces: Buffer[]; ended: boolean }> {
  const pieces: Buffer[] = [];
  let length = 0;
  try {
    while (length < SNIFF_BYTES) {
      const next = await iterator.next();
      if (next.done === true) return { pieces, ended: true };
      const piece = asBuffer(next.value);
      pieces.push(piece);
      length += piece.length;
    }
  } catch (error) {
    throw openError(name, error);
  }
  return { pieces, ended: false };
}

/** The sniffed head first, then the rest of the stream; stopping it stops the stream. */
async function* withHead(pieces: Buffer[], iterator: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  try {
    yield* pieces;
    pieces.length = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield asBuffer(next.value);
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Refuses what is not audio we can read. Order matters: a RIFF header is decisive; then magic
 * bytes (an MP3 named .wav is still MP3); then text; then the name.
 */
function refuseNonAudio(head: Buffer, ended: boolean, name: string): void {
  const convert = `convert it to WAV first: ${convertCommand(name)}`;
  const byMagic = containerByMagic(head);
  if (byMagic) throw inputError(name, `${byMagic} audio is not supported`, convert);
  if (looksLikeText(head, ended)) {
    throw inputError(name, 'text, not audio', 'give a WAV file or raw PCM (s16le, 16 kHz, mono unless --rate/--channels/--encoding)');
  }
  if (extname(name).toLowerCase() === '.wav') {
    throw inputError(
      name,
      'not a valid WAV file (no RIFF/WAVE header)',
      `if it is raw PCM, name it .pcm and give --rate/--channels/--encoding; otherwise ${convert}`,
    );
  }
  const byName = containerByExtension(name);
  if (byName) throw inputError(name, `${byName} audio is not supported`, convert);
}

/**
 * Opens audio from a stream: WAV when its header says so (the header wins over the raw options),
 * refused when it is a compressed container or text, raw PCM otherwise. Reads only the first few
 * KiB (or the WAV header) before returning, so bad input fails before a session is opened. `size`
 * (bytes, for regular files) gives the duration of WAVs with a placeholder size and of raw PCM.
 */
export async function openInputStream(
  stream: Readable,
  options: RawPcmOptions & { name: string; size?: number | undefined },
): Promise<AudioInput> {
  const { name, size } = options;
  const raw = rawPcmFormat(options);
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  try {
    const { pieces, ended } = await readHead(iterator, name);
    const head = Buffer.concat(pieces);
    if (head.length === 0) throw inputError(name, 'empty input (0 bytes)', emptyFix(name));
    const rest = withHead(pieces, iterator);
    const close = (): void => {
      stream.destroy();
    };
    if (startsLikeWav(head)) {
      const wav = await readWav(rest, name);
      let durationMs = wav.info.durationMs;
      if (size !== undefined) {
        const available = Math.max(0, size - wav.info.dataOffset);
        const audioBytes = Math.min(wav.info.dataBytes ?? available, available);
        if (audioBytes < frameBytes(wav.info.format)) {
          throw inputError(name, 'the WAV file has a header but no audio samples', 'record or export it again');
        }
        durationMs = bytesToMs(audioBytes, wav.info.format);
      }
      return { name, kind: 'wav', format: wav.info.format, durationMs, chunks: () => wav.chunks(), close };
    }
    refuseNonAudio(head, ended, name);
    if (ended && head.length < frameBytes(raw)) {
      throw inputError(name, `no audio (${head.length} bytes, less than one sample frame)`, emptyFix(name));
    }
    return {
      name,
      kind: 'raw',
      format: raw,
      durationMs: size === undefined ? undefined : bytesToMs(size, raw),
      chunks: () => decodeRaw(rest, raw, name),
      close,
    };
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

async function* decodeRaw(bytes: AsyncIterable<Buffer>, format: PcmFormat, name: string): AsyncGenerator<PcmChunk> {
  const decoder = new PcmDecoder(format);
  try {
    for await (const piece of bytes) {
      const chunk = decoder.push(piece);
      if (chunk) yield chunk;
    }
  } catch (error) {
    throw error instanceof CliError ? error : openError(name, error);
  }
  // A trailing partial frame of raw PCM cannot be decoded; it is dropped (there is no next read).
  decoder.end();
}

/**
 * Opens an audio file per the contract's input rules (CLI-CONTRACT.md, "Exit codes"): missing,
 * unreadable, a directory, empty, compressed, text, a `.wav` without a WAV header, or a bad WAV
 * header are CliError('input') naming the file, the problem and the fix (exit 2).
 */
export async function openInputFile(path: string, options: RawPcmOptions = {}): Promise<AudioInput> {
  rawPcmFormat(options);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw openError(path, error);
  }
  if (info.isDirectory()) throw openError(path, Object.assign(new Error('directory'), { code: 'EISDIR' }));
  // Only a regular file's size means anything; a FIFO (`--input <(sox …)`) streams like stdin.
  const size = info.isFile() ? info.size : undefined;
  if (size === 0) throw inputError(path, 'empty file (0 bytes)', emptyFix(path));
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw openError(path, error);
  }
  const stream = handle.createReadStream({ highWaterMark: READ_BYTES });
  return openInputStream(stream, { ...options, name: path, size });
}
