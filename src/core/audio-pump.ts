import { LiveInputConverter } from '../audio/live-input.js';
import type { PcmChunk } from '../audio/pcm.js';
import type { AudioSource } from '../audio/sources/types.js';
import type { LiveSessionHandle } from '../live/types.js';

export interface PumpResult {
  /** 16 kHz bytes handed to the session. */
  bytesSent: number;
  chunks: number;
}

/**
 * Streams a source into the session: converted to 16 kHz mono on the way, in the source's own
 * small chunks (≤ 20 ms), then `audioStreamEnd`, as fast as the session is ready for them. `onAudio` sees every converted chunk (for the
 * recording of both sides and the level meter).
 */
export async function pumpAudio(
  source: AudioSource,
  session: LiveSessionHandle,
  signal: AbortSignal,
  onAudio?: (chunk: PcmChunk) => void,
  /** Consulted per chunk: false drops it (a muted mic, push-to-talk between utterances). */
  shouldSend?: () => boolean,
): Promise<PumpResult> {
  const converter = new LiveInputConverter();
  const result: PumpResult = { bytesSent: 0, chunks: 0 };
  const send = async (chunk: PcmChunk | undefined): Promise<void> => {
    if (!chunk || chunk.data.length === 0) return;
    if (shouldSend && !shouldSend()) return;
    // A resilient session holds input back while it replaces a connection, or when input faster
    // than real time fills its in-flight window; the source waits (a live one queues its audio).
    const ready = session.whenReady?.();
    if (ready) await ready;
    if (signal.aborted) return;
    session.sendAudio(chunk);
    onAudio?.(chunk);
    result.bytesSent += chunk.data.length;
    result.chunks++;
  };
  const stop = (): void => void source.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of source.chunks()) {
      if (signal.aborted) break;
      await send(converter.convert(chunk));
    }
    await send(converter.flush());
  } finally {
    signal.removeEventListener('abort', stop);
  }
  if (!signal.aborted) {
    const ready = session.whenReady?.();
    if (ready) await ready;
    session.sendAudioStreamEnd();
  }
  return result;
}
