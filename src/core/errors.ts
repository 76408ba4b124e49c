import type { ErrorCode } from './events.js';

/** Exit codes of the contract (../shared/CLI-CONTRACT.md, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  connection: 4,
  device: 5,
  quota: 6,
  /** stdout or an output file could not be written (disk full, I/O error): output was lost. */
  output: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const exitByErrorCode: Record<ErrorCode, ExitCodeValue> = {
  auth: ExitCode.auth,
  usage: ExitCode.usage,
  input: ExitCode.usage,
  timeout: ExitCode.connection,
  protocol: ExitCode.connection,
  quota: ExitCode.quota,
  device: ExitCode.device,
  output: ExitCode.output,
  internal: ExitCode.internal,
};

/**
 * An error a user can act on: `message` is one line naming the problem and the fix, `code` is the
 * stable string of the `error` event, and the exit code follows from it.
 */
export class CliError extends Error {
  readonly code: ErrorCode;
  readonly closeCode: number | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(code: ErrorCode, message: string, options: { closeCode?: number; exitCode?: ExitCodeValue } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.closeCode = options.closeCode;
    this.exitCode = options.exitCode ?? exitByErrorCode[code];
  }
}

export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  return exitByErrorCode[code];
}
