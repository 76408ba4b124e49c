import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CliError } from '../../core/errors.js';
import { lastLine } from '../process.js';
import { PacedSink, type PacedSinkOptions, type PcmFormat, type PlaybackDevice } from './paced.js';

export type PlayerName = 'aplay' | 'paplay' | 'pw-play' | 'play';

/** The order `--player auto` tries them in (after `speaker`), as the contract lists them. */
export const PLAYER_NAMES: readonly PlayerName[] = ['aplay', 'paplay', 'pw-play', 'play'];

/** The Debian package that provides each player, for "install …" messages. */
export const PLAYER_PACKAGE: Record<PlayerName, string> = {
  aplay: 'alsa-utils',
  paplay: 'pulseaudio-utils',
  'pw-play': 'pipewire-bin',
  play: 'sox',
};

/**
 * Arguments for raw s16le from stdin. Each player is asked for a small device buffer (100 ms) so
 * that, with our own pacing on top, little is left to discard on barge-in.
 */
export function playerArgs(name: PlayerName, format: PcmFormat, device?: string): string[] {
  const { sampleRate: rate, channels } = format;
  switch (name) {
    case 'aplay':
      return ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', String(rate), '-c', String(channels), '--buffer-time=100000', ...(device ? ['-D', device] : []), '-'];
    case 'paplay':
      return ['--raw', '--format=s16le', `--rate=${rate}`, `--channels=${channels}`, '--latency-msec=100', ...(device ? [`--device=${device}`] : [])];
    case 'pw-play':
      return ['--rate', String(rate), '--channels', String(channels), '--format', 's16', '--latency=100ms', ...(device ? ['--target', device] : []), '-'];
    case 'play':
      // sox's processing buffer is in bytes of its 32-bit samples: 20 ms of them.
      return ['-q', '--buffer', String(Math.round(rate * 0.02) * 4 * channels), '-t', 'raw', '-r', String(rate), '-e', 'signed-integer', '-b', '16', '-c', String(channels), '-'];
  }
}

type PlayerProcess = ChildProcessByStdio<Writable, null, Readable>;

/** A player that has not read this much of what we wrote is stuck, not just slow. */
const STUCK_AFTER_MS = 2000;
/** How long a player gets to exit after its stdin ends before it is killed. */
const FINISH_GRACE_MS = 2000;

/**
 * Runs a player process: one per device run, fed through stdin. Barge-in kills it (SIGKILL: the
 * audio it holds must stop now, and a player has nothing to save); the sink starts another on the
 * next write.
 */
export class PlayerDevice implements PlaybackDevice {
  readonly label: string;
  private child: PlayerProcess | undefined;
  private stuckBytes = 0;

  constructor(
    readonly name: PlayerName,
    private readonly command: string,
    private readonly options: { device?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.label = `${name}${options.device ? ` (${options.device})` : ''}`;
  }

  /** The running player's pid, if one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(format: PcmFormat, onFailure: (error: CliError) => void): void {
    const env = { ...(this.options.env ?? process.env) };
    // sox's play takes the device from AUDIODEV, like the recorder.
    if (this.name === 'play' && this.options.device) env.AUDIODEV = this.options.device;
    const child = spawn(this.command, playerArgs(this.name, format, this.options.device), {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.child = child;
    this.stuckBytes = Math.round((STUCK_AFTER_MS * format.sampleRate * format.channels * 2) / 1000);
    let stderrTail = '';
    let ended = false;
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-2000);
    });
    // EPIPE when the player dies: its 'close' below says why.
    child.stdin.on('error', () => undefined);
    child.stdin.once('finish', () => {
      ended = true;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      onFailure(new CliError('device', `cannot start ${this.name} (${error.code ?? error.message}): install ${PLAYER_PACKAGE[this.name]}`));
    });
    child.once('close', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (ended && code === 0) return;
      const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
      const detail = lastLine(stderrTail);
      onFailure(new CliError('device', `${this.name} ${how}${detail ? `: ${detail}` : ''} (check --output-device or use --output FILE.wav)`));
    });
  }

  write(data: Buffer): void {
    const child = this.child;
    if (!child) return;
    if (child.stdin.writableLength > this.stuckBytes) {
      child.kill('SIGKILL');
      return;
    }
    child.stdin.write(data);
  }

  abort(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
  }

  async finish(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), FINISH_GRACE_MS);
    await exited;
    clearTimeout(killer);
  }
}

/** A sink that plays through `name` (found at `command`), paced by PacedSink. */
export class PlayerSink extends PacedSink {
  constructor(
    readonly player: PlayerDevice,
    options: PacedSinkOptions = {},
  ) {
    super(player, options);
  }
}

export function openPlayerSink(
  name: PlayerName,
  command: string,
  options: PacedSinkOptions & { device?: string; env?: NodeJS.ProcessEnv } = {},
): PlayerSink {
  return new PlayerSink(new PlayerDevice(name, command, { device: options.device, env: options.env }), options);
}
