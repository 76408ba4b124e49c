/**
 * Screen and camera frames for the Live API's video input: ffmpeg captures and encodes JPEG at
 * 1 FPS onto its stdout (`image2pipe`), and the stream is cut into whole JPEGs at their SOI/EOI
 * markers. It lives beside the recorders because, like them, it spawns a capture process (the
 * architecture keeps process spawning in src/audio/sources); tests substitute ffmpeg through the
 * PATH, as they do arecord.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CliError } from '../../core/errors.js';
import { findOnPath } from '../process.js';

export type FrameKind = 'screen' | 'camera';

/** One frame per second: what the Live API guide recommends for video input. */
export const FRAMES_PER_SECOND = 1;
/** Frames are scaled to this width (aspect kept): larger ones cost the same tokens and more bytes. */
const FRAME_WIDTH = 1024;

/** ffmpeg's input for a screen or a camera on this platform. */
export function frameCaptureArgs(kind: FrameKind, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  const input =
    platform === 'darwin'
      ? ['-f', 'avfoundation', '-framerate', '30', '-i', kind === 'screen' ? (env.LIVE_CLI_SCREEN ?? '1') : (env.LIVE_CLI_CAMERA ?? '0')]
      : kind === 'screen'
        ? ['-f', 'x11grab', '-framerate', String(FRAMES_PER_SECOND), '-i', env.LIVE_CLI_SCREEN ?? env.DISPLAY ?? ':0']
        : ['-f', 'v4l2', '-i', env.LIVE_CLI_CAMERA ?? '/dev/video0'];
  return [
    '-loglevel', 'error', '-nostdin',
    ...input,
    '-vf', `fps=${FRAMES_PER_SECOND},scale='min(${FRAME_WIDTH},iw)':-2`,
    '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '6', '-',
  ];
}

/**
 * Cuts a byte stream of concatenated JPEGs into frames. Inside a JPEG's entropy-coded data a 0xFF
 * byte is always followed by 0x00 (byte stuffing), so FF D9 marks only the end of an image; a
 * marker can be split across two chunks, hence the carry-over.
 */
export class JpegSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const start = this.pending.indexOf(Buffer.from([0xff, 0xd8]));
      if (start === -1) {
        // Keep a trailing 0xFF: it may begin the next SOI.
        this.pending = this.pending.at(-1) === 0xff ? this.pending.subarray(this.pending.length - 1) : Buffer.alloc(0);
        return frames;
      }
      const end = this.pending.indexOf(Buffer.from([0xff, 0xd9]), start + 2);
      if (end === -1) {
        this.pending = Buffer.from(this.pending.subarray(start));
        return frames;
      }
      frames.push(Buffer.from(this.pending.subarray(start, end + 2)));
      this.pending = this.pending.subarray(end + 2);
    }
  }
}

export interface FrameSource {
  /** Resolves when capture ends: stopped (resolves), or ffmpeg failed (rejects with a CliError). */
  readonly done: Promise<void>;
  stop(): void;
}

const INSTALL_HINT = 'install it (Debian/Ubuntu: sudo apt install ffmpeg; Fedora: sudo dnf install ffmpeg; macOS: brew install ffmpeg)';

/** Checked before connecting, so a missing ffmpeg is exit 5 with what to install. */
export async function findFfmpeg(option: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = await findOnPath('ffmpeg', env);
  if (!path) throw new CliError('device', `${option} needs ffmpeg, which is not on the PATH: ${INSTALL_HINT}`);
  return path;
}

/** Starts capturing; every whole JPEG goes to `onFrame` as it is encoded. */
export function startFrameSource(ffmpeg: string, kind: FrameKind, onFrame: (jpeg: Buffer) => void, env: NodeJS.ProcessEnv = process.env): FrameSource {
  const child: ChildProcess = spawn(ffmpeg, frameCaptureArgs(kind, process.platform, env), { stdio: ['ignore', 'pipe', 'pipe'], env });
  const splitter = new JpegSplitter();
  let stopped = false;
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (!stopped) for (const frame of splitter.push(chunk)) onFrame(frame);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new CliError('device', `--${kind}: cannot run ffmpeg: ${error.message}`)));
    child.on('close', (code) => {
      if (stopped || code === 0) return resolve();
      const last = stderr.trim().split('\n').at(-1) ?? '';
      reject(new CliError('device', `--${kind}: ffmpeg stopped (exit ${code ?? 'by signal'})${last ? `: ${last}` : ''}`));
    });
  });
  return {
    done,
    stop(): void {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}
