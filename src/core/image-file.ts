import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError } from './errors.js';

/** An image to send: JPEG or PNG bytes, recognised by their signature, not the file name. */
export interface ImageInput {
  data: Buffer;
  mimeType: 'image/jpeg' | 'image/png';
  /** The file's base name, for the transcript. */
  name: string;
}

/** The service's inline-data limit is about 20 MB per request; frames this large are a mistake anyway. */
export const MAX_IMAGE_BYTES = 7 * 1024 * 1024;

export function imageMimeType(data: Buffer): ImageInput['mimeType'] | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return undefined;
}

/** Reads `--image FILE` or `/image PATH`; every problem is one line naming the file and the fix (exit 2). */
export function readImageFile(path: string, option = '--image'): ImageInput {
  const fail = (why: string): CliError => new CliError('input', `${option} ${path}: ${why}`);
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw fail('is a directory; name a JPEG or PNG file');
    size = stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw fail('no such file (or it cannot be read); name a JPEG or PNG file');
  }
  if (size === 0) throw fail('is empty; name a JPEG or PNG file');
  if (size > MAX_IMAGE_BYTES) throw fail(`is ${(size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_IMAGE_BYTES / 1024 / 1024} MB limit; scale it down`);
  const data = readFileSync(path);
  const mimeType = imageMimeType(data);
  if (!mimeType) throw fail('is not a JPEG or PNG image; convert it (e.g. ffmpeg -i in.webp out.jpg)');
  return { data, mimeType, name: basename(path) };
}
