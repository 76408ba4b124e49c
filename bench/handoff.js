// Continuity on loopback: the goAway handoff and recovery from an unplanned drop, measured with
// the real simulator (in process) and the real client session (dist/live/session.js). The client
// streams speech in real time, 20 ms chunks, as a microphone would; the simulator's report says
// what it received on which connection and when.
//
//   goAway handoff (go-away-every, time left 10 s):
//     audio lost     = bytes streamed − bytes the session kept (transparent: exact; Gemini API:
//                      kept − streamed is what the replay doubled, reported beside it)
//     gap            = last client frame on the old connection → first on the new (server side)
//   unplanned drop (drop-after-messages, once per session: the socket dies without a close frame):
//     recovery       = the drop → first client frame on the new connection (server side)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultSimOptions, parseSimOptions, startSimulator } from '../dist/sim/index.js';
import { openLiveSession } from '../dist/live/session.js';
import { resolveLiveConfig } from '../dist/live/config.js';
import { EventStream } from '../dist/core/events.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STREAM_SECONDS = 10;
/** The goAway and the drop come this far into the session (simulator clock: audio seconds). */
const FAULT_AT_SECONDS = 6;
const CHUNK_BYTES = 640; // 20 ms at 16 kHz
// Speech, then a second of silence (so the simulator's VAD ends the turn and the model answers).
const speech = Buffer.concat([
  readFileSync(resolve(import.meta.dirname, '..', 'test', 'fixtures', 'audio', 'hello-16k.pcm')),
  Buffer.alloc(32_000),
]);

/** The summary of the session the last connection belonged to (a drop before any handle starts a new one). */
function finalSummary(records) {
  const lastSetup = records.filter((r) => r.type === 'setup').at(-1);
  return records.find((r) => r.type === 'summary' && r.session === lastSetup?.session);
}

function readReport(path) {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** One session: streams STREAM_SECONDS of speech in real time under `simOptions`; returns the report. */
async function oneRun(simOptions, { vertex }) {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-bench-handoff-'));
  const report = join(dir, 'report.ndjson');
  const options = parseSimOptions(`${simOptions},report=${report}`, defaultSimOptions());
  options.port = 0;
  const sim = await startSimulator(options);
  const { config } = resolveLiveConfig(
    { model: 'gemini-2.5-flash-native-audio-preview-12-2025', modality: 'audio', ...(vertex ? { vertex: true } : {}) },
    {},
    {},
    { sim: true, endpoint: sim.url },
  );
  const events = new EventStream();
  const seen = [];
  events.on((event) => {
    if (event.type === 'resumed' || event.type === 'error') seen.push(event);
  });
  const session = await openLiveSession({ config, events, id: 'bench' });
  const total = STREAM_SECONDS * 32_000;
  const started = performance.now();
  let sent = 0;
  for (let offset = 0; offset < total; offset += CHUNK_BYTES) {
    const at = started + (offset / 32_000) * 1000;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ready = session.whenReady?.();
    if (ready) await ready;
    const start = offset % speech.length;
    const data = Buffer.from(speech.subarray(start, Math.min(start + CHUNK_BYTES, speech.length)));
    session.sendAudio({ data, sampleRate: 16_000, channels: 1 });
    sent += data.length;
  }
  // Let a reconnect that is still under way deliver what it holds: 300 ms with nothing pending.
  for (let quiet = 0; quiet < 300; quiet = session.busy ? 0 : quiet + 10) await new Promise((r) => setTimeout(r, 10));
  await session.close();
  await sim.close();
  const records = readReport(report);
  rmSync(dir, { recursive: true, force: true });
  return { records, sent, resumed: seen.filter((e) => e.type === 'resumed') };
}

/** Server-side time from the last audio frame on `fromConn` to the first client frame on the next. */
function switchGap(records, afterT, fromConn) {
  const audio = records.filter((r) => r.type === 'client' && r.index !== null);
  const lastOld = audio.filter((r) => r.conn === fromConn).at(-1);
  const firstNew = audio.find((r) => r.conn > fromConn && r.t >= afterT);
  if (!lastOld || !firstNew) return undefined;
  return { gap: firstNew.t - lastOld.t, firstNew };
}

export async function runHandoffBench() {
  const rows = { goaway: [], goawayTransparent: [], drop: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const transparent of [false, true]) {
      const { records, sent, resumed } = await oneRun(`go-away-every=${FAULT_AT_SECONDS},go-away-time-left=10,seed=${i + 1}${transparent ? ',transparent' : ''}`, {
        vertex: transparent,
      });
      const goAway = records.find((r) => r.type === 'fault' && r.fault === 'go-away-every');
      const summary = finalSummary(records);
      const measured = goAway ? switchGap(records, goAway.t, goAway.conn) : undefined;
      (transparent ? rows.goawayTransparent : rows.goaway).push({
        lost: Math.max(0, sent - summary.audioBytesKept),
        doubled: Math.max(0, summary.audioBytesKept - sent),
        exact: summary.audioBytesKept === sent,
        gap: measured?.gap ?? NaN,
        clientGap: resumed[0]?.gapMs ?? NaN,
      });
    }
    const { records, sent, resumed } = await oneRun(`drop-after-messages=${FAULT_AT_SECONDS * 50},seed=${i + 1}`, { vertex: false });
    const drop = records.find((r) => r.type === 'fault' && r.fault === 'drop-after-messages');
    const first = drop ? records.find((r) => r.type === 'client' && r.conn > drop.conn && r.index !== null) : undefined;
    const summary = finalSummary(records);
    rows.drop.push({
      recovery: first ? first.t - drop.t : NaN,
      clientGap: resumed[0]?.gapMs ?? NaN,
      lost: Math.max(0, sent - summary.audioBytesKept),
      doubled: Math.max(0, summary.audioBytesKept - sent),
    });
  }
  return rows;
}

