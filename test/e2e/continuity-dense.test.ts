import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents, runCli } from '../helpers/cli.js';
import { accountKeptAudio, connNeverGoesBack, readReport, uniqueSpeechFile, type Record_ } from './continuity-helpers.js';

/**
 * Issue 11: a goAway every 10 s and a drop every 7 s of session clock, 90 s of speech streamed
 * faster than real time, three seeds, on the Gemini API (no message index: the client must guess
 * what a handle covers and re-send the rest) and on Vertex with transparent resumption. The
 * simulator dumps the audio each session kept (`kept-audio`), and the test rebuilds it chunk by
 * chunk against the input: nothing may be missing, and what is doubled must stay within what the
 * client reported as in flight at each seam. The user must see each reply and each input
 * transcript piece once.
 */
const work = mkdtempSync(join(tmpdir(), 'live-cli-continuity-dense-'));
/**
 * 1.5 s pauses: the next utterance barges in on each reply (the simulator then issues a handle)
 * before the 7 s drop can come twice in the same place. With 3 s pauses a drop can land in every
 * reply, each resume restoring the same handle: a true livelock, which the failure budget ends
 * with exit 4 (continuity-budget.test.ts), not what this test is about.
 */
const audio = uniqueSpeechFile(work, 90, 1, true, 1.5);

async function dense(name: string, seed: number, extraSim: string, extraArgs: string[], env: Record<string, string> = {}) {
  const report = join(work, `${name}-${seed}.ndjson`);
  const kept = join(work, `${name}-${seed}-kept`);
  const result = await runCli(
    [
      'chat',
      `--sim=go-away-every=10,go-away-time-left=2,drop-every=7,handle-every=2,seed=${seed},report=${report},kept-audio=${kept}${extraSim}`,
      '--input',
      audio.path,
      '--pace',
      'fast',
      '--json',
      ...extraArgs,
    ],
    { timeoutMs: 90_000, env },
  );
  const events = parseEvents(result.stdout);
  const records = readReport(report);
  return { result, events, records, account: accountKeptAudio(audio.data, join(kept, 's1.pcm')) };
}

/**
 * Output text the user got between one speech segment's start and the next: at most one reply
 * (the simulator's start "I heard"), or a reply was delivered twice.
 */
function repliesPerSegment(events: Record_[]): string[] {
  const windows: string[] = [''];
  for (const event of events) {
    if (event.type === 'transcript.input' && String(event.text).includes('[speech #')) windows.push('');
    if (event.type === 'transcript.output') windows[windows.length - 1] += String(event.text);
  }
  return windows;
}

function checkDense(run: Awaited<ReturnType<typeof dense>>): void {
  const { result, events, records, account } = run;
  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  expect(records.filter((r) => r.type === 'summary')).toHaveLength(1);
  const faults = records.filter((r) => r.type === 'fault').map((r) => r.fault);
  expect(faults.filter((f) => f === 'drop-every').length).toBeGreaterThanOrEqual(5);
  expect(faults.filter((f) => f === 'go-away-every').length).toBeGreaterThanOrEqual(3);
  // Many more reconnects than the failure budget (6), each after some of the input got through.
  expect(events.filter((e) => e.type === 'reconnecting' && e.reason === 'connection-lost').length).toBeGreaterThan(6);
  // Every byte of the input is in what the server kept, in order.
  expect(account.foreignChunks).toBe(0);
  expect(account.lostBytes).toBe(0);
  expect(connNeverGoesBack(events)).toBe(true);
  // Each reply once: never two "I heard" openings for one segment.
  for (const text of repliesPerSegment(events)) expect(text.split('I heard').length - 1, text).toBeLessThanOrEqual(1);
  // Each segment's transcript once: its opening piece "[speech #N" is never shown twice.
  const openings = events.filter((e) => e.type === 'transcript.input').map((e) => /\[speech #(\d+)/.exec(String(e.text))?.[1]).filter((n) => n !== undefined);
  expect(new Set(openings).size).toBe(openings.length);
}

// One run at a time: six CLIs with a simulator each, streaming fast at once on two cores, test an
// overload no user makes rather than the client's resumption (the suite runs other files beside).
describe('dense faults: goAway every 10 s and a drop every 7 s', () => {
  for (const seed of [1, 2, 3]) {
    it(`Gemini API, seed ${seed}: nothing lost, doubled audio within what was in flight, each reply once`, async () => {
      const run = await dense('gemini', seed, '', []);
      checkDense(run);
      const inFlight = run.events.filter((e) => e.type === 'resumed').map((e) => Number(e.inFlightBytes ?? 0));
      expect(run.account.doubledBytes).toBeLessThanOrEqual(inFlight.reduce((sum, bytes) => sum + bytes, 0));
    }, 100_000);

    it(`Vertex transparent, seed ${seed}: the kept audio is the input byte for byte`, async () => {
      const run = await dense('vertex', seed, ',transparent', ['--vertex'], { GOOGLE_API_KEY: 'vertex-express-key' });
      checkDense(run);
      expect(run.account.doubledBytes).toBe(0);
      const summary = run.records.find((r) => r.type === 'summary');
      expect(summary).toMatchObject({ audioBytesKept: audio.bytes });
      // Input transcript pieces re-sent after each resume are not shown again: concatenated as
      // received, the transcript is each segment once, "[speech #N @S.SSs D.DDs]", numbered 1, 2, ….
      const transcript = run.events.filter((e) => e.type === 'transcript.input').map((e) => String(e.text)).join('');
      const segments = [...transcript.matchAll(/\[speech #(\d+) @\d+\.\d\ds \d+\.\d\ds\]/g)].map((m) => Number(m[1]));
      expect(transcript).toMatch(/^(\s?\[speech #\d+ @\d+\.\d\ds \d+\.\d\ds\])+$/);
      expect(segments).toEqual(Array.from({ length: Number(summary?.speechSegments) }, (_, i) => i + 1));
    }, 100_000);
  }
});
