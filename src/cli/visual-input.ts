import { CliError } from '../core/errors.js';
import type { EventStream } from '../core/events.js';
import { readImageFile, type ImageInput } from '../core/image-file.js';
import type { FrameKind, FrameSource } from '../audio/sources/frames.js';
import type { LiveSessionHandle } from '../live/types.js';

export interface VisualFlags {
  image?: string;
  screen?: boolean;
  camera?: boolean;
}

/** What `--image`, `--screen` and `--camera` asked for, checked before any connection. */
export interface VisualInput {
  image?: ImageInput;
  frames?: { kind: FrameKind; ffmpeg: string };
}

/** Reads the image and finds ffmpeg now: a bad file is exit 2 and a missing ffmpeg exit 5, before a key is needed. */
export async function prepareVisualInput(flags: VisualFlags): Promise<VisualInput> {
  if (flags.screen && flags.camera) throw new CliError('usage', '--screen and --camera are both video input: pick one');
  const visual: VisualInput = {};
  if (flags.image !== undefined) visual.image = readImageFile(flags.image);
  const kind: FrameKind | undefined = flags.screen ? 'screen' : flags.camera ? 'camera' : undefined;
  if (kind) {
    const { findFfmpeg } = await import('../audio/sources/frames.js');
    visual.frames = { kind, ffmpeg: await findFfmpeg(`--${kind}`) };
  }
  return visual;
}

export interface RunningVisualInput {
  stop(): void;
}

/**
 * On an open session: the image goes first (before any queued turn, so it is "with the first
 * turn"), then frames stream as ffmpeg encodes them. A capture that fails only ends the video:
 * the conversation goes on, and `warn` says why.
 */
export async function startVisualInput(
  visual: VisualInput,
  session: LiveSessionHandle,
  events: EventStream,
  warn: (message: string) => void,
): Promise<RunningVisualInput | undefined> {
  if (!session.sendImage) return undefined;
  const send = session.sendImage.bind(session);
  if (visual.image) {
    const { image } = visual;
    events.emit({ type: 'user.image', name: image.name, mimeType: image.mimeType, bytes: image.data.length, conn: session.conn });
    send(image.data, image.mimeType);
  }
  const frames = visual.frames;
  if (!frames) return undefined;
  const { startFrameSource } = await import('../audio/sources/frames.js');
  const source: FrameSource = startFrameSource(frames.ffmpeg, frames.kind, (jpeg) => send(jpeg, 'image/jpeg'));
  source.done.catch((error: unknown) => warn(error instanceof Error ? error.message : String(error)));
  return source;
}
