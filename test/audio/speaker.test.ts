import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PcmChunk } from '../../src/audio/pcm.js';
import { openSpeakerSink, probeSpeaker, SpeakerSink } from '../../src/audio/sinks/speaker.js';

// Stand-ins for the `speaker` module, written at test time: one that aborts the process (what
// the real one does on a machine without an ALSA default device), one that hangs, one that throws
// on open, and a working one that records what it was asked to do. Only the working one is ever
// loaded into this process, and only after its probe succeeded.
const work = mkdtempSync(join(tmpdir(), 'live-cli-speaker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fakeModule(name: string, source: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: 'index.js', type: 'commonjs' }));
  writeFileSync(join(dir, 'index.js'), source);
  return join(dir, 'index.js');
}

const abortingModule = fakeModule('speaker-aborts', `process.abort();`);
const hangingModule = fakeModule('speaker-hangs', `setInterval(() => {}, 1000); module.exports = function Speaker() { this.on = () => {}; this.write = () => {}; };`);
const throwingModule = fakeModule(
  'speaker-throws',
  `const { Writable } = require('stream');
module.exports = class Speaker extends Writable {
  _write(chunk, encoding, done) { done(new Error('open() failed: -2')); }
};`,
);
// Plays at real-time pace into a fixed 0.5 s "ALSA buffer"; records writes and close(flush) calls.
const workingModule = fakeModule(
  'speaker-works',
  `const { Writable } = require('stream');
const instances = (globalThis.fakeSpeakerInstances ??= []);
module.exports = class Speaker extends Writable {
  constructor(options) {
    super({ highWaterMark: 0 });
    this.options = options;
    this.received = 0;
    this.closes = [];
    this.ended = false;
    instances.push(this);
    this.on('finish', () => { this.ended = true; });
  }
  _write(chunk, encoding, done) {
    if (this.closes.length) return done(new Error('write() call after close() call'));
    this.received += chunk.length;
    done();
  }
  close(flush) { this.closes.push(flush); this.emit('close'); }
};`,
);

const pcm24k = (ms: number): PcmChunk => ({ data: Buffer.alloc((ms * 24000 * 2) / 1000, 1), sampleRate: 24000, channels: 1 });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface FakeSpeaker {
  options: { sampleRate: number; channels: number; device?: string };
  received: number;
  closes: boolean[];
  ended: boolean;
  emit(event: string, ...args: unknown[]): boolean;
}

const instances = (): FakeSpeaker[] => (globalThis as unknown as { fakeSpeakerInstances?: FakeSpeaker[] }).fakeSpeakerInstances ?? [];

function speakerInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('speaker');
    return true;
  } catch {
    return false;
  }
}

describe('probeSpeaker', () => {
  // Where speaker is built (CI installs libasound2-dev for it) the real module is covered by speaker-alsa.test.ts.
  it.skipIf(speakerInstalled())('fails cleanly when the module is not installed, without spawning', async () => {
    const probe = await probeSpeaker();
    expect(probe.ok ? '' : probe.reason).toMatch(/not installed/);
  });

  it('survives a module that aborts the process, which it runs only in a child', async () => {
    const probe = await probeSpeaker({ modulePath: abortingModule });
    expect(probe).toEqual({ ok: false, reason: expect.stringMatching(/crashed.*SIGABRT/) as unknown });
  });

  it('gives up on a module that hangs', async () => {
    const started = performance.now();
    const probe = await probeSpeaker({ modulePath: hangingModule, timeoutMs: 500 });
    expect(probe.ok).toBe(false);
    expect(probe.ok ? '' : probe.reason).toMatch(/hung/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('reports the error of a module that cannot open the device', async () => {
    const probe = await probeSpeaker({ modulePath: throwingModule });
    expect(probe.ok ? '' : probe.reason).toMatch(/open\(\) failed: -2/);
  });

  it('succeeds with a working module', async () => {
    expect(await probeSpeaker({ modulePath: workingModule })).toEqual({ ok: true, modulePath: workingModule });
  });
});

describe('SpeakerSink on a fake speaker module', () => {
  it('paces writes, barges in with close(true) and a fresh instance, never end()', async () => {
    const sink = openSpeakerSink(workingModule);
    expect(sink).toBeInstanceOf(SpeakerSink);
    const first = instances().length;
    const begin = performance.now();
    sink.write(pcm24k(1000));
    await sleep(200);
    const speaker = instances()[first];
    expect(speaker?.options).toMatchObject({ sampleRate: 24000, channels: 1 });
    const elapsed = performance.now() - begin;
    // Only the lead beyond real time reached the device, not the whole second.
    expect(speaker?.received ?? 0).toBeLessThanOrEqual(((elapsed + 101) * 48000) / 1000);
    const dropped = sink.flush();
    expect(dropped).toBeGreaterThanOrEqual(1000 - elapsed - 1);
    expect(dropped).toBeLessThanOrEqual(1000 - elapsed + 20);
    expect(speaker?.closes).toEqual([true]);
    expect(speaker?.ended).toBe(false);
    // A late error from the closed instance must not crash anything.
    speaker?.emit('error', new Error('write() call after close() call'));

    sink.write(pcm24k(100));
    const fresh = instances()[first + 1];
    expect(fresh).toBeDefined();
    await sink.close();
    expect(fresh?.received).toBe(4800);
    expect(fresh?.closes).toEqual([true]);
    expect(fresh?.ended).toBe(false);
  });

  it('an error from the live instance is a device error', async () => {
    const errors: Error[] = [];
    const sink = openSpeakerSink(workingModule, { onError: (error) => errors.push(error) });
    const first = instances().length;
    sink.write(pcm24k(50));
    instances()[first]?.emit('error', new Error('snd_pcm_writei: Input/output error'));
    expect(errors[0]?.message).toMatch(/speaker: snd_pcm_writei/);
    await expect(sink.close()).rejects.toThrow(/speaker/);
  });
});
