import { SILENCE_DBFS } from '../../audio/level.js';
import type { ModalityCounts } from '../../core/events.js';
import type { GoAwayState, LevelReading, UsageState } from './tui-state.js';

/**
 * Plain calculations over TuiState, done at render time with the App's `now` so the panes stay thin
 * and nothing needs a timer of its own.
 */

/** How long the "resumed" line stays up after a reconnect. */
export const RESUMED_VISIBLE_MS = 5_000;
/** Meter fall-off once a reading's own duration has passed: 60 dB in about 0.75 s. */
const DECAY_DB_PER_MS = 0.08;
/** The meter's floor: quieter than this draws as empty. */
export const METER_FLOOR_DBFS = -60;

export interface GoAwayView {
  tone: 'warn' | 'info' | 'ok';
  text: string;
}

/** The goAway / reconnect line at `now`, or undefined when the pane is hidden. */
export function goAwayView(goAway: GoAwayState, now: number): GoAwayView | undefined {
  switch (goAway.phase) {
    case 'hidden':
      return undefined;
    case 'countdown': {
      const seconds = Math.max(0, goAway.deadline - now) / 1000;
      return { tone: 'warn', text: `server ends connection ${goAway.conn} in ${seconds.toFixed(1)} s (goAway) · handing over` };
    }
    case 'reconnecting': {
      const code = goAway.closeCode === undefined ? '' : `, close ${goAway.closeCode}`;
      return { tone: 'info', text: `reconnecting (attempt ${goAway.attempt}, ${goAway.reason}${code})` };
    }
    case 'resumed':
      if (now - goAway.at > RESUMED_VISIBLE_MS) return undefined;
      return { tone: 'ok', text: `resumed on connection ${goAway.conn}, gap ${goAway.gapMs} ms` };
  }
}

/** A level reading at `now`: held for the chunk's own duration, then falling toward silence. */
export function levelNow(reading: LevelReading, now: number): number {
  const age = now - reading.at - reading.holdMs;
  if (age <= 0) return reading.dbfs;
  return Math.max(SILENCE_DBFS, reading.dbfs - age * DECAY_DB_PER_MS);
}

/** Filled cells of a `cells`-wide meter for a level in dBFS (METER_FLOOR_DBFS … 0 dBFS). */
export function meterCells(dbfs: number, cells: number): number {
  const fraction = (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS;
  return Math.round(Math.min(1, Math.max(0, fraction)) * cells);
}

export interface ContextFill {
  /** Last turn's prompt + response: what the next turn starts from. */
  used: number;
  window?: number;
  /** used / window, when the window is known. */
  fraction?: number;
  /** compression trigger / window, when both are known. */
  triggerFraction?: number;
}

/** Context fill from the last usage report (prompts already include the history, so no sum). */
export function contextFill(usage: UsageState): ContextFill | undefined {
  if (!usage.last) return undefined;
  const used = usage.last.promptTokens + usage.last.responseTokens;
  const window = usage.contextWindowTokens;
  if (!window || window <= 0) return { used };
  const trigger = usage.compressionTriggerTokens;
  return {
    used,
    window,
    fraction: used / window,
    ...(trigger !== undefined && trigger > 0 ? { triggerFraction: Math.min(1, trigger / window) } : {}),
  };
}

/** `12,345`: grouping fixed to en-US so output does not depend on the user's locale. */
export function formatTokens(count: number): string {
  return count.toLocaleString('en-US');
}

/** `TEXT 13 · AUDIO 77`, in a fixed modality order; '' when empty. */
export function formatModalities(counts: ModalityCounts): string {
  const order = ['TEXT', 'AUDIO', 'IMAGE', 'VIDEO'] as const;
  return order
    .filter((key) => counts[key] !== undefined)
    .map((key) => `${key} ${formatTokens(counts[key] ?? 0)}`)
    .join(' · ');
}
