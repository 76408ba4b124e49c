import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listDevices, parseAlsaList, parsePactlShort } from '../../src/audio/devices.js';

const fakeBin = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
const alsaFixtures = fileURLToPath(new URL('../fixtures/alsa', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'live-cli-devices-'));
const nodeBin = join(work, 'node-bin');
mkdirSync(nodeBin);
symlinkSync(process.execPath, join(nodeBin, 'node'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function envWith(tools: string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(work, 'path-'));
  for (const tool of tools) symlinkSync(join(fakeBin, tool), join(dir, tool));
  return { PATH: `${dir}:${nodeBin}`, HOME: work, ...extra };
}

describe('listDevices', () => {
  it('lists ALSA and PulseAudio/PipeWire devices, without the null PCM', async () => {
    const list = await listDevices(envWith(['arecord', 'aplay', 'pactl']));
    expect(list.hints).toEqual([]);
    const captureIds = list.capture.map((device) => device.id);
    expect(captureIds).toContain('default');
    expect(captureIds).toContain('plughw:CARD=PCH,DEV=0');
    expect(captureIds).toContain('alsa_input.pci-0000_00_1f.3.analog-stereo');
    expect(captureIds).not.toContain('null');
    expect(list.capture.find((device) => device.id === 'sysdefault:CARD=PCH')).toEqual({
      id: 'sysdefault:CARD=PCH',
      description: 'HDA Intel PCH, ALC3246 Analog — Default Audio Device',
      backend: 'alsa',
    });
    expect(list.playback.map((device) => device.id)).toContain('hdmi:CARD=PCH,DEV=0');
    expect(list.playback.find((device) => device.backend === 'pulse')?.id).toBe('alsa_output.pci-0000_00_1f.3.analog-stereo');
  });

  it('a machine without a sound card or sound server gives empty lists and hints, not a crash', async () => {
    const noCard = join(alsaFixtures, 'no-card-L.txt');
    const list = await listDevices(
      envWith(['arecord', 'aplay', 'pactl'], { FAKE_ALSA_CAPTURE_LIST: noCard, FAKE_ALSA_PLAYBACK_LIST: noCard, FAKE_PACTL_FAIL: '1' }),
    );
    expect(list.capture).toEqual([]);
    expect(list.playback).toEqual([]);
    expect(list.hints.join('\n')).toMatch(/no capture devices/);
    expect(list.hints.join('\n')).toMatch(/no playback devices/);
  });

  it('without the tools at all, says what to install', async () => {
    const list = await listDevices(envWith([]));
    expect(list.capture).toEqual([]);
    expect(list.playback).toEqual([]);
    expect(list.hints[0]).toMatch(/install alsa-utils/);
  });
});

describe('parsers', () => {
  it('parseAlsaList joins description lines and tolerates blank lines', () => {
    expect(parseAlsaList('default\n    Default ALSA Output\n\nhw:CARD=X,DEV=0\n    X\n    Direct hardware device\n')).toEqual([
      { id: 'default', description: 'Default ALSA Output', backend: 'alsa' },
      { id: 'hw:CARD=X,DEV=0', description: 'X — Direct hardware device', backend: 'alsa' },
    ]);
    expect(parseAlsaList('')).toEqual([]);
  });

  it('parsePactlShort marks monitors of outputs', () => {
    const [monitor] = parsePactlShort('49\tout.monitor\tPipeWire\ts32le 2ch 48000Hz\tSUSPENDED\n');
    expect(monitor).toEqual({ id: 'out.monitor', description: 'monitor of an output, s32le 2ch 48000Hz, suspended', backend: 'pulse' });
  });
});
