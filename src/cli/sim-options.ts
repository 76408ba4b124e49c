import { CliError } from '../core/errors.js';
import type { SimOptions, SIM_OPTION_SPECS } from '../sim/options.js';

/** Turns `live-cli sim` flags (commander camelCases them) into SimOptions, with one-line errors. */
export function simOptionsFromFlags(
  flags: Record<string, string | boolean | undefined>,
  base: SimOptions,
  specs: typeof SIM_OPTION_SPECS,
): SimOptions {
  const options: SimOptions = { ...base };
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError('usage', `--port must be a port number from 0 to 65535, got "${String(flags.port)}"`);
  }
  options.port = port;
  if (typeof flags.host === 'string') options.host = flags.host;
  const record = options as unknown as Record<string, unknown>;
  for (const spec of specs) {
    if (spec.key === 'port' || spec.key === 'host') continue;
    const camelCase = (flag: string): string => flag.replace(/-([a-z])/g, (_m: string, c: string) => c.toUpperCase());
    // Commander reads `--no-x` as the negation of `x`: it stores `x: false`, not `noX: true`.
    const negated = spec.kind === 'switch' && spec.flag.startsWith('no-');
    const raw = negated ? flags[camelCase(spec.flag.slice(3))] : flags[camelCase(spec.flag)];
    const value = negated ? (raw === false ? true : undefined) : raw;
    if (value === undefined) continue;
    if (spec.kind === 'switch') record[spec.key] = value === true;
    else if (spec.kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new CliError('usage', `--${spec.flag} takes a non-negative number, got "${String(value)}"`);
      record[spec.key] = n;
    } else record[spec.key] = value;
  }
  return options;
}
