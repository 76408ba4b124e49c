import { format } from 'node:util';
import { redact } from '../core/redact.js';
import { createLineWriter, type LineWriter } from '../output/stdout.js';

/**
 * Process-wide plumbing, set up once at start-up: stdout and stderr writers that survive closed
 * pipes, console output moved off stdout, and one AbortController that signals, a broken stdout
 * and fatal errors all trip.
 */
export interface Runtime {
  stdout: LineWriter;
  stderr: LineWriter;
  /** Aborted on SIGINT/SIGTERM/SIGHUP or when stdout's reader goes away. */
  shutdown: AbortController;
  /** The signal that caused the shutdown, if any: its exit code is 128 + its number. */
  signal: NodeJS.Signals | undefined;
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (signalNumbers[signal] ?? 0);
}

let current: Runtime | undefined;

export function getRuntime(): Runtime {
  if (current) return current;
  const shutdown = new AbortController();
  const runtime: Runtime = {
    stdout: createLineWriter(process.stdout, () => shutdown.abort()),
    stderr: createLineWriter(process.stderr, () => undefined),
    shutdown,
    signal: undefined,
  };
  routeConsoleToStderr(runtime.stderr);
  current = runtime;
  return runtime;
}

/** Installs the signal handlers; a second signal while shutting down exits at once. */
export function handleSignals(runtime: Runtime): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (runtime.signal) process.exit(exitCodeForSignal(runtime.signal));
      runtime.signal = signal;
      runtime.shutdown.abort();
    });
  }
}

/**
 * The SDK writes warnings with console.warn and, in Vertex mode, console.debug lines to stdout.
 * stdout belongs to the transcript or NDJSON, so every console method goes to stderr, redacted.
 */
function routeConsoleToStderr(stderr: LineWriter): void {
  const toStderr = (...args: unknown[]): void => stderr.write(redact(format(...args)) + '\n');
  for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const) {
    // eslint-disable-next-line no-console -- this is the one place that redirects console.
    console[method] = toStderr;
  }
}
