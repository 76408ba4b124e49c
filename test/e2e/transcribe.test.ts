import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli, sharedAudio } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'live-cli-transcribe-e2e-'));
let n = 0;

function readReport(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Duration in ms of a shared test file: WAV from its header, raw PCM as s16 mono at `rate`. */
function durationMs(name: string, rate = 16_000): number {
  const file = readFileSync(join(sharedAudio, name));
  if (!name.endsWith('.wav')) return (file.length / 2 / rate) * 1000;
  let offset = 12;
  let format = { channels: 1, rate: 0, bits: 16 };
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'fmt ') format = { channels: file.readUInt16LE(offset + 10), rate: file.readUInt32LE(offset + 12), bits: file.readUInt16LE(offset + 22) };
    if (id === 'data') return (size / (format.channels * (format.bits / 8)) / format.rate) * 1000;
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${name}: no data chunk`);
}

const SPEECH = /^\[speech #1 @\d+\.\d\ds \d+\.\d\ds\]$/;

const cases: Array<{ name: string; args?: string[]; rate?: number; speech: boolean }> = [
  { name: 'hello.wav', speech: true },
  { name: 'hello-16k.pcm', speech: true },
  { name: 'weather.wav', speech: true },
  { name: 'weather-48k-stereo.wav', speech: true },
  { name: 'weather-24k.pcm', args: ['--rate', '24000'], rate: 24_000, speech: true },
  { name: 'interrupt.wav', speech: true },
  { name: 'interrupt-44k-float.wav', speech: true },
  { name: 'silence-3s-16k.pcm', speech: false },
];

describe('live-cli transcribe (built binary, real SDK, simulator)', () => {
  it.each(cases)('transcribes $name: audioMs is its duration, the simulator received that much 16 kHz audio', async ({ name, args = [], rate, speech }) => {
    const report = join(work, `report-${++n}.ndjson`);
    const result = await runCli(['transcribe', `--sim=report=${report}`, '--json', ...args, join(sharedAudio, name)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const done = events.filter((e) => e.type === 'transcript.done');
    expect(done).toHaveLength(1);
    const expectedMs = durationMs(name, rate);
    expect(Math.abs((done[0]?.audioMs as number) - expectedMs)).toBeLessThanOrEqual(20);
    const pieces = events.filter((e) => e.type === 'transcript.input');
    expect(done[0]?.text).toBe(pieces.map((e) => e.text as string).join(''));
    if (speech) {
      expect(done[0]?.text).toMatch(SPEECH);
      for (const piece of pieces) expect(piece.offsetMs).toEqual(expect.any(Number));
      const segments = done[0]?.segments as Array<{ startMs: number; endMs: number; text: string }>;
      expect(segments).toHaveLength(1);
      expect(segments[0]?.text).toBe(done[0]?.text);
      expect(segments[0]?.endMs).toBeGreaterThanOrEqual(segments[0]?.startMs ?? Infinity);
    } else {
      expect(done[0]).toMatchObject({ text: '', segments: [] });
    }
    // Only the transcription is wanted: no reply audio reaches the output, and no file tag on a single file.
    expect(events.some((e) => e.type === 'audio' || 'file' in e)).toBe(false);
    const records = readReport(report);
    const setup = records.find((r) => r.type === 'setup');
    expect(setup).toMatchObject({ model: 'models/gemini-live-2.5-flash-preview', modality: 'TEXT', inputTranscription: true, outputTranscription: false });
    const summary = records.find((r) => r.type === 'summary');
    const received = summary?.audioBytesReceived as number;
    // 16 kHz s16 mono: 32 bytes per ms; the simulator's own clock (from the mime type's rate) agrees.
    expect(Math.abs(received / 32 - expectedMs)).toBeLessThanOrEqual(20);
    expect(Math.abs((summary?.audioSecondsKept as number) * 1000 - expectedMs)).toBeLessThanOrEqual(20);
    expect(records.some((r) => r.type === 'client' && r.kind === 'realtimeInput.audioStreamEnd')).toBe(true);
  });

  it('prints one line per segment in input order for several files, tags events with file, and a bad file among them exits 2', async () => {
    const notAudio = join(work, 'notes.txt');
    writeFileSync(notAudio, 'this is text, not audio\n');
    const files = [join(sharedAudio, 'weather.wav'), notAudio, join(sharedAudio, 'hello.wav'), join(sharedAudio, 'interrupt.wav')];
    const plain = await runCli(['transcribe', '--sim', ...files, '--concurrency', '3'], { timeoutMs: 40_000 });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/notes\.txt.*text, not audio/);
    expect(plain.stdout.split('\n')).toEqual([
      `==> ${files[0]} <==`,
      '[speech #1 @0.00s 5.00s]',
      `==> ${files[1]} <==`,
      `==> ${files[2]} <==`,
      '[speech #1 @0.02s 3.62s]',
      `==> ${files[3]} <==`,
      expect.stringMatching(SPEECH),
      '',
    ]);
    const json = await runCli(['transcribe', '--sim', '--json', ...files], { timeoutMs: 40_000 });
    expect(json.code).toBe(2);
    const events = parseEvents(json.stdout);
    expect(events.every((e) => typeof e.file === 'string' && files.includes(e.file))).toBe(true);
    const done = events.filter((e) => e.type === 'transcript.done');
    expect(done.map((e) => e.file).sort()).toEqual([files[0], files[2], files[3]].sort());
    expect(events.filter((e) => e.type === 'error')).toEqual([expect.objectContaining({ file: notAudio, code: 'input' })]);
  });

  it('reads stdin with - and with no argument, and --timestamps starts each line with its offsets', async () => {
    const pcm = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
    for (const args of [['-'], []]) {
      const result = await runCli(['transcribe', '--sim', '--timestamps', ...args], { input: pcm });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\[\d\d:\d\d\.\d\d → \d\d:\d\d\.\d\d\] \[speech #1 @0\.02s 3\.62s\]\n$/);
    }
  });

  it('--out writes FILE.partial and renames it to FILE on success; a failure leaves the partial', async () => {
    const out = join(work, 'transcript.txt');
    const ok = await runCli(['transcribe', '--sim', '--out', out, join(sharedAudio, 'weather.wav')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('[speech #1 @0.00s 5.00s]\n');
    expect(existsSync(`${out}.partial`)).toBe(false);

    const failed = join(work, 'failed.txt');
    const bad = await runCli(['transcribe', '--sim', '--out', failed, join(sharedAudio, 'hello.wav'), join(work, 'missing.wav')]);
    expect(bad.code).toBe(2);
    expect(existsSync(failed)).toBe(false);
    expect(readFileSync(`${failed}.partial`, 'utf8')).toContain('[speech #1 @0.02s 3.62s]\n');
  });

  it('splits a generated input into one line per segment, and with a native-audio model uses AUDIO and discards the reply', async () => {
    const hello = readFileSync(join(sharedAudio, 'hello-16k.pcm'));
    const input = join(work, 'three-segments.pcm');
    writeFileSync(input, Buffer.concat([hello, Buffer.alloc(32_000), hello, Buffer.alloc(32_000), hello]));
    const plain = await runCli(['transcribe', '--sim', '--timestamps', input]);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d\\.\\d\\d → \\d\\d:\\d\\d\\.\\d\\d\\] \\[speech #${i + 1} @\\d+\\.\\d\\ds 3\\.6\\ds\\]$`)));

    const report = join(work, `report-${++n}.ndjson`);
    const native = await runCli(['transcribe', `--sim=report=${report}`, '--json', '--model', 'gemini-2.5-flash-native-audio-preview-12-2025', input]);
    expect(native.code).toBe(0);
    const events = parseEvents(native.stdout);
    expect(events.some((e) => e.type === 'audio')).toBe(false);
    const done = events.find((e) => e.type === 'transcript.done');
    expect((done?.segments as unknown[]).length).toBe(3);
    expect(readReport(report).find((r) => r.type === 'setup')).toMatchObject({ modality: 'AUDIO', outputTranscription: false });
  });

  it('refuses --rate 0 with exit 2', async () => {
    const result = await runCli(['transcribe', '--sim', '--rate', '0', join(sharedAudio, 'hello-16k.pcm')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--rate must be a positive whole number/);
    expect(result.stdout).toBe('');
  });

  it('reads a FIFO among files once, as a stream (it cannot be reopened like a file)', async () => {
    const fifo = join(work, 'weather.fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer blocks until live-cli opens the FIFO for reading.
    const writer = createReadStream(join(sharedAudio, 'weather.wav')).pipe(createWriteStream(fifo));
    const result = await runCli(['transcribe', '--sim', join(sharedAudio, 'hello.wav'), fifo]);
    writer.destroy();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`==> ${join(sharedAudio, 'hello.wav')} <==\n[speech #1 @0.02s 3.62s]\n==> ${fifo} <==\n[speech #1 @0.00s 5.00s]\n`);
  });
});

