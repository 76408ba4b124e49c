import { bytesPerSample, type PcmFormat, type SampleEncoding } from './pcm-stream.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Bytes 2..16 of every KSDATAFORMAT_SUBTYPE GUID; bytes 0..1 carry the plain format code. */
const SUBFORMAT_GUID_TAIL = Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);

/** Names of format codes people actually meet, so the refusal says what the file is. */
const KNOWN_CODECS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x1610: 'AAC',
};

/** What is wrong with a fmt chunk, in words for a user (no file name: the caller adds it). */
export class WavFormatProblem extends Error {
  constructor(
    message: string,
    /** True when the file is a valid WAV in an encoding we don't decode (the fix is to convert). */
    readonly unsupported: boolean,
  ) {
    super(message);
    this.name = 'WavFormatProblem';
  }
}

function integerEncoding(containerBytes: number): SampleEncoding | undefined {
  return ({ 1: 'u8', 2: 's16le', 3: 's24le', 4: 's32le' } as const)[containerBytes];
}

function floatEncoding(bits: number): SampleEncoding | undefined {
  return ({ 32: 'f32le', 64: 'f64le' } as const)[bits];
}

/**
 * Parses the body of a `fmt ` chunk. Plain PCM, IEEE float and WAVE_FORMAT_EXTENSIBLE (whose real
 * format is the first two bytes of its subformat GUID) are decoded; integer samples narrower than
 * their container (12 bits in 16, 20 in 24) are left-justified by the spec, so decoding the
 * container is right. The block align must match the channels and sample size: a frame with
 * padding we don't understand would be decoded misaligned, which is worse than refusing.
 */
export function parseWavFormat(body: Buffer): PcmFormat {
  if (body.length < 16) throw new WavFormatProblem(`malformed WAV header (fmt chunk of ${body.length} bytes)`, false);
  let code = body.readUInt16LE(0);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const blockAlign = body.readUInt16LE(12);
  const bitsPerSample = body.readUInt16LE(14);
  if (code === WAVE_FORMAT_EXTENSIBLE) {
    if (body.length < 40 || body.readUInt16LE(16) < 22) {
      throw new WavFormatProblem('malformed WAV header (WAVE_FORMAT_EXTENSIBLE without its extension)', false);
    }
    if (!body.subarray(26, 40).equals(SUBFORMAT_GUID_TAIL)) {
      throw new WavFormatProblem('WAV subformat GUID is not a known audio format', true);
    }
    code = body.readUInt16LE(24);
  }
  if (channels === 0) throw new WavFormatProblem('WAV header says 0 channels', false);
  if (sampleRate === 0) throw new WavFormatProblem('WAV header says the sample rate is 0 Hz', false);
  let encoding: SampleEncoding | undefined;
  if (code === WAVE_FORMAT_PCM) {
    encoding = bitsPerSample === 0 ? undefined : integerEncoding(Math.ceil(bitsPerSample / 8));
    if (!encoding) throw new WavFormatProblem(`${bitsPerSample}-bit integer WAV is not supported`, true);
  } else if (code === WAVE_FORMAT_IEEE_FLOAT) {
    encoding = floatEncoding(bitsPerSample);
    if (!encoding) throw new WavFormatProblem(`${bitsPerSample}-bit float WAV is not supported`, true);
  } else {
    const codec = KNOWN_CODECS[code] ?? `format 0x${code.toString(16).padStart(4, '0')}`;
    throw new WavFormatProblem(`${codec}-encoded WAV is not supported`, true);
  }
  const sampleBytes = bytesPerSample(encoding);
  if (blockAlign !== channels * sampleBytes) {
    throw new WavFormatProblem(
      `malformed WAV header (block align ${blockAlign} for ${channels} channel(s) of ${sampleBytes * 8}-bit samples)`,
      false,
    );
  }
  return { sampleRate, channels, bitsPerSample, encoding };
}
