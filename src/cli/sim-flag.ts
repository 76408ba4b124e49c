import { CliError } from '../core/errors.js';
import { join } from 'node:path';
import { statePaths } from '../registry/paths.js';
import { SIM_WITH_ENDPOINT } from '../live/config.js';

export interface SimHandle {
  url: string;
  close(): Promise<void>;
}

/**
 * `--sim` / `--sim=OPTIONS` as given (undefined without it), checked before anything else starts:
 * with `--endpoint` it is a usage error.
 */
export function requestedSim(flags: { sim?: boolean | string; endpoint?: string }): true | string | undefined {
  if (flags.sim === undefined || flags.sim === false) return undefined;
  if (flags.endpoint) throw new CliError('usage', SIM_WITH_ENDPOINT);
  return flags.sim;
}

/** `--sim` / `--sim=OPTIONS`: an in-process simulator on a free loopback port. */
export async function startSimFromFlag(flag: true | string): Promise<SimHandle> {
  const { defaultSimOptions, parseSimOptions, startSimulator } = await import('../sim/index.js');
  let options = defaultSimOptions();
  if (typeof flag === 'string' && flag.length > 0) {
    try {
      options = parseSimOptions(flag, options);
    } catch (error) {
      throw new CliError('usage', `--sim: ${(error as Error).message}`);
    }
  }
  options.port = 0;
  // The simulator ends with this process; its handles stay, so `live-cli resume <id> --sim` works.
  options.handleDir ??= join(statePaths(process.env).root, 'sim-handles');
  const running = await startSimulator(options);
  return { url: running.url, close: () => running.close() };
}
