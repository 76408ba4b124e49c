import { closeSync, lstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { CliError } from '../core/errors.js';
import { StreamRedactor } from '../core/redact.js';

/**
 * `--out FILE`: everything goes to `FILE.partial` as it is produced (written through, so a crash
 * or a failure leaves what was transcribed so far) and `commit()` renames it to `FILE`.
 *
 * Only a regular file (or a name that does not exist yet) is replaced that way. A symlink, a device
 * (`/dev/stdout`, a terminal) or a FIFO is written in place, as the shell's `>` would: renaming over
 * it would replace the link or the device node with a plain file and the output would never reach
 * where the user pointed it.
 */
export class PartialFile {
  /** Where the text is being written: `FILE.partial`, or FILE itself when written in place. */
  readonly partialPath: string;
  readonly inPlace: boolean;
  private fd: number | undefined;
  private failure: NodeJS.ErrnoException | undefined;
  private readonly stdout: { write(text: string): void } | undefined;
  /** A key a server echoed back into a transcript is masked in the file too. */
  private readonly redactor = new StreamRedactor();

  /** `stdout`: where `--out /dev/stdout` (or /dev/fd/1) goes; the device cannot be reopened when it is a socket. */
  constructor(
    readonly path: string,
    stdout?: { write(text: string): void },
  ) {
    this.inPlace = existsAsSpecial(path);
    this.partialPath = this.inPlace ? path : `${path}.partial`;
    if (stdout && STDOUT_ALIASES.includes(path)) {
      this.stdout = stdout;
      return;
    }
    try {
      this.fd = openSync(this.partialPath, 'w');
    } catch (error) {
      throw new CliError('usage', `cannot write --out ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  /** Writes through; the first failure (a full disk) stops the writing and is reported by close(). */
  write(text: string): void {
    if (this.stdout) return this.stdout.write(text);
    this.writeThrough(this.redactor.push(text));
  }

  private writeThrough(text: string): void {
    if (this.fd === undefined || this.failure || text.length === 0) return;
    const data = Buffer.from(text);
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(this.fd, data, offset);
    } catch (error) {
      this.failure = error as NodeJS.ErrnoException;
    }
  }

  /** Closes the file; on success renames the partial file to the final name. A failed write throws. */
  close(success: boolean): void {
    if (this.fd === undefined) return;
    this.writeThrough(this.redactor.flush());
    closeSync(this.fd);
    this.fd = undefined;
    if (this.failure) {
      const why = this.failure.code ?? this.failure.message;
      const kept = this.inPlace ? '' : `: what was written before it is in ${this.partialPath}`;
      throw new CliError('output', `cannot write --out ${this.path} (${why === 'ENOSPC' ? 'ENOSPC: no space left on device' : why})${kept}`);
    }
    if (success && !this.inPlace) renameSync(this.partialPath, this.path);
  }
}

/** Names of this process's stdout. */
const STDOUT_ALIASES = ['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1'];

/** True when `path` exists and is not a regular file (a symlink, device, FIFO or socket). */
function existsAsSpecial(path: string): boolean {
  try {
    return !lstatSync(path).isFile();
  } catch {
    return false;
  }
}
