import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JpegSplitter, frameCaptureArgs, startFrameSource } from '../../src/audio/sources/frames.js';
import { seededRandom } from '../helpers/random.js';

const JPEG = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'images', 'test-card.jpg'));
const FAKE_FFMPEG = join(import.meta.dirname, '..', 'fixtures', 'bin', 'ffmpeg');

describe('JpegSplitter', () => {
  it('cuts concatenated JPEGs into whole frames however the stream is sliced', () => {
    const frames = [JPEG, Buffer.concat([JPEG.subarray(0, -2), Buffer.from([0x12, 0xff, 0x00, 0xff, 0xd9])]), JPEG];
    const stream = Buffer.concat([Buffer.from('noise before the first frame'), ...frames]);
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      const splitter = new JpegSplitter();
      const out: Buffer[] = [];
      for (let offset = 0; offset < stream.length; ) {
        const size = 1 + Math.floor(random() * 300);
        out.push(...splitter.push(stream.subarray(offset, offset + size)));
        offset += size;
      }
      expect(out.map((frame) => frame.toString('hex')), `seed ${seed}`).toEqual(frames.map((frame) => frame.toString('hex')));
    }
  });

  it('holds a frame until its end marker arrives', () => {
    const splitter = new JpegSplitter();
    expect(splitter.push(JPEG.subarray(0, -1))).toEqual([]);
    expect(splitter.push(JPEG.subarray(-1))).toEqual([JPEG]);
  });
});

describe('frame capture', () => {
  it('asks ffmpeg for MJPEG at 1 FPS from the screen or the camera', () => {
    const screen = frameCaptureArgs('screen', 'linux', { DISPLAY: ':7' });
    expect(screen).toEqual(expect.arrayContaining(['-f', 'x11grab', '-i', ':7', 'image2pipe', 'mjpeg']));
    expect(screen.join(' ')).toContain('fps=1');
    expect(frameCaptureArgs('camera', 'linux', { LIVE_CLI_CAMERA: '/dev/video2' })).toEqual(expect.arrayContaining(['v4l2', '/dev/video2']));
    expect(frameCaptureArgs('camera', 'darwin', {})).toEqual(expect.arrayContaining(['avfoundation', '0']));
  });

  it('delivers every frame the process writes, and reports a failing capture', async () => {
    const frames: Buffer[] = [];
    const env = { ...process.env, FAKE_FFMPEG_FRAMES: '4', FAKE_FFMPEG_INTERVAL_MS: '5' };
    await startFrameSource(FAKE_FFMPEG, 'screen', (jpeg) => frames.push(jpeg), env).done;
    expect(frames).toEqual([JPEG, JPEG, JPEG, JPEG]);
    const failing = startFrameSource(FAKE_FFMPEG, 'screen', () => undefined, { ...env, FAKE_FFMPEG_FRAMES: '1', FAKE_FFMPEG_EXIT_CODE: '1' });
    await expect(failing.done).rejects.toThrow('--screen: ffmpeg stopped (exit 1): [x11grab] Cannot open display :0, error 1.');
  });
});
