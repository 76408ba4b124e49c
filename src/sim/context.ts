import type { SimOptions } from './options.js';
import type { SimRecorder } from './report.js';
import type { KeptState, SimSession } from './session.js';

export interface HandleEntry {
  session: SimSession;
  kept: KeptState;
}

/** What a connection needs from the simulator that owns it (and nothing more). */
export interface SimContext {
  readonly options: SimOptions;
  readonly recorder: SimRecorder;
  /** Eight hex digits from the seeded generator. */
  randomHex(): string;
  /** setTimeout that the simulator clears on close(). */
  later(action: () => void, ms: number): NodeJS.Timeout;
  cancel(timer: NodeJS.Timeout | undefined): void;
  createSession(sessionId?: string): SimSession;
  findHandle(handle: string): HandleEntry | undefined;
  storeHandle(handle: string, entry: HandleEntry): void;
  /** Fires whatever the session's clock has reached (goAway, drops, caps). */
  checkSchedules(session: SimSession): void;
}
