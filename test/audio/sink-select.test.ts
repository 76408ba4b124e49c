import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { NullSink } from '../../src/audio/sinks/null.js';
import { PlayerSink } from '../../src/audio/sinks/player.js';
import { openOutputSink } from '../../src/audio/sinks/select.js';
import { SpeakerSink } from '../../src/audio/sinks/speaker.js';
import { WavOutputSink } from '../../src/audio/sinks/wav-sink.js';

const fakeBin = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'live-cli-select-'));
const nodeBin = join(work, 'node-bin');
mkdirSync(nodeBin);
symlinkSync(process.execPath, join(nodeBin, 'node'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PATH holding only `node` and the named fakes. */
function envWith(...tools: string[]): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(work, 'path-'));
  for (const tool of tools) symlinkSync(join(fakeBin, tool), join(dir, tool));
  return { PATH: `${dir}:${nodeBin}`, HOME: work };
}

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('openOutputSink', () => {
  it('none is a null sink that never has anything to drop', async () => {
    const sink = await openOutputSink({ output: 'none' });
    expect(sink).toBeInstanceOf(NullSink);
    sink.write({ data: Buffer.alloc(4800), sampleRate: 24000, channels: 1 });
    expect(sink.flush()).toBe(0);
    await sink.close();
  });

  it('FILE.wav keeps everything: flush drops 0 ms and the file holds all audio', async () => {
    const path = join(work, 'reply.wav');
    const sink = await openOutputSink({ output: path, player: 'aplay' });
    expect(sink).toBeInstanceOf(WavOutputSink);
    sink.write({ data: Buffer.alloc(4800, 1), sampleRate: 24000, channels: 1 });
    expect(sink.flush()).toBe(0);
    sink.write({ data: Buffer.alloc(2400, 2), sampleRate: 24000, channels: 1 });
    await sink.close();
    const wav = readFileSync(path);
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(24000);
    expect(wav.readUInt32LE(40)).toBe(7200);
    expect(wav.length).toBe(44 + 7200);
  });

  it('a WAV path that cannot be written is a usage error', async () => {
    const error = await rejection(openOutputSink({ output: join(work, 'no-such-dir', 'x.wav') }));
    expect(error.exitCode).toBe(2);
  });

  it('auto falls back to the first player on PATH when the speaker probe fails (module missing here)', async () => {
    const sink = await openOutputSink({ output: 'speaker', player: 'auto', env: envWith('paplay', 'play') });
    expect(sink).toBeInstanceOf(PlayerSink);
    expect(sink.label).toBe('paplay');
    await sink.close();
    const withAplay = await openOutputSink({ output: 'speaker', player: 'auto', env: envWith('aplay', 'paplay', 'pw-play', 'play') });
    expect(withAplay.label).toBe('aplay');
    await withAplay.close();
  });

  it('auto falls back to a player when speaker crashes in its probe', async () => {
    const dir = join(work, 'crashing-speaker');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.js'), 'process.abort();');
    const sink = await openOutputSink({
      output: 'speaker',
      player: 'auto',
      env: envWith('aplay'),
      speakerModulePath: join(dir, 'index.js'),
    });
    expect(sink.label).toBe('aplay');
    await sink.close();
  });

  it('auto uses speaker when its probe succeeds', async () => {
    const dir = join(work, 'working-speaker');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'index.js'),
      `const { Writable } = require('stream');
module.exports = class Speaker extends Writable { _write(c, e, done) { done(); } close() {} };`,
    );
    const sink = await openOutputSink({ output: 'speaker', player: 'auto', env: envWith(), speakerModulePath: join(dir, 'index.js') });
    expect(sink).toBeInstanceOf(SpeakerSink);
    await sink.close();
  });

  it('forcing a player uses it; a missing one is exit 5 naming its package', async () => {
    const sink = await openOutputSink({ output: 'speaker', player: 'pw-play', device: '42', env: envWith('aplay', 'pw-play') });
    expect(sink.label).toBe('pw-play (42)');
    await sink.close();
    for (const [player, pkg] of [['aplay', 'alsa-utils'], ['paplay', 'pulseaudio-utils'], ['pw-play', 'pipewire-bin'], ['play', 'sox']] as const) {
      const error = await rejection(openOutputSink({ output: 'speaker', player, env: envWith() }));
      expect(error.code).toBe('device');
      expect(error.exitCode).toBe(5);
      expect(error.message).toContain(`install ${pkg}`);
    }
  });

  it('--player speaker without a working speaker is exit 5 saying how to build it', async () => {
    const dir = join(work, 'throwing-speaker');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.js'), `throw new Error("Could not locate the bindings file.");`);
    const error = await rejection(
      openOutputSink({ output: 'speaker', player: 'speaker', env: envWith('aplay'), speakerModulePath: join(dir, 'index.js') }),
    );
    expect(error.exitCode).toBe(5);
    expect(error.message).toMatch(/bindings file.*libasound2-dev/);
  });

  it('nothing to play with is exit 5 naming what to install', async () => {
    const error = await rejection(openOutputSink({ output: 'speaker', player: 'auto', env: envWith() }));
    expect(error.code).toBe('device');
    expect(error.message).toMatch(/alsa-utils/);
    expect(error.message).toMatch(/--output FILE\.wav/);
  });
});
