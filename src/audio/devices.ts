import { runCommand } from './process.js';

export interface AudioDevice {
  /** What to pass to `--input-device` / `--output-device`. */
  id: string;
  /** The system's description, lines joined with " — ". */
  description: string;
  /** Who listed it: ALSA (`arecord -L` / `aplay -L`) or a PulseAudio/PipeWire server (`pactl`). */
  backend: 'alsa' | 'pulse';
}

export interface DeviceList {
  capture: AudioDevice[];
  playback: AudioDevice[];
  /** What to do when something is missing: a tool to install, no devices found. Empty when all is well. */
  hints: string[];
}

/**
 * ALSA PCMs that are not devices a user would pick: `null` discards or makes silence, and is listed
 * even on a machine without a sound card.
 */
const NOT_A_DEVICE = new Set(['null']);

/**
 * Lists capture and playback devices from `arecord -L`, `aplay -L` and, when a PulseAudio or
 * PipeWire server answers, `pactl list short sources|sinks`. Missing tools and empty lists become
 * hints; this never throws, since "nothing found" is itself the answer `live-cli devices` gives.
 */
export async function listDevices(env: NodeJS.ProcessEnv = process.env): Promise<DeviceList> {
  const [arecord, aplay, sources, sinks] = await Promise.all([
    runCommand('arecord', ['-L'], { env }),
    runCommand('aplay', ['-L'], { env }),
    runCommand('pactl', ['list', 'short', 'sources'], { env }),
    runCommand('pactl', ['list', 'short', 'sinks'], { env }),
  ]);
  const hints: string[] = [];
  const capture: AudioDevice[] = [];
  const playback: AudioDevice[] = [];

  if (!arecord && !aplay) hints.push('arecord and aplay not found: install alsa-utils to list ALSA devices');
  if (arecord?.code === 0) capture.push(...parseAlsaList(arecord.stdout));
  if (aplay?.code === 0) playback.push(...parseAlsaList(aplay.stdout));
  if (sources?.code === 0) capture.push(...parsePactlShort(sources.stdout));
  if (sinks?.code === 0) playback.push(...parsePactlShort(sinks.stdout));

  if (capture.length === 0) hints.push('no capture devices found: is a microphone connected (check `arecord -l`)?');
  if (playback.length === 0) hints.push('no playback devices found: use --output FILE.wav or --output none');
  return { capture, playback, hints };
}

/**
 * `arecord -L` / `aplay -L`: a PCM name at the start of a line, its description indented on the
 * lines below it.
 */
export function parseAlsaList(text: string): AudioDevice[] {
  const devices: AudioDevice[] = [];
  let current: { id: string; lines: string[] } | undefined;
  const finish = (): void => {
    if (current && !NOT_A_DEVICE.has(current.id)) {
      devices.push({ id: current.id, description: current.lines.join(' — '), backend: 'alsa' });
    }
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      current?.lines.push(line.trim());
      continue;
    }
    finish();
    current = { id: line.trim(), lines: [] };
  }
  finish();
  return devices;
}

/** `pactl list short sources|sinks`: index, name, driver, sample spec, state, tab-separated. */
export function parsePactlShort(text: string): AudioDevice[] {
  const devices: AudioDevice[] = [];
  for (const line of text.split('\n')) {
    const [, name, , spec, state] = line.split('\t');
    if (!name) continue;
    const monitor = name.endsWith('.monitor') ? 'monitor of an output, ' : '';
    const description = `${monitor}${[spec, state?.toLowerCase()].filter(Boolean).join(', ')}`;
    devices.push({ id: name, description, backend: 'pulse' });
  }
  return devices;
}
