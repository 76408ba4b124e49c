import type { PcmChunk } from '../pcm.js';
import type { AudioSink } from './types.js';

/** `--output none`: model audio goes nowhere, so there is never anything to drop. */
export class NullSink implements AudioSink {
  readonly label = 'none';

  write(_chunk: PcmChunk): void {}

  flush(): number {
    return 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
