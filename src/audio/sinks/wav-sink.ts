import { LIVE_OUTPUT_RATE, type PcmChunk } from '../pcm.js';
import type { AudioSink } from './types.js';
import { WavFileSink } from './wav-file.js';

/**
 * `--output FILE.wav` as an AudioSink. A file keeps the whole reply, including what a barge-in
 * cut off on a speaker: writing is not playing, so nothing is queued and flush() drops 0 ms.
 */
export class WavOutputSink implements AudioSink {
  readonly label: string;
  private readonly file: WavFileSink;

  private constructor(path: string) {
    this.label = path;
    this.file = new WavFileSink(path, LIVE_OUTPUT_RATE);
  }

  /** Opens (and truncates) the file now, so a bad path fails before the session starts. */
  static async open(path: string): Promise<WavOutputSink> {
    const sink = new WavOutputSink(path);
    await sink.file.open();
    return sink;
  }

  write(chunk: PcmChunk): void {
    this.file.write(chunk);
  }

  flush(): number {
    return 0;
  }

  close(_options?: { discard?: boolean }): Promise<void> {
    return this.file.close();
  }
}
