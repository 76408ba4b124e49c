import type { Runtime } from '../runtime.js';
import { ExitCode } from '../../core/errors.js';

/** `live-cli devices`: capture and playback devices, and what to install when there are none. */
export async function runDevices(json: boolean, runtime: Runtime): Promise<number> {
  const { listDevices } = await import('../../audio/devices.js');
  const list = await listDevices();
  if (json) {
    for (const device of list.capture) runtime.stdout.write(JSON.stringify({ type: 'device', direction: 'capture', ...device }) + '\n');
    for (const device of list.playback) runtime.stdout.write(JSON.stringify({ type: 'device', direction: 'playback', ...device }) + '\n');
  } else {
    for (const [title, devices] of [['capture', list.capture], ['playback', list.playback]] as const) {
      runtime.stdout.write(`${title}:\n`);
      if (devices.length === 0) runtime.stdout.write('  (none found)\n');
      for (const device of devices) {
        runtime.stdout.write(`  ${device.id}${device.description ? `  ${device.description}` : ''} (${device.backend})\n`);
      }
    }
  }
  for (const hint of list.hints) runtime.stderr.write(`live-cli: ${hint}\n`);
  return ExitCode.ok;
}
