import { closeSync, openSync, writeSync } from 'node:fs';

/** One report line. `type` names the record; the other fields are documented in README.md. */
export type ReportRecord = { type: string } & Record<string, unknown>;

/**
 * The NDJSON report (`report=FILE`) and the human log, both scrubbed of every credential the
 * simulator has seen. Lines are written synchronously, so a test can read the file while the
 * simulator runs and nothing is lost if the process exits right after close().
 */
export class SimRecorder {
  private fd: number | undefined;
  private readonly secrets = new Set<string>();
  private readonly started = Date.now();

  constructor(
    reportPath: string | undefined,
    private readonly log: NodeJS.WritableStream | undefined,
  ) {
    if (reportPath !== undefined) this.fd = openSync(reportPath, 'a');
  }

  /** Remembers a credential so it is scrubbed should it ever reach a line (belt and braces). */
  addSecret(secret: string | undefined): void {
    // Very short "keys" (tests use `k`) would blank out ordinary words; those are never written anyway.
    if (secret !== undefined && secret.length >= 4) this.secrets.add(secret);
  }

  record(record: ReportRecord): void {
    if (this.fd === undefined) return;
    // Scrub values, not the serialised line, so a short key can never corrupt field names.
    const line = JSON.stringify({ ...record, t: Date.now() - this.started }, (_name, value: unknown) =>
      typeof value === 'string' ? this.scrub(value) : value,
    );
    writeSync(this.fd, `${line}\n`);
  }

  info(message: string): void {
    this.log?.write(`sim: ${this.scrub(message)}\n`);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('REDACTED');
    return out;
  }
}
