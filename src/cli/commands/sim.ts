import { whenAborted } from '../../core/abort.js';
import type { Runtime } from '../runtime.js';
import { CliError, ExitCode } from '../../core/errors.js';
import type { SimOptions } from '../../sim/index.js';

/**
 * `live-cli sim`: the simulator on a port until a signal. Prints `listening on http://HOST:PORT`
 * (one JSON line with --json) so scripts can read the port when they asked for 0.
 */
export async function runSim(options: SimOptions, json: boolean, runtime: Runtime): Promise<number> {
  const { startSimulator } = await import('../../sim/index.js');
  let running;
  try {
    running = await startSimulator(options, process.stderr);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${options.port} is in use; pick another with --port (0 picks a free one)` : (error as Error).message;
    throw new CliError('usage', `cannot start the simulator: ${why}`);
  }
  runtime.stdout.write(
    json ? JSON.stringify({ type: 'sim.listening', url: running.url, port: running.port }) + '\n' : `listening on ${running.url}\n`,
  );
  await whenAborted(runtime.shutdown.signal);
  await running.close();
  // Stopping the simulator with a signal is how it is meant to end.
  return ExitCode.ok;
}