export function formatHandoffTable(rows) {
  const med = (list, key) => median(list.map((row) => row[key]));
  const max = (list, key) => Math.max(...list.map((row) => row[key]));
  const ms = (bytes) => `${bytes} B (${(bytes / 32).toFixed(0)} ms)`;
  const lines = [
    `### goAway handoff and drop recovery on loopback (medians of ${RUNS} runs; ${STREAM_SECONDS} s of speech streamed in real time, 20 ms chunks)`,
    '',
    '| scenario | audio lost (max) | audio doubled, median (max) | gap / recovery, server side, median (max) | client `resumed.gapMs` median | target |',
    '|---|---|---|---|---|---|',
    `| goAway handoff, Gemini API | ${ms(max(rows.goaway, 'lost'))} | ${ms(med(rows.goaway, 'doubled'))} (${ms(max(rows.goaway, 'doubled'))}) | ${med(rows.goaway, 'gap')} ms (${max(rows.goaway, 'gap')} ms) | ${med(rows.goaway, 'clientGap')} ms | lost 0 B, gap < 200 ms |`,
    `| goAway handoff, transparent (Vertex) | ${ms(max(rows.goawayTransparent, 'lost'))} | ${ms(med(rows.goawayTransparent, 'doubled'))} (${ms(max(rows.goawayTransparent, 'doubled'))}) | ${med(rows.goawayTransparent, 'gap')} ms (${max(rows.goawayTransparent, 'gap')} ms) | ${med(rows.goawayTransparent, 'clientGap')} ms | lost 0 B, gap < 200 ms |`,
    `| unplanned drop (1006), Gemini API | ${ms(max(rows.drop, 'lost'))} | ${ms(med(rows.drop, 'doubled'))} (${ms(max(rows.drop, 'doubled'))}) | ${med(rows.drop, 'recovery')} ms (${max(rows.drop, 'recovery')} ms) | ${med(rows.drop, 'clientGap')} ms | recovery < 1 s |`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatHandoffTable(await runHandoffBench())}\n`);
}
