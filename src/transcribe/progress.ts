/**
 * What the progress bar shows, as plain numbers and strings: the Ink component in src/ui only
 * draws them.
 */
export interface FileProgress {
  sentMs: number;
  /** The file's duration when known (not for stdin). */
  totalMs?: number;
  done: boolean;
}

export interface ProgressSnapshot {
  /** 0–1, or undefined when no total is known. */
  fraction: number | undefined;
  /** `1:12 / 3:00 audio · 0:04 elapsed · 18.0× real time · 1/2 files` */
  label: string;
}

function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes % 60)}:${two(seconds % 60)}` : `${minutes}:${two(seconds % 60)}`;
}

export function progressSnapshot(files: readonly FileProgress[], elapsedMs: number): ProgressSnapshot {
  const sent = files.reduce((sum, file) => sum + file.sentMs, 0);
  // A finished file without a known length (stdin, a file that failed to open) counts what it sent.
  const known = files.every((file) => file.totalMs !== undefined || file.done);
  const total = known ? files.reduce((sum, file) => sum + (file.totalMs ?? file.sentMs), 0) : undefined;
  const fraction = total === undefined ? undefined : total === 0 ? 1 : Math.min(1, sent / total);
  const speed = elapsedMs > 0 ? sent / elapsedMs : 0;
  const parts = [
    `${clock(sent)}${total === undefined ? '' : ` / ${clock(total)}`} audio`,
    `${clock(elapsedMs)} elapsed`,
    `${speed.toFixed(1)}× real time`,
  ];
  if (files.length > 1) parts.push(`${files.filter((file) => file.done).length}/${files.length} files`);
  return { fraction, label: parts.join(' · ') };
}
