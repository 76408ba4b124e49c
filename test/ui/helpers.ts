import { readFileSync } from 'node:fs';
import type { AudioEvent, LiveEvent } from '../../src/core/events.js';
import type { TuiStore } from '../../src/ui/state/tui-store.js';

const FIXTURES = new URL('../fixtures/events/', import.meta.url);

/** Events recorded from `live-cli chat --sim … --json` (see test/fixtures/events/README.md). */
export function loadEvents(name: string): LiveEvent[] {
  return readFileSync(new URL(`${name}.ndjson`, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as LiveEvent);
}

/** The events up to and including the first one `match` accepts. */
export function eventsUntil(events: LiveEvent[], match: (event: LiveEvent) => boolean): LiveEvent[] {
  const index = events.findIndex(match);
  if (index < 0) throw new Error('no event matched');
  return events.slice(0, index + 1);
}

export function feed(store: TuiStore, events: Iterable<LiveEvent>): void {
  for (const event of events) store.handle(event);
}

/** A clock the test moves by hand, on the event.t scale. */
export function manualClock(start = 0): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (value) => (t = value), advance: (ms) => (t += ms) };
}

/** Volatile numbers (durations, countdowns, percentages) replaced, for comparing whole lines. */
export function maskVolatile(text: string): string {
  return text
    .replace(/\d+(\.\d+)?\s?ms\b/g, 'N ms')
    .replace(/\d+(\.\d+)?\s?s\b/g, 'N s')
    .replace(/\d+(\.\d+)?%/g, 'N%');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function hasAnsi(text: string): boolean {
  return new RegExp(ANSI.source).test(text);
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** s16le mono sine PCM at `amplitude` (1 = full scale). NDJSON carries no samples, so tests make them. */
export function sinePcm(amplitude: number, samples = 1920, rate = 24_000): Buffer {
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return pcm;
}

export function audioEvent(t: number, pcm?: Buffer, conn = 1): AudioEvent {
  const bytes = pcm?.length ?? 3840;
  return { type: 'audio', bytes, sampleRate: 24_000, ms: (bytes / 2 / 24_000) * 1000, t, conn, ...(pcm ? { pcm } : {}) };
}

/** Lets pending setImmediate callbacks (store notifications, Ink's input parser) run. */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it stops throwing (or returns true), instead of sleeping a fixed time. */
export async function waitFor(check: () => boolean | void, timeoutMs = 2_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      if (check() !== false) return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
    }
    if (Date.now() - started > timeoutMs) throw new Error('waitFor: condition still false');
    await delay(5);
  }
}
