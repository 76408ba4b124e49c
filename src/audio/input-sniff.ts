import { extname } from 'node:path';

/** How much of an input we look at before deciding what it is. */
export const SNIFF_BYTES = 4096;

/** True when the input starts like a RIFF-family file; the WAV parser then says exactly what is wrong. */
export function startsLikeWav(head: Buffer): boolean {
  const id = head.toString('latin1', 0, 4);
  return id === 'RIFF' || id === 'RF64' || id === 'RIFX';
}

// Bitrates in kbit/s by [MPEG-1?][layer 1..3][index 1..14].
const MPEG1_BITRATES = [
  [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
];
const MPEG2_BITRATES = [
  [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const SAMPLE_RATES: Record<number, readonly number[]> = {
  0: [11025, 12000, 8000],
  2: [22050, 24000, 16000],
  3: [44100, 48000, 32000],
};

interface MpegFrame {
  key: number;
  length: number;
}

/** Decodes an MPEG audio frame header at `offset`; undefined unless every field is valid. */
function mpegFrame(head: Buffer, offset: number): MpegFrame | undefined {
  if (offset + 4 > head.length) return undefined;
  const b1 = head[offset + 1] ?? 0;
  const b2 = head[offset + 2] ?? 0;
  if (head[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = (b1 >> 3) & 3;
  const layer = 4 - ((b1 >> 1) & 3); // 1..3; 4 is the reserved value 0
  const bitrateIndex = b2 >> 4;
  const rates = SAMPLE_RATES[version];
  const sampleRate = rates?.[(b2 >> 2) & 3];
  if (layer === 4 || bitrateIndex === 0 || bitrateIndex === 15 || sampleRate === undefined) return undefined;
  const bitrate = (version === 3 ? MPEG1_BITRATES : MPEG2_BITRATES)[layer - 1]?.[bitrateIndex - 1];
  if (bitrate === undefined) return undefined;
  const padding = (b2 >> 1) & 1;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate * 1000) / sampleRate) + padding) * 4
      : Math.floor(((layer === 3 && version !== 3 ? 72 : 144) * bitrate * 1000) / sampleRate) + padding;
  return { key: (b1 << 8) | (b2 & 0x0c), length };
}

/**
 * MP3 without an ID3 tag starts with a frame sync (11 set bits), but so does raw PCM now and then
 * (the s16 sample −1 is FF FF). Only a valid header followed by a second one of the same stream
 * exactly one frame later counts, as in players' own probes.
 */
function isMpegAudio(head: Buffer): boolean {
  const first = mpegFrame(head, 0);
  if (!first) return false;
  const second = mpegFrame(head, first.length);
  return second !== undefined && second.key === first.key;
}

/**
 * The name of a compressed (or otherwise unsupported) container recognised by its magic bytes,
 * or undefined.
 */
export function containerByMagic(head: Buffer): string | undefined {
  const at = (offset: number, text: string): boolean => head.toString('latin1', offset, offset + text.length) === text;
  if (at(0, 'ID3')) return 'MP3 (ID3-tagged)';
  if (at(0, 'OggS')) return 'Ogg (Vorbis/Opus)';
  if (at(0, 'fLaC')) return 'FLAC';
  if (at(4, 'ftyp')) return 'MP4/M4A';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'WebM/Matroska';
  if (at(0, 'FORM') && (at(8, 'AIFF') || at(8, 'AIFC'))) return 'AIFF';
  if (at(0, '#!AMR')) return 'AMR';
  if (at(0, 'caff')) return 'CAF';
  if (isMpegAudio(head)) return 'MP3';
  return undefined;
}

const CONTAINER_EXTENSIONS: Record<string, string> = {
  '.mp3': 'MP3',
  '.ogg': 'Ogg (Vorbis/Opus)',
  '.oga': 'Ogg (Vorbis/Opus)',
  '.opus': 'Opus',
  '.flac': 'FLAC',
  '.m4a': 'MP4/M4A',
  '.mp4': 'MP4/M4A',
  '.aac': 'AAC',
  '.webm': 'WebM/Matroska',
  '.mka': 'WebM/Matroska',
  '.mkv': 'WebM/Matroska',
  '.wma': 'WMA',
  '.amr': 'AMR',
  '.aif': 'AIFF',
  '.aiff': 'AIFF',
  '.caf': 'CAF',
};

/**
 * A compressed format named by the file's extension. Used only when the bytes are neither WAV nor
 * a known magic: raw PCM named `.mp3` is far less likely than an MP3 our probe did not recognise.
 */
export function containerByExtension(name: string): string | undefined {
  return CONTAINER_EXTENSIONS[extname(name).toLowerCase()];
}

/** Control characters that text files contain: tab, newlines, form feed, and ESC (colour codes). */
function isTextControl(code: number): boolean {
  return (code >= 9 && code <= 13) || code === 27;
}

/**
 * True when `head` is valid UTF-8 made of printable characters and ordinary whitespace. Raw PCM
 * almost never is: silence and quiet audio are full of zero bytes, and louder audio soon forms
 * byte sequences that are not UTF-8. `complete` says whether `head` is the whole input; if not, a
 * multi-byte character cut off at its end is fine.
 */
export function looksLikeText(head: Buffer, complete: boolean): boolean {
  if (head.length === 0) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
  } catch {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 32 || code === 127) && !isTextControl(code)) return false;
  }
  return true;
}