describe('live-cli transcribe checks its inputs before the key', () => {
  const noKey = { env: { GEMINI_API_KEY: undefined } };
  const bad = mkdtempSync(join(tmpdir(), 'live-cli-transcribe-bad-'));
  const hello = readFileSync(join(sharedAudio, 'hello.wav'));
  writeFileSync(join(bad, 'empty.pcm'), '');
  writeFileSync(join(bad, 'notes.txt'), 'this is text, not audio\n');
  writeFileSync(join(bad, 'song.mp3'), Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(64, 0xff)]));
  writeFileSync(join(bad, 'header-only.wav'), hello.subarray(0, 44));
  writeFileSync(join(bad, 'truncated.wav'), hello.subarray(0, 30));
  mkdirSync(join(bad, 'folder.wav'));

  const inputs: Array<{ what: string; args: string[]; error: RegExp }> = [
    { what: 'a missing file', args: [join(bad, 'missing.wav')], error: /missing\.wav: no such file; check the path/ },
    { what: 'a directory', args: [join(bad, 'folder.wav')], error: /folder\.wav: a directory, not an audio file/ },
    { what: 'an empty file', args: [join(bad, 'empty.pcm')], error: /empty\.pcm: empty file \(0 bytes\)/ },
    { what: 'text', args: [join(bad, 'notes.txt')], error: /notes\.txt: text, not audio/ },
    { what: 'MP3', args: [join(bad, 'song.mp3')], error: /song\.mp3: MP3 .*not supported; convert it to WAV first: sox / },
    { what: 'a WAV header with no samples', args: [join(bad, 'header-only.wav')], error: /header-only\.wav: the WAV file has a header but no audio samples/ },
    { what: 'a truncated WAV header', args: [join(bad, 'truncated.wav')], error: /truncated\.wav: truncated WAV header/ },
    { what: '--rate 0', args: ['--rate', '0', join(sharedAudio, 'hello-16k.pcm')], error: /--rate must be a positive whole number/ },
  ];

  it.each(inputs)('$what with no API key: exit 2 and its own one-line error, not the missing key', async ({ args, error }) => {
    const result = await runCli(['transcribe', ...args], noKey);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^live-cli: [^\\n]*${error.source}[^\\n]*\\n$`));
  });

  it('reports every bad file of a batch with no key, as NDJSON with --json, and never mentions the key', async () => {
    const files = ['missing.wav', 'notes.txt', 'empty.pcm'].map((name) => join(bad, name));
    const result = await runCli(['transcribe', '--json', ...files], noKey);
    expect(result.code).toBe(2);
    const errors = parseEvents(result.stdout);
    expect(errors.map((e) => [e.type, e.code, e.file])).toEqual(files.map((file) => ['error', 'input', file]));
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(3);
    expect(result.stderr).not.toMatch(/API key/);
  });

  it('with no key, good inputs still need it: exit 3, after any bad one is reported', async () => {
    const good = join(sharedAudio, 'hello.wav');
    const allGood = await runCli(['transcribe', good], noKey);
    expect(allGood.code).toBe(3);
    expect(allGood.stderr).toBe('live-cli: no API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), or try it offline with --sim\n');

    const mixed = await runCli(['transcribe', join(bad, 'missing.wav'), good], noKey);
    expect(mixed.code).toBe(3);
    expect(mixed.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/missing\.wav: no such file/), expect.stringMatching(/no API key/)]);
  });
});

describe('transcribe takes the common options', () => {
  it('--temperature reaches the setup; --no-log and --no-tui are accepted', async () => {
    const report = join(work, `report-common-${++n}.ndjson`);
    const result = await runCli(['transcribe', `--sim=report=${report}`, '--temperature', '0.3', '--no-log', '--no-tui', join(sharedAudio, 'hello.wav')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[speech #1/);
    const setups = readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; temperature?: number | null })
      .filter((record) => record.type === 'setup');
    expect(setups[0]?.temperature).toBe(0.3);
  });
});
