import type { PcmChunk } from '../pcm.js';

/**
 * Where model audio goes (speaker, a player process, a WAV file, nowhere). A sink paces itself: it
 * never holds more than about 100 ms ahead of real time in a device, so a flush is instant.
 */
export interface AudioSink {
  readonly label: string;
  /** Queues audio for playback (or writes it). Never blocks the event loop. */
  write(chunk: PcmChunk): void;
  /**
   * Barge-in: drops every queued sample at once and goes silent. Returns the ms of audio dropped
   * (queued but not yet played).
   */
  flush(): number;
  /** Plays out what is queued (unless `discard`), then releases the device or file. Safe to call twice. */
  close(options?: { discard?: boolean }): Promise<void>;
}
