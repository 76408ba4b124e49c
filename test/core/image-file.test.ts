import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { readImageFile } from '../../src/core/image-file.js';

const images = join(import.meta.dirname, '..', 'fixtures', 'images');
const work = mkdtempSync(join(tmpdir(), 'live-cli-image-'));

function failure(path: string): CliError {
  try {
    readImageFile(path);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe('readImageFile', () => {
  it('knows JPEG and PNG by their signature, not the name', () => {
    expect(readImageFile(join(images, 'test-card.jpg'))).toMatchObject({ mimeType: 'image/jpeg', name: 'test-card.jpg' });
    const png = join(work, 'actually-a-png.jpg');
    writeFileSync(png, readImageFile(join(images, 'blue.png')).data);
    expect(readImageFile(png).mimeType).toBe('image/png');
  });

  it('refuses what is not an image, in one line naming the file and the fix (exit 2)', () => {
    const empty = join(work, 'empty.png');
    writeFileSync(empty, '');
    const cases: Array<[string, string]> = [
      [join(images, 'not-an-image.jpg'), 'is not a JPEG or PNG image; convert it (e.g. ffmpeg -i in.webp out.jpg)'],
      [empty, 'is empty; name a JPEG or PNG file'],
      [work, 'is a directory; name a JPEG or PNG file'],
      [join(work, 'missing.jpg'), 'no such file (or it cannot be read); name a JPEG or PNG file'],
    ];
    for (const [path, why] of cases) {
      const error = failure(path);
      expect(error.message).toBe(`--image ${path}: ${why}`);
      expect(error.exitCode).toBe(2);
    }
  });
});
