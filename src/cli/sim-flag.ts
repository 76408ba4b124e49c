import { CliError } from '../core/errors.js';

export interface SimHandle {
  url: string;
  close(): Promise<void>;
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
  const running = await startSimulator(options);
  return { url: running.url, close: () => running.close() };
}
