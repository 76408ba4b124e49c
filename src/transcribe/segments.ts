/**
 * Input-transcription pieces → segments. A segment is the transcription between two turn
 * boundaries (the model's `turn.complete`); its text is its pieces concatenated exactly as
 * received (the service puts the spaces in the pieces, so nothing is added or trimmed).
 * No I/O: feed pieces and boundaries in, read segments out.
 */

export interface TranscriptSegment {
  /** Audio position (ms of input sent) when the segment's first piece arrived. */
  startMs: number;
  /** Audio position when its last piece arrived. */
  endMs: number;
  text: string;
}

export class TranscriptCollector {
  private readonly done: TranscriptSegment[] = [];
  private open: TranscriptSegment | undefined;
  private all = '';
  /** What the server's newest handle covers: the open segment, the text and the closed segments as of then. */
  private kept: { open: TranscriptSegment | undefined; allLength: number; doneCount: number } = {
    open: undefined,
    allLength: 0,
    doneCount: 0,
  };

  /** Adds one piece heard at `offsetMs` of the audio. */
  addPiece(text: string, offsetMs: number): void {
    this.all += text;
    if (!this.open) this.open = { startMs: offsetMs, endMs: offsetMs, text };
    else {
      this.open.text += text;
      this.open.endMs = Math.max(this.open.endMs, offsetMs);
    }
  }

  /** A resumption handle arrived: the server keeps its state as of now. */
  checkpoint(): void {
    this.kept = { open: this.open ? { ...this.open } : undefined, allLength: this.all.length, doneCount: this.done.length };
  }

  /**
   * The session was resumed from the newest handle: the server rolled back to it and transcribes
   * again the audio it had not kept, so pieces of the open segment that came after the handle
   * would be doubled at the seam. They are dropped (segments already closed stay as delivered).
   */
  rollback(): void {
    if (this.done.length === this.kept.doneCount) {
      this.all = this.all.slice(0, this.kept.allLength);
      this.open = this.kept.open ? { ...this.kept.open } : undefined;
    } else if (this.open) {
      // A segment closed after the handle and was delivered; only the open one is taken back.
      this.all = this.all.slice(0, this.all.length - this.open.text.length);
      this.open = undefined;
    }
  }

  /** A turn ended: the open segment (if any) is complete and returned. */
  boundary(): TranscriptSegment | undefined {
    const closed = this.open;
    this.open = undefined;
    if (closed) this.done.push(closed);
    return closed;
  }

  /** Every segment, the open one included (closed by this call). */
  finish(): TranscriptSegment[] {
    this.boundary();
    return [...this.done];
  }

  /** The whole transcript: every piece concatenated exactly as received. */
  get text(): string {
    return this.all;
  }
}

/** `12400` → `00:12.40`; an hour or more → `1:02:03.40`. */
export function formatOffset(ms: number): string {
  const centis = Math.max(0, Math.round(ms / 10));
  const hours = Math.floor(centis / 360_000);
  const minutes = Math.floor((centis % 360_000) / 6_000);
  const seconds = Math.floor((centis % 6_000) / 100);
  const rest = centis % 100;
  const two = (n: number): string => String(n).padStart(2, '0');
  const clock = `${two(minutes)}:${two(seconds)}.${two(rest)}`;
  return hours > 0 ? `${hours}:${clock}` : clock;
}

/**
 * One line of plain output for a segment: its text (the leading space the service puts between
 * pieces of consecutive segments is dropped from the line; `transcript.done.text` keeps it).
 */
export function formatSegmentLine(segment: TranscriptSegment, timestamps: boolean): string {
  const text = segment.text.trim();
  return timestamps ? `[${formatOffset(segment.startMs)} → ${formatOffset(segment.endMs)}] ${text}\n` : `${text}\n`;
}
