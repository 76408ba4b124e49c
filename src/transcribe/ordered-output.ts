/**
 * Plain output of a multi-file run in input order, while files run concurrently: the earliest
 * unfinished file writes straight through; later files' text is held until every file before them
 * is finished, then released in one piece.
 */
export class OrderedOutput {
  private readonly held: string[][];
  private readonly finished: boolean[];
  private current = 0;

  constructor(
    count: number,
    private readonly write: (text: string) => void,
  ) {
    this.held = Array.from({ length: count }, () => []);
    this.finished = Array.from({ length: count }, () => false);
  }

  /** Text of file `index`: written now if it is the earliest unfinished file, else held. */
  push(index: number, text: string): void {
    if (index === this.current) this.write(text);
    else this.held[index]?.push(text);
  }

  /** File `index` has nothing more to say: later files' held text follows in order. */
  finish(index: number): void {
    this.finished[index] = true;
    while (this.current < this.finished.length && this.finished[this.current]) {
      this.current++;
      const next = this.held[this.current];
      if (next && next.length > 0) this.write(next.splice(0).join(''));
    }
  }
}
