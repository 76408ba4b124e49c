import { open, type FileHandle } from 'node:fs/promises';
import type { PcmChunk } from '../pcm.js';

/** A canonical 44-byte PCM WAV header for s16le audio. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = channels * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/**
 * Streams model audio into a WAV file. The header is written first with a zero length and patched
 * on close, so a crash still leaves the audio on disk (players read such files; sox repairs them).
 * The format is fixed by the first chunk; a chunk in another format is an error rather than a
 * silently corrupt file.
 */
export class WavFileSink {
  private file: FileHandle | undefined;
  private format: { sampleRate: number; channels: number } | undefined;
  private dataBytes = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly defaultRate: number,
  ) {}

  /** Opens (and truncates) the file now, so a bad path fails before the session starts. */
  async open(): Promise<void> {
    this.file = await open(this.path, 'w', 0o644);
  }

  write(chunk: PcmChunk): void {
    if (!this.format) this.format = { sampleRate: chunk.sampleRate, channels: chunk.channels };
    if (chunk.sampleRate !== this.format.sampleRate || chunk.channels !== this.format.channels) {
      this.failure ??= new Error(
        `${this.path}: model audio changed format mid-stream (${this.format.sampleRate} Hz → ${chunk.sampleRate} Hz)`,
      );
      return;
    }
    const file = this.file;
    if (!file) throw new Error('WavFileSink.write before open()');
    const offset = 44 + this.dataBytes;
    this.dataBytes += chunk.data.length;
    this.queue = this.queue.then(async () => {
      await file.write(chunk.data, 0, chunk.data.length, offset);
    });
  }

  /** Writes the final header and closes. Safe to call twice. */
  async close(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    await this.queue;
    const format = this.format ?? { sampleRate: this.defaultRate, channels: 1 };
    await file.write(wavHeader(format.sampleRate, format.channels, this.dataBytes), 0, 44, 0);
    await file.close();
    if (this.failure) throw this.failure;
  }
}
