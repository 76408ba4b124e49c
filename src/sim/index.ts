/** The Live API simulator: `live-cli sim`, `--sim`, and the test double every other test runs against. */
export { defaultSimOptions, parseSimOptions, parseSimOptionValue, SIM_OPTION_SPECS } from './options.js';
export type { SimOptions, SimOptionSpec } from './options.js';
export { startSimulator } from './server.js';
export type { RunningSimulator } from './server.js';
