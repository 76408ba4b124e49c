import type { PcmChunk } from '../pcm.js';

/**
 * Hands recorder chunks to one async consumer. The recorder is never paused for a slow consumer
 * (a paused recorder delivers stale audio later), so chunks wait here instead; at real-time rates
 * that is a few frames. An error ends the iteration by throwing, after the chunks before it.
 */
export class ChunkQueue implements AsyncIterable<PcmChunk> {
  private readonly chunks: PcmChunk[] = [];
  private waiter: (() => void) | undefined;
  private done = false;
  private failure: Error | undefined;
  private iterated = false;

  push(chunk: PcmChunk): void {
    if (this.done) return;
    this.chunks.push(chunk);
    this.wake();
  }

  /** Drops what is waiting (mute). */
  clear(): void {
    this.chunks.length = 0;
  }

  end(): void {
    this.done = true;
    this.wake();
  }

  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PcmChunk> {
    if (this.iterated) throw new Error('chunks() of a live source can be read only once');
    this.iterated = true;
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.done) break;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    if (this.failure) throw this.failure;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
