import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { CliError } from '../core/errors.js';

/**
 * `--out FILE`: everything goes to `FILE.partial` as it is produced (written through, so a crash
 * or a failure leaves what was transcribed so far) and `commit()` renames it to `FILE`.
 */
export class PartialFile {
  readonly partialPath: string;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.partialPath = `${path}.partial`;
    try {
      this.fd = openSync(this.partialPath, 'w');
    } catch (error) {
      throw new CliError('usage', `cannot write --out ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  write(text: string): void {
    if (this.fd === undefined || text.length === 0) return;
    writeSync(this.fd, text);
  }

  /** Closes the partial file; on success renames it to the final name. */
  close(success: boolean): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    if (success) renameSync(this.partialPath, this.path);
  }
}
